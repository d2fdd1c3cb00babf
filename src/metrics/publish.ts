/**
 * After the report is written: the metrics of one run go to the --metrics-file (OpenMetrics text)
 * and to the Pushgateway, one group per repository + user labels, replaced with PUT.
 */
import { writeFile } from 'node:fs/promises';
import { HTTPError } from 'got';
import type { ImageDelta } from '../delta/types.js';
import { MetricsPushError, UsageError } from '../errors.js';
import { buildMetricsRegistry, renderOpenMetrics } from './definitions.js';
import { type MetricsFlagValues, parseUserLabels } from './flags.js';
import { groupUrl, type PushOptions, parsePushgatewayUrl, putGroup } from './pushgateway.js';

export interface MetricsInput {
  /** The `repository` label, e.g. from `repositoryLabel(reference)`. */
  repository: string;
  delta: ImageDelta;
  durationSeconds: number;
}

/** Publish one image delta (compare, check). */
export async function publishMetrics(
  input: MetricsInput,
  flags: MetricsFlagValues,
  pushOptions?: PushOptions,
): Promise<void> {
  await publishAllMetrics([input], flags, pushOptions);
}

/**
 * Publish many deltas (scan): one file holding every repository, one Pushgateway group per
 * repository, pushed one after another. A group the Pushgateway refuses does not stop the others
 * (the first refusal is thrown at the end); an unreachable Pushgateway stops at once, so a scan of
 * many repositories does not wait out the retries of each. Either way: MetricsPushError, exit 4.
 */
export async function publishAllMetrics(
  inputs: readonly MetricsInput[],
  flags: MetricsFlagValues,
  pushOptions?: PushOptions,
): Promise<void> {
  if (!flags.pushgateway && !flags['metrics-file']) return;
  const labels = parseUserLabels(flags.label);
  const base = flags.pushgateway ? parsePushgatewayUrl(flags.pushgateway) : undefined;
  const nowSeconds = Date.now() / 1000;
  const build = (group: readonly MetricsInput[]) =>
    buildMetricsRegistry([...group], { labels, topN: flags.top, durationSeconds: 0, nowSeconds });

  const file = flags['metrics-file'];
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
      const url = groupUrl(base, flags.job, { repository: input.repository, ...labels });
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

/**
 * Check --label and --pushgateway before the (long) analysis starts, so a typo fails fast with
 * exit 2 instead of after the report.
 */
export function validateMetricsFlags(flags: MetricsFlagValues): void {
  parseUserLabels(flags.label);
  if (flags.pushgateway) parsePushgatewayUrl(flags.pushgateway);
}
