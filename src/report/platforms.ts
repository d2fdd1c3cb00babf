/**
 * The report of `--platform all` (docs/design.md §7): one section per platform in every format, each
 * the single-platform report of that platform, and the platforms only one side has. JSON:
 * `{ schemaVersion, platforms: [{ platform, report }], added, removed }`, each `report` following
 * docs/schema/image-delta.v1.json (docs/schema/platforms.v1.json).
 */
import type { PlatformDeltas } from '../pipeline/compare-platforms.js';
import type { CheckResult } from '../policy/evaluate.js';
import { escapeStrings } from '../terminal-text.js';
import { renderPlatformsHtml } from './html/compare-page.js';
import { reportDate } from './html/page.js';
import { type JsonReport, toJsonReport } from './json.js';
import { type OutputFormat, renderReport } from './render.js';

export interface PlatformsJsonReport {
  schemaVersion: 1;
  platforms: Array<{ platform: string; report: JsonReport }>;
  added: string[];
  removed: string[];
  /** `check` only: passed when every platform passed. */
  check?: { passed: boolean; failedPlatforms: string[] };
}

export interface PlatformsRenderOptions {
  color?: boolean;
  top?: number;
  /** `check` only: one result per compared platform, in the order of `deltas.platforms`. */
  checks?: CheckResult[];
}

/** The platforms whose check failed, in report order. */
export function failedPlatforms(deltas: PlatformDeltas, checks: CheckResult[] | undefined): string[] {
  if (!checks) return [];
  return deltas.platforms.filter((_, i) => checks[i]?.passed === false).map((p) => p.platform);
}

export function toPlatformsJson(deltas: PlatformDeltas, checks?: CheckResult[]): PlatformsJsonReport {
  const report: PlatformsJsonReport = {
    schemaVersion: 1,
    platforms: deltas.platforms.map((p, i) => ({
      platform: p.platform,
      report: toJsonReport(p.delta, checks?.[i]),
    })),
    added: deltas.added,
    removed: deltas.removed,
  };
  if (checks) {
    const failed = failedPlatforms(deltas, checks);
    report.check = { passed: failed.length === 0, failedPlatforms: failed };
  }
  return report;
}

/** One line: which platforms were compared, which only one side has, and (check) which failed. */
export function platformsLine(deltas: PlatformDeltas, checks?: CheckResult[]): string {
  const list = (names: string[]) => (names.length > 0 ? names.join(', ') : 'none');
  const failed = failedPlatforms(deltas, checks);
  const verdict = checks
    ? failed.length > 0
      ? `; check failed on ${list(failed)}`
      : '; check passed on every platform'
    : '';
  return `Platforms: ${deltas.platforms.length} compared (${list(deltas.platforms.map((p) => p.platform))}); added (only in new): ${list(deltas.added)}; removed (only in old): ${list(deltas.removed)}${verdict}`;
}

export function renderPlatformsReport(
  deltas: PlatformDeltas,
  format: OutputFormat,
  options: PlatformsRenderOptions = {},
): string {
  const { checks } = options;
  if (format === 'json') return `${JSON.stringify(toPlatformsJson(deltas, checks), null, 2)}\n`;
  const safe = escapeStrings(deltas);
  if (format === 'html') {
    const first = safe.platforms[0]?.delta;
    const title = first
      ? `layerdelta: ${first.old.reference} → ${first.new.reference} (every platform)`
      : 'layerdelta: every platform';
    return renderPlatformsHtml(
      title,
      safe.platforms.map((p, i) => ({
        ...p,
        ...(checks?.[i] ? { check: escapeStrings(checks[i]) } : {}),
      })),
      safe.added,
      safe.removed,
      { generatedAt: reportDate(), ...(options.top ? { top: options.top } : {}) },
    );
  }
  const line = platformsLine(safe, checks);
  const sections = deltas.platforms.map((p, i) => {
    const check = checks?.[i];
    const body = renderReport(p.delta, format, {
      color: options.color ?? false,
      ...(check ? { check } : {}),
      ...(options.top ? { top: options.top } : {}),
    });
    const name = escapeStrings(p.platform);
    return format === 'markdown' ? `## Platform \`${name}\`\n\n${body}` : `=== Platform ${name} ===\n${body}`;
  });
  return `${line}\n\n${sections.join('\n')}`;
}
