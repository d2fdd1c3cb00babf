import { writeFile } from 'node:fs/promises';
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { cacheFlags, layerCacheFromFlags } from '../cli/cache-flags.js';
import { exitCodesHelp } from '../cli/exit-codes-help.js';
import { metricsFlags, metricsOptions } from '../cli/metrics-flags.js';
import { publishThenExit } from '../cli/outcome.js';
import { writeOut } from '../cli/output.js';
import { createScanProgress } from '../cli/progress.js';
import { applyRegistryFlags, registryFlags } from '../cli/registry-flags.js';
import {
  DEFAULT_TOLERANCE,
  outputFlags,
  outputFormat,
  reportFlags,
  toleranceFlag,
} from '../cli/report-flags.js';
import { ExitCode, UsageError } from '../errors.js';
import { metricsSteps } from '../metrics/publish.js';
import { scanMetricsInputs } from '../registry-scan/metrics.js';
import { DEFAULT_SCAN_CONCURRENCY, runScan } from '../registry-scan/run.js';
import { resolveShard } from '../registry-scan/shard.js';
import { renderScanJson, renderScanText } from '../report/registry-scan.js';
import { parsePlatform } from '../source/platform.js';
import { escapeStrings } from '../terminal-text.js';

export default class Scan extends BaseCommand {
  static override summary =
    'Scan a whole registry: in every repository, the newest image against the one before it.';

  static override description =
    `Lists the repositories (the registry's _catalog; ECR hosts ACCOUNT.dkr.ecr.REGION.amazonaws.com through DescribeRepositories; or --repositories-file), keeps those matching --repository and not --exclude (globs: * within a path segment, ** across), keeps this machine's --shard, and in each picks the newest image and its predecessor:
  --pair semver   tags that are semantic versions (a leading v allowed), by version precedence; other tags ignored. Costs one tags/list per repository.
  --pair created  by image creation time: ECR's imagePushedAt (one DescribeImages per repository); on other registries the config "created" of every tag, which costs 2 requests per tag (3 for an index).
Ties are broken by tag name, descending; tags of the same image count once. A repository with fewer than two such images is skipped, with the reason.
Each pair goes through the same pipeline as compare (layers, Go binaries). Layer blobs shared by several repositories are fetched once per scan (and never when cached). One metric group per repository is pushed to --pushgateway.
A failing repository is reported and the scan goes on; the exit code is then 3 and the summary line says PARTIAL SCAN (failed repositories win over a metrics push failure, 4).
Sharding: --shard I/N (0-based) keeps the repositories whose name hash falls in shard I; under a Kubernetes Indexed Job, JOB_COMPLETION_INDEX and JOB_COMPLETIONS are read when --shard is absent (see deploy/kubernetes/scan-job.yaml).
The JSON report (schemaVersion 1) holds one object per repository (status compared | skipped | failed, with older, newer and delta, or reason, or error) and a summary.

${exitCodesHelp([ExitCode.ok, ExitCode.usage, ExitCode.registry, ExitCode.metricsPush, ExitCode.internal], {
  [ExitCode.registry]: 'some repository failed (the scan is partial) or the registry is unreachable',
})}`;

  static override examples = [
    '<%= config.bin %> scan registry.example.com --repository "team/**" --exclude "team/sandbox-*"',
    '<%= config.bin %> scan 123456789012.dkr.ecr.eu-west-1.amazonaws.com --pair created --json --report-file scan.json',
    '<%= config.bin %> scan registry.example.com --shard 0/4 --cache-dir /cache --pushgateway http://pushgateway:9091 --label env=prod',
    '<%= config.bin %> scan registry.example.com --repositories-file repos.txt --concurrency 8',
  ];

  static override args = {
    registry: Args.string({
      ignoreStdin: true,
      description: 'Registry host[:port], e.g. registry.example.com or localhost:5000.',
      required: true,
    }),
  };

  static override flags = {
    ...registryFlags,
    repository: Flags.string({
      char: 'r',
      description: 'Only repositories matching this glob (repeatable; default all).',
      multiple: true,
      helpValue: 'GLOB',
    }),
    exclude: Flags.string({
      char: 'x',
      description: 'Leave out repositories matching this glob (repeatable).',
      multiple: true,
      helpValue: 'GLOB',
    }),
    'repositories-file': Flags.string({
      description:
        'Take repository names from FILE (one per line, # comments) instead of listing the registry.',
      helpValue: 'FILE',
    }),
    pair: Flags.string({
      description: "How to order a repository's images to pick the newest and its predecessor.",
      options: ['semver', 'created'],
      default: 'semver',
    }),
    concurrency: Flags.integer({
      description: 'Repositories compared at once, and layer blobs downloaded at once.',
      default: DEFAULT_SCAN_CONCURRENCY,
      min: 1,
      helpValue: 'N',
    }),
    shard: Flags.string({
      description:
        'Scan only shard I of N (0-based), by repository name hash. Default: JOB_COMPLETION_INDEX/JOB_COMPLETIONS, else all.',
      helpValue: 'I/N',
    }),
    ...cacheFlags,
    platform: Flags.string({
      char: 'p',
      description: 'Platform to pick from multi-platform images, os/arch[/variant] (default linux/amd64).',
    }),
    tolerance: reportFlags.tolerance,
    ...outputFlags(['text', 'json'] as const),
    'report-file': Flags.string({ description: 'Also write the report to FILE.', helpValue: 'FILE' }),
    ...metricsFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Scan);
    await applyRegistryFlags(flags);
    // Everything a typo can break is checked before the first request.
    const registry = registryArgument(args.registry);
    const shard = resolveShard(flags.shard);
    const platform = flags.platform === undefined ? undefined : parsePlatform(flags.platform);
    const tolerance = toleranceFlag(flags.tolerance) ?? DEFAULT_TOLERANCE;
    const json = outputFormat<'text' | 'json'>(flags) === 'json';
    const metrics = metricsOptions(flags);

    const progress = createScanProgress({ quiet: flags.quiet });
    let report: Awaited<ReturnType<typeof runScan>>;
    try {
      report = await runScan({
        registry,
        include: flags.repository ?? [],
        exclude: flags.exclude ?? [],
        ...(flags['repositories-file'] ? { repositoriesFile: flags['repositories-file'] } : {}),
        pair: flags.pair as 'semver' | 'created',
        concurrency: flags.concurrency,
        shard,
        tolerance,
        ...(platform ? { platform } : {}),
        cache: layerCacheFromFlags(flags),
        ...(progress ? { onProgress: (p) => progress.update(p) } : {}),
      });
    } finally {
      progress?.finish();
    }

    const text = json ? renderScanJson(report) : renderScanText(escapeStrings(report));
    writeOut(text);
    if (flags['report-file']) await writeReportFile(flags['report-file'], text);

    // Failed repositories (3) win over a failed push (4).
    await publishThenExit(
      metricsSteps(scanMetricsInputs(report), metrics),
      report.summary.partial ? ExitCode.registry : ExitCode.ok,
    );
    if (report.summary.partial) {
      process.stderr.write(
        `layerdelta: partial scan: ${report.summary.failed} of ${report.summary.repositories} repositories failed (see the report)\n`,
      );
    }
  }
}

/** `host[:port]`; a scheme or a path is a usage error rather than a confusing request later. */
function registryArgument(text: string): string {
  const host = text.trim().replace(/\/+$/, '');
  if (
    !/^[a-zA-Z0-9.-]+(:\d+)?$/.test(host) ||
    !(host.includes('.') || host.includes(':') || host === 'localhost')
  ) {
    throw new UsageError(`invalid registry "${text}"`, {
      hint: 'give the host[:port] only, e.g. registry.example.com or localhost:5000 (no scheme, no repository)',
    });
  }
  return host;
}

async function writeReportFile(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (error) {
    throw new UsageError(`cannot write --report-file ${file}: ${(error as NodeJS.ErrnoException).code}`, {
      hint: 'check that the directory exists and is writable',
      cause: error,
    });
  }
}
