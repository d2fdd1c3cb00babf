/**
 * After the report is written: the metrics of one run go to the --metrics-file (OpenMetrics text)
 * and to the Pushgateway, one group per repository + user labels, replaced with PUT.
 */
import { writeFile } from 'node:fs/promises';
import { HTTPError } from 'got';
import type { ImageDelta } from '../delta/types.js';
import { MetricsPushError, UsageError } from '../errors.js';
import { buildMetricsRegistry, renderOpenMetrics } from './definitions.js';
import { groupUrl, type PushOptions, putGroup } from './pushgateway.js';

export interface MetricsInput {
  /** The `repository` label, e.g. from `repositoryLabel(reference)`. */
  repository: string;
  /** `--platform all`: the `platform` label (os/arch[/variant]) on every series and in the grouping key. */
  platform?: string;
  delta: ImageDelta;
  durationSeconds: number;
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
 * repository, pushed one after another. A group the Pushgateway refuses does not stop the others
 * (the first refusal is thrown at the end); an unreachable Pushgateway stops at once, so a scan of
 * many repositories does not wait out the retries of each. Either way: MetricsPushError, exit 4.
 */
export async function publishAllMetrics(
  inputs: readonly MetricsInput[],
  options: PublishOptions,
  pushOptions?: PushOptions,
): Promise<void> {
  const { pushgateway: base, labels, metricsFile: file } = options;
  if (!base && !file) return;
  const nowSeconds = Date.now() / 1000;
  const build = (group: readonly MetricsInput[]) =>
    buildMetricsRegistry([...group], { labels, topN: options.top, durationSeconds: 0, nowSeconds });

  if (file) {
    try {
      await writeFile(file, await renderOpenMetrics(build(inputs)));
    } catch (err) {
      throw new UsageError(`cannot write --metrics-file ${file}: ${(err as NodeJS.ErrnoException).code}`, {
        hint: 'check that the directory exists and is writable',
        cause: err,
      });
    }
  }

  if (base) {
    let firstRefusal: MetricsPushError | undefined;
    for (const input of inputs) {
      const body = await build([input]).metrics();
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
  }
}
