import { Args, Flags } from '@oclif/core';
import { analysisFlags, compareWithFlags } from '../cli/analysis.js';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { settingsFromFlags, thresholdFlags } from '../cli/check-flags.js';
import { metricsFlags, metricsOptions } from '../cli/metrics-flags.js';
import { publishThenExit } from '../cli/outcome.js';
import { applyRegistryFlags, registryFlags } from '../cli/registry-flags.js';
import { DEFAULT_TOLERANCE, outputFormat, platformFlag, reportFlags } from '../cli/report-flags.js';
import { ExitCode } from '../errors.js';
import { publishMetrics } from '../metrics/publish.js';
import { repositoryLabel } from '../metrics/repository.js';
import { loadConfigFile, mergeSettings } from '../policy/config.js';
import { evaluateThresholds } from '../policy/evaluate.js';
import { parseReference } from '../reference/reference.js';
import { annotation, appendStepSummary, isGitHubActions } from '../report/github.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderReport, useColor } from '../report/render.js';

export default class Check extends BaseCommand {
  static override summary =
    'Compare a just-pushed image with its baseline and fail when a threshold is crossed.';

  static override description =
    `The post-push CI step: the same report as compare, then every threshold checked. Thresholds come from flags and from .layerdelta.yml in the current directory (or --config FILE), flags winning; the file's keys are the flag names (e.g. "max-growth: 10%"). Percentages are of the old size; sizes accept 5MB, 500kB, 1.5GiB or plain bytes. Every crossed threshold is listed. Under GitHub Actions (GITHUB_ACTIONS=true) the Markdown report is appended to $GITHUB_STEP_SUMMARY and findings become ::error / ::warning annotations. Metrics (--pushgateway, --metrics-file) are published after the report, also when a threshold is crossed; a crossed threshold (exit 1) wins over a failed push (4), which is still reported on stderr.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> check registry.example.com/app:1.5.0 --baseline registry.example.com/app:1.4.0 --max-growth 10%',
    '<%= config.bin %> check ghcr.io/org/app:pr-42 --baseline ghcr.io/org/app:main --max-growth-bytes 5MB --max-new-layer-bytes 50MB',
    '<%= config.bin %> check ghcr.io/org/app:pr-42 --baseline ghcr.io/org/app:main --config ci/layerdelta.yml --json',
    '<%= config.bin %> check ghcr.io/org/app:pr-42 --baseline ghcr.io/org/app:main --pushgateway http://pushgateway:9091 --label branch=pr-42',
  ];

  static override args = {
    new: Args.string({ description: 'The image just pushed.', required: true }),
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
    const started = performance.now();
    const delta = await compareWithFlags(
      flags.baseline,
      args.new,
      { tolerance: settings.tolerance ?? DEFAULT_TOLERANCE, platform },
      flags,
    );
    const check = evaluateThresholds(delta, settings.thresholds);
    process.stdout.write(renderReport(delta, format, { color: useColor(process.stdout), check }));

    if (isGitHubActions()) {
      const summaryFile = process.env.GITHUB_STEP_SUMMARY;
      if (summaryFile) appendStepSummary(summaryFile, renderMarkdown(delta, { check }));
      // Workflow commands are read from stdout; keep stdout pure JSON when that is the report.
      const stream = format === 'json' ? process.stderr : process.stdout;
      for (const finding of check.findings) stream.write(`${annotation(finding)}\n`);
    }
    // Growth is recorded even when the check fails; a crossed threshold (1) wins over a failed push (4).
    await publishThenExit(
      () =>
        publishMetrics(
          {
            repository: repositoryLabel(parseReference(args.new)),
            delta,
            durationSeconds: (performance.now() - started) / 1000,
          },
          metrics,
        ),
      check.passed ? ExitCode.ok : ExitCode.threshold,
    );
  }
}
