/**
 * The JSON report: the ImageDelta as it is (docs/schema/image-delta.v1.json), plus the `check` result
 * for `layerdelta check`. Bytes are integers; tolerance and percentage limits are fractions.
 */
import type { ImageDelta } from '../delta/types.js';
import type { CheckResult } from '../policy/evaluate.js';

export type JsonReport = ImageDelta & { check?: CheckResult };

export function toJsonReport(delta: ImageDelta, check?: CheckResult): JsonReport {
  return check ? { ...delta, check } : delta;
}

export function renderJson(delta: ImageDelta, options: { check?: CheckResult } = {}): string {
  return `${JSON.stringify(toJsonReport(delta, options.check), null, 2)}\n`;
}
