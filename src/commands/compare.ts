import { Args } from '@oclif/core';
import { analysisFlags, comparePlatformsWithFlags, compareWithFlags } from '../cli/analysis.js';
import { BaseCommand } from '../cli/base-command.js';
import { exitCodesHelp } from '../cli/exit-codes-help.js';
import { metricsFlags, metricsOptions } from '../cli/metrics-flags.js';
import { publishThenExit } from '../cli/outcome.js';
import { writeOut } from '../cli/output.js';
import { applyRegistryFlags, registryFlags } from '../cli/registry-flags.js';
import {
  DEFAULT_TOLERANCE,
  outputFormat,
  platformFlag,
  reportFlags,
  toleranceFlag,
} from '../cli/report-flags.js';
import { ExitCode } from '../errors.js';
import { metricsSteps, platformInputs } from '../metrics/publish.js';
import { repositoryLabel } from '../metrics/repository.js';
import { parseReference } from '../reference/reference.js';
import { renderPlatformsReport } from '../report/platforms.js';
import { renderReport, useColor } from '../report/render.js';

export default class Compare extends BaseCommand {
  static override summary = 'Compare two images layer by layer: what got bigger, and where.';

  static override description =
    `Reads both images (registry, oci:DIR[:TAG] or docker-archive:FILE), classifies every layer as reused, changed, new or removed, and prints a summary line, a table per layer and totals. Sizes are SI (1 kB = 1000 B) and always say whether they are compressed or uncompressed. The JSON report follows docs/schema/image-delta.v1.json.

${exitCodesHelp([ExitCode.ok, ExitCode.usage, ExitCode.registry, ExitCode.metricsPush, ExitCode.internal])}`;

  static override examples = [
    '<%= config.bin %> compare registry.example.com/app:1.4.0 registry.example.com/app:1.5.0',
    '<%= config.bin %> compare ghcr.io/org/app:main ghcr.io/org/app:pr-42 --platform linux/arm64 --tolerance 2%',
    '<%= config.bin %> compare ghcr.io/org/app:1.4.0 ghcr.io/org/app:1.5.0 --platform all',
    '<%= config.bin %> compare oci:./old-layout:v1 oci:./new-layout:v2 --output markdown',
    '<%= config.bin %> compare docker-archive:old.tar docker-archive:new.tar --json',
    '<%= config.bin %> compare registry.example.com/app:1.4.0 registry.example.com/app:1.5.0 --output html > delta.html',
  ];

  static override args = {
    old: Args.string({ ignoreStdin: true, description: 'The image before (baseline).', required: true }),
    new: Args.string({ ignoreStdin: true, description: 'The image after.', required: true }),
  };

  static override flags = { ...reportFlags, ...analysisFlags, ...metricsFlags, ...registryFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Compare);
    await applyRegistryFlags(flags);
    const format = outputFormat(flags);
    const platform = platformFlag(flags.platform);
    const tolerance = toleranceFlag(flags.tolerance) ?? DEFAULT_TOLERANCE;
    const metrics = metricsOptions(flags);
    const started = performance.now();
    if (platform === 'all') {
      const deltas = await comparePlatformsWithFlags(args.old, args.new, { tolerance }, flags);
      writeOut(renderPlatformsReport(deltas, format, { color: useColor(process.stdout), top: flags.top }));
      const repository = repositoryLabel(parseReference(args.new));
      const durationSeconds = (performance.now() - started) / 1000;
      await publishThenExit(
        metricsSteps(platformInputs(deltas.platforms, repository, durationSeconds), metrics),
      );
      return;
    }
    const delta = await compareWithFlags(args.old, args.new, { tolerance, platform }, flags);
    writeOut(renderReport(delta, format, { color: useColor(process.stdout), top: flags.top }));
    // After the report: a failed push (exit 4) never loses it.
    await publishThenExit(
      metricsSteps(
        [
          {
            repository: repositoryLabel(parseReference(args.new)),
            delta,
            durationSeconds: (performance.now() - started) / 1000,
          },
        ],
        metrics,
      ),
    );
  }
}
