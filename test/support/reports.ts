/**
 * Another format of a report the CLI wrote as JSON, rendered in-process by the function the CLI
 * renders it with (src/report/render.ts, src/report/platforms.ts): one CLI run per comparison, not one
 * per format, where the format selection itself is not what a test checks.
 */
import type { ImageDelta } from '../../src/delta/types.js';
import type { CheckResult } from '../../src/policy/evaluate.js';
import { type PlatformsJsonReport, renderPlatformsReport } from '../../src/report/platforms.js';
import { type OutputFormat, renderReport } from '../../src/report/render.js';

/** `--json` output of compare or check (the latter with `check`). */
export type JsonReport = ImageDelta & { check?: CheckResult };

/** What `compare`/`check` print with `--output FORMAT` off a terminal, from their `--json` report. */
export function renderAs(report: JsonReport, format: Exclude<OutputFormat, 'json'>): string {
  const { check, ...delta } = report;
  return renderReport(delta, format, { color: false, ...(check ? { check } : {}) });
}

/** The same for `--platform all`: each platform's report, and `check`'s verdict on each. */
export function renderPlatformsAs(
  report: PlatformsJsonReport,
  format: Exclude<OutputFormat, 'json'>,
): string {
  const platforms = report.platforms.map(({ platform, report: { check: _, ...delta } }) => ({
    platform,
    delta,
  }));
  const checks = report.platforms.flatMap(({ report: { check } }) => (check ? [check] : []));
  return renderPlatformsReport({ platforms, added: report.added, removed: report.removed }, format, {
    color: false,
    ...(report.check ? { checks } : {}),
  });
}
