/**
 * After the report is written: the metrics of one run go to the --metrics-file (OpenMetrics text)
 * and to the Pushgateway, one group per repository + user labels, replaced with PUT.
 */
import { writeFile } from 'node:fs/promises';
import type { ImageDelta } from '../delta/types.js';
import { UsageError } from '../errors.js';
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
 * repository. Pushes run one after another; the first group that cannot be pushed after its retries
 * stops the run with MetricsPushError (exit 4).
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
    for (const input of inputs) {
      const body = await build([input]).metrics();
      const url = groupUrl(base, flags.job, { repository: input.repository, ...labels });
      await putGroup(url, body, pushOptions);
    }
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
