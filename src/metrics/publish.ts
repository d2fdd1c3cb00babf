/**
 * After the report is written: the metrics of one run go to the --metrics-file (OpenMetrics text)
 * and to the Pushgateway, one group per repository + user labels, replaced with PUT.
 */
import { writeFile } from 'node:fs/promises';
import { HTTPError } from 'got';
import type { ImageDelta } from '../delta/types.js';
import { MetricsPushError, UsageError } from '../errors.js';
import { groupUrl, type PushOptions, putGroup } from './pushgateway.js';

export interface MetricsInput {
  /** The `repository` label, e.g. from `repositoryLabel(reference)`. */
  repository: string;
  /** `--platform all`: the `platform` label (os/arch[/variant]) on every series and in the grouping key. */
  platform?: string;
  delta: ImageDelta;
  durationSeconds: number;
}

/** `--platform all`: one input per platform, each with its `platform` label. */
export function platformInputs(
  platforms: ReadonlyArray<{ platform: string; delta: ImageDelta }>,
  repository: string,
  durationSeconds: number,
): MetricsInput[] {
  return platforms.map((p) => ({ repository, platform: p.platform, delta: p.delta, durationSeconds }));
}

/** Where and how to publish: from the metrics flags (cli/metrics-flags.ts `metricsOptions`). */
export interface PublishOptions {
  /** Pushgateway base URL; no push without it. */
  pushgateway?: URL;
  job: string;
  /** User grouping labels, already checked against our own label names. */
  labels: Record<string, string>;
  /** OpenMetrics file to write; none without it. */
  metricsFile?: string;
  /** Packages and modules per binary kept as their own series. */
  top: number;
}

/** Publish one image delta (compare, check). */
export async function publishMetrics(
  input: MetricsInput,
  options: PublishOptions,
  pushOptions?: PushOptions,
): Promise<void> {
  await publishAllMetrics([input], options, pushOptions);
}

/**
 * Publish many deltas (scan): one file holding every repository, one Pushgateway group per
 * repository. The file and the push are separate steps (metricsSteps); here the first failure stops.
 */
export async function publishAllMetrics(
  inputs: readonly MetricsInput[],
  options: PublishOptions,
  pushOptions?: PushOptions,
): Promise<void> {
  for (const step of metricsSteps(inputs, options, pushOptions)) await step();
}

/**
 * The two steps of publishing, for cli/outcome.ts to run both even when the first fails (an
 * unwritable --metrics-file never skips the push): write the --metrics-file (UsageError, exit 2),
 * then push one group per repository, one after another. A group the Pushgateway refuses does not
 * stop the others (the first refusal is thrown at the end); an unreachable Pushgateway stops at
 * once, so a scan of many repositories does not wait out the retries of each. Either way:
 * MetricsPushError, exit 4.
 */
export function metricsSteps(
  inputs: readonly MetricsInput[],
  options: PublishOptions,
  pushOptions?: PushOptions,
): Array<() => Promise<void>> {
  const { pushgateway: base, labels, metricsFile: file } = options;
  const nowSeconds = Date.now() / 1000;
  // prom-client (and the OpenTelemetry API it loads: ~80 modules) only when a step runs.
  const build = async (group: readonly MetricsInput[]) => {
    const { buildMetricsRegistry } = await import('./definitions.js');
    return buildMetricsRegistry([...group], { labels, topN: options.top, durationSeconds: 0, nowSeconds });
  };
  const steps: Array<() => Promise<void>> = [];

  if (file) {
    steps.push(async () => {
      const { renderOpenMetrics } = await import('./definitions.js');
      const text = await renderOpenMetrics(await build(inputs));
      try {
        await writeFile(file, text);
      } catch (err) {
        throw new UsageError(`cannot write --metrics-file ${file}: ${(err as NodeJS.ErrnoException).code}`, {
          hint: 'check that the directory exists and is writable',
          cause: err,
        });
      }
    });
  }

  if (base) {
    steps.push(async () => {
      let firstRefusal: MetricsPushError | undefined;
      for (const input of inputs) {
        const body = await (await build([input])).metrics();
        const grouping = {
          repository: input.repository,
          ...(input.platform !== undefined ? { platform: input.platform } : {}),
          ...labels,
        };
        const url = groupUrl(base, options.job, grouping);
        try {
          await putGroup(url, body, pushOptions);
        } catch (err) {
          if (!(err instanceof MetricsPushError) || !(err.cause instanceof HTTPError)) throw err;
          firstRefusal ??= err;
        }
      }
      if (firstRefusal) throw firstRefusal;
    });
  }
  return steps;
}
