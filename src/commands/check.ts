import { Args, Flags } from '@oclif/core';
import { analysisFlags, comparePlatformsWithFlags, compareWithFlags } from '../cli/analysis.js';
import { BaseCommand } from '../cli/base-command.js';
import { settingsFromFlags, thresholdFlags } from '../cli/check-flags.js';
import { ciFlags } from '../cli/ci-flags.js';
import { exitCodesHelp } from '../cli/exit-codes-help.js';
import { metricsFlags, metricsOptions } from '../cli/metrics-flags.js';
import { publishThenExit } from '../cli/outcome.js';
import { writeOut } from '../cli/output.js';
import { applyRegistryFlags, registryFlags } from '../cli/registry-flags.js';
import { DEFAULT_TOLERANCE, outputFormat, platformFlag, reportFlags } from '../cli/report-flags.js';
import { ExitCode } from '../errors.js';
import { commentTarget, postReportComment } from '../github/comment-step.js';
import { appendStepOutputs, checkOutputs, checkOutputsAll } from '../github/step-outputs.js';
import { metricsSteps, platformInputs } from '../metrics/publish.js';
import { repositoryLabel } from '../metrics/repository.js';
import { loadConfigFile, mergeSettings } from '../policy/config.js';
import { evaluateThresholds } from '../policy/evaluate.js';
import { reportFileFormat, writeRenderedReport, writeReportFile } from '../report/file.js';
import { annotation, appendStepSummary, isGitHubActions } from '../report/github.js';
import { renderPlatformsReport } from '../report/platforms.js';
import { renderReport, useColor } from '../report/render.js';
import { parseImageReference } from '../source/open.js';
import { escapeStrings } from '../terminal-text.js';

export default class Check extends BaseCommand {
  static override summary =
    'Compare a just-pushed image with its baseline and fail when a threshold is crossed.';

  static override description =
    `The post-push CI step: the same report as compare, then every threshold checked. Thresholds come from flags and from .layerdelta.yml in the current directory (or --config FILE), flags winning; the file's keys are the flag names (e.g. "max-growth: 10%"). Percentages are of the old size; sizes accept 5MB, 500kB, 1.5GiB or plain bytes. Every crossed threshold is listed. Under GitHub Actions (GITHUB_ACTIONS=true) the Markdown report is appended to $GITHUB_STEP_SUMMARY and findings become ::error / ::warning annotations. Metrics (--pushgateway, --metrics-file) are published after the report, also when a threshold is crossed; a crossed threshold (exit 1) wins over a failed push (4), which is still reported on stderr. Step outputs go to $GITHUB_OUTPUT (verdict, delta-bytes, delta-percent, uncompressed-delta-bytes, threshold-errors, report-path); --report-file also writes the report to a file; --pr-comment keeps one pull-request comment per image up to date (action.yml runs all of this).

${exitCodesHelp(
  [
    ExitCode.ok,
    ExitCode.threshold,
    ExitCode.usage,
    ExitCode.registry,
    ExitCode.metricsPush,
    ExitCode.internal,
  ],
  {
    [ExitCode.registry]:
      'registry/network failure, or the pull-request comment failed (report still written)',
  },
)}`;

  static override examples = [
    '<%= config.bin %> check registry.example.com/app:1.5.0 --baseline registry.example.com/app:1.4.0 --max-growth 10%',
    '<%= config.bin %> check ghcr.io/org/app:pr-42 --baseline ghcr.io/org/app:main --max-growth-bytes 5MB --max-new-layer-bytes 50MB',
    '<%= config.bin %> check ghcr.io/org/app:pr-42 --baseline ghcr.io/org/app:main --config ci/layerdelta.yml --json',
    '<%= config.bin %> check ghcr.io/org/app:pr-42 --baseline ghcr.io/org/app:main --pushgateway http://pushgateway:9091 --label branch=pr-42',
  ];

  static override args = {
    new: Args.string({ ignoreStdin: true, description: 'The image just pushed.', required: true }),
  };

  static override flags = {
    ...registryFlags,
    baseline: Flags.string({ char: 'b', description: 'The image to compare against.', required: true }),
    config: Flags.string({
      description: 'Settings file (default: .layerdelta.yml in the current directory).',
    }),
    ...thresholdFlags,
    ...reportFlags,
    ...analysisFlags,
    ...metricsFlags,
    ...ciFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Check);
    await applyRegistryFlags(flags);
    const format = outputFormat(flags);
    const platform = platformFlag(flags.platform);
    // Settings are validated before any network access: a typo fails fast with exit 2.
    const fromFlags = settingsFromFlags(flags);
    const settings = mergeSettings(loadConfigFile(flags.config), fromFlags);

    const metrics = metricsOptions(flags);
    if (flags['report-file']) reportFileFormat(flags['report-file']);
    const pullRequest = flags['pr-comment'] ? commentTarget() : undefined;
    const repository = repositoryLabel(parseImageReference(args.new));
    const started = performance.now();
    if (platform === 'all') {
      const deltas = await comparePlatformsWithFlags(
        flags.baseline,
        args.new,
        { tolerance: settings.tolerance ?? DEFAULT_TOLERANCE },
        flags,
      );
      // Thresholds are judged per platform: each platform's growth against its own baseline.
      const checks = deltas.platforms.map((p) => evaluateThresholds(p.delta, settings.thresholds));
      const passed = checks.every((c) => c.passed);
      const render = (f: typeof format, color = false) =>
        renderPlatformsReport(deltas, f, { color, checks, top: flags.top });
      writeOut(render(format, useColor(process.stdout)));
      const reportPath = flags['report-file'] ? writeRenderedReport(flags['report-file'], render) : undefined;
      const inGitHub = isGitHubActions();
      const summaryFile = inGitHub ? process.env.GITHUB_STEP_SUMMARY : undefined;
      const durationSeconds = (performance.now() - started) / 1000;
      await publishThenExit(
        [
          () => {
            if (summaryFile) appendStepSummary(summaryFile, render('markdown'));
          },
          () => {
            if (!inGitHub) return;
            const stream = format === 'json' ? process.stderr : process.stdout;
            deltas.platforms.forEach((p, i) => {
              for (const finding of checks[i]?.findings ?? [])
                stream.write(
                  `${annotation(escapeStrings({ ...finding, message: `${p.platform}: ${finding.message}` }))}\n`,
                );
            });
            const outputFile = process.env.GITHUB_OUTPUT;
            const items = deltas.platforms.map((p, i) => ({ delta: p.delta, check: checks[i]! }));
            if (outputFile) appendStepOutputs(outputFile, checkOutputsAll(items, reportPath));
          },
          async () => {
            if (pullRequest) await postReportComment(pullRequest, repository, render('markdown'));
          },
          ...metricsSteps(platformInputs(deltas.platforms, repository, durationSeconds), metrics),
        ],
        passed ? ExitCode.ok : ExitCode.threshold,
      );
      return;
    }
    const delta = await compareWithFlags(
      flags.baseline,
      args.new,
      { tolerance: settings.tolerance ?? DEFAULT_TOLERANCE, platform },
      flags,
    );
    const check = evaluateThresholds(delta, settings.thresholds);
    writeOut(renderReport(delta, format, { color: useColor(process.stdout), check, top: flags.top }));

    const reportPath = flags['report-file'] ? writeReportFile(flags['report-file'], delta, check) : undefined;

    // Growth is recorded and the pull request told even when the check fails, and every step runs
    // even when another failed; a crossed threshold (1) wins over their failures.
    const inGitHub = isGitHubActions();
    const summaryFile = inGitHub ? process.env.GITHUB_STEP_SUMMARY : undefined;
    await publishThenExit(
      [
        () => {
          if (summaryFile)
            appendStepSummary(summaryFile, renderReport(delta, 'markdown', { check, top: flags.top }));
        },
        () => {
          if (!inGitHub) return;
          // Workflow commands are read from stdout; keep stdout pure JSON when that is the report.
          const stream = format === 'json' ? process.stderr : process.stdout;
          for (const finding of check.findings) stream.write(`${annotation(escapeStrings(finding))}\n`);
          const outputFile = process.env.GITHUB_OUTPUT;
          if (outputFile) appendStepOutputs(outputFile, checkOutputs(delta, check, reportPath));
        },
        async () => {
          if (pullRequest)
            await postReportComment(pullRequest, repository, renderReport(delta, 'markdown', { check }));
        },
        ...metricsSteps(
          [{ repository, delta, durationSeconds: (performance.now() - started) / 1000 }],
          metrics,
        ),
      ],
      check.passed ? ExitCode.ok : ExitCode.threshold,
    );
  }
}
