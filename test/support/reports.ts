/**
 * Another format of a report the CLI wrote as JSON, rendered in-process by the function the CLI
 * renders it with (src/report/render.ts): one CLI run per comparison, not one per format, where the
 * format selection itself is not what a test checks.
 */
import type { ImageDelta } from '../../src/delta/types.js';
import type { CheckResult } from '../../src/policy/evaluate.js';
import { type OutputFormat, renderReport } from '../../src/report/render.js';

/** `--json` output of compare or check (the latter with `check`). */
export type JsonReport = ImageDelta & { check?: CheckResult };

/** What `compare`/`check` print with `--output FORMAT` off a terminal, from their `--json` report. */
export function renderAs(report: JsonReport, format: Exclude<OutputFormat, 'json'>): string {
  const { check, ...delta } = report;
  return renderReport(delta, format, { color: false, ...(check ? { check } : {}) });
}
