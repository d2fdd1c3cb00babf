import { Args, Flags } from '@oclif/core';
import { analysisFlags, compareWithFlags } from '../cli/analysis.js';
import { BaseCommand, EXIT_CODES_HELP } from '../cli/base-command.js';
import { ExitCode, MetricsPushError } from '../errors.js';
import { metricsFlags } from '../metrics/flags.js';
import { publishMetrics, validateMetricsFlags } from '../metrics/publish.js';
import { repositoryLabel } from '../metrics/repository.js';
import {
  type CheckSettings,
  FROM_FLAGS,
  loadConfigFile,
  mergeSettings,
  parseSettings,
} from '../policy/config.js';
import { evaluateThresholds } from '../policy/evaluate.js';
import { parseReference } from '../reference/reference.js';
import { DEFAULT_TOLERANCE, outputFormat, platformFlag, reportFlags } from '../report/flags.js';
import { annotation, appendStepSummary, isGitHubActions } from '../report/github.js';
import { renderReport, useColor } from '../report/render.js';
import { escapeStrings } from '../terminal-text.js';

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
    baseline: Flags.string({ char: 'b', description: 'The image to compare against.', required: true }),
    config: Flags.string({
      description: 'Settings file (default: .layerdelta.yml in the current directory).',
    }),
    'max-growth': Flags.string({
      description: 'Fail when the image grows by more than PCT (compressed).',
      helpValue: 'PCT',
    }),
    'max-growth-bytes': Flags.string({
      description: 'Fail when the image grows by more than SIZE (compressed).',
      helpValue: 'SIZE',
    }),
    'max-layer-growth': Flags.string({
      description: 'Fail when any changed layer grows by more than PCT.',
      helpValue: 'PCT',
    }),
    'max-new-layer-bytes': Flags.string({
      description: 'Fail when any new layer is larger than SIZE (compressed).',
      helpValue: 'SIZE',
    }),
    'max-binary-growth': Flags.string({
      description: 'Fail when any Go binary grows by more than PCT.',
      helpValue: 'PCT',
    }),
    'max-binary-growth-bytes': Flags.string({
      description: 'Fail when any Go binary grows (or is added) by more than SIZE.',
      helpValue: 'SIZE',
    }),
    ...reportFlags,
    ...analysisFlags,
    ...metricsFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Check);
    const format = outputFormat(flags);
    const platform = platformFlag(flags.platform);
    // Settings are validated before any network access: a typo fails fast with exit 2.
    const fromFlags: CheckSettings = parseSettings(
      {
        tolerance: flags.tolerance,
        'max-growth': flags['max-growth'],
        'max-growth-bytes': flags['max-growth-bytes'],
        'max-layer-growth': flags['max-layer-growth'],
        'max-new-layer-bytes': flags['max-new-layer-bytes'],
        'max-binary-growth': flags['max-binary-growth'],
        'max-binary-growth-bytes': flags['max-binary-growth-bytes'],
      },
      FROM_FLAGS,
    );
    const settings = mergeSettings(loadConfigFile(flags.config), fromFlags);

    validateMetricsFlags(flags);
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
      if (summaryFile) appendStepSummary(summaryFile, renderReport(delta, 'markdown', { check }));
      // Workflow commands are read from stdout; keep stdout pure JSON when that is the report.
      const stream = format === 'json' ? process.stderr : process.stdout;
      for (const finding of check.findings) stream.write(`${annotation(escapeStrings(finding))}\n`);
    }
    // Growth is recorded even when the check fails. When both happen, the verdict (exit 1) wins and
    // the push failure is still said on stderr: the image, not the metrics, is what CI gates on.
    try {
      await publishMetrics(
        {
          repository: repositoryLabel(parseReference(args.new)),
          delta,
          durationSeconds: (performance.now() - started) / 1000,
        },
        flags,
      );
    } catch (error) {
      if (check.passed || !(error instanceof MetricsPushError)) throw error;
      process.stderr.write(`layerdelta: ${error.oneLine()}\n`);
    }
    // exitCode rather than exit(): the process ends once stdout is flushed, even on a slow pipe.
    if (!check.passed) process.exitCode = ExitCode.threshold;
  }
}
