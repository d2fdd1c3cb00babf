/**
 * The scan report: JSON (one object per repository with its full image delta, plus a summary; bytes
 * as integers) and text (one table row per repository, then the summary line).
 */

import type { BinaryDelta, ImageDelta } from '../delta/types.js';
import type { RepositoryResult, ScanReport } from '../registry-scan/run.js';
import { truncate } from '../text.js';
import { formatBytes, formatDelta, formatTolerance } from '../units.js';
import { renderTable, type TableColumn } from './format.js';

export function renderScanJson(report: ScanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const COLUMNS: TableColumn[] = [
  { header: 'REPOSITORY' },
  { header: 'OLDER → NEWER' },
  { header: 'NEW SIZE (compressed)', align: 'right' },
  { header: 'Δ compressed', align: 'right' },
  { header: 'Δ uncompressed', align: 'right' },
  { header: 'LAYERS reused/changed/new/removed' },
  { header: 'Δ GO BINARIES (n differing)', align: 'right' },
  { header: 'WHAT CHANGED' },
];

/** Said once under the table: what the columns count (issue 15: "ok" for +1413% said nothing). */
const LEGEND = [
  'Δ: the newer image against the older one. Δ GO BINARIES: summed file-size change of the Go executables that differ (changed, added or removed), their number in parentheses.',
  'WHAT CHANGED: grew/shrank/same size, then the layers that explain it: new and removed layers, and changed layers beyond the tolerance (grown/shrunk); "within ±N%" when every change is inside the tolerance. Scan judges no thresholds: use `check` for that.',
];

/** The Go binaries that differ between the two images (unchanged ones are paired but not counted). */
function differingBinaries(delta: ImageDelta): BinaryDelta[] {
  return (delta.binaries ?? []).filter((b) => b.status !== 'unchanged');
}

/** `grew: 1 new layer, 1 layer grown beyond ±5%` — what the row's size change is made of. */
export function whatChanged(delta: ImageDelta): string {
  const counts = delta.totals.byStatus;
  const grown = delta.layers.filter((l) => l.significant && l.delta > 0).length;
  const shrunk = delta.layers.filter((l) => l.significant && l.delta < 0).length;
  const plural = (n: number, what: string) => `${n} ${what.replace('layer', n === 1 ? 'layer' : 'layers')}`;
  const parts = [
    ...(counts.new.count > 0 ? [plural(counts.new.count, 'new layer')] : []),
    ...(counts.removed.count > 0 ? [plural(counts.removed.count, 'removed layer')] : []),
    ...(grown > 0 ? [plural(grown, `layer grown beyond ${formatTolerance(delta.tolerance)}`)] : []),
    ...(shrunk > 0 ? [plural(shrunk, `layer shrunk beyond ${formatTolerance(delta.tolerance)}`)] : []),
  ];
  const size = delta.totals.compressedDelta;
  const direction = size > 0 ? 'grew' : size < 0 ? 'shrank' : 'same size';
  if (parts.length > 0) return `${direction}: ${parts.join(', ')}`;
  if (counts.changed.count > 0) return `${direction}: within ${formatTolerance(delta.tolerance)}`;
  return size === 0 ? 'unchanged' : `${direction}: recompressed layers only`;
}

function row(result: RepositoryResult): string[] {
  if (result.status === 'skipped')
    return [result.repository, '-', '', '', '', '', '', `skipped: ${result.reason}`];
  if (result.status === 'failed') {
    const pair = result.older && result.newer ? `${result.older.tag} → ${result.newer.tag}` : '-';
    return [result.repository, pair, '', '', '', '', '', `FAILED: ${truncate(result.error, 160)}`];
  }
  const { delta } = result;
  const s = delta.totals.byStatus;
  const binaries = differingBinaries(delta);
  const binaryDelta = binaries.reduce((sum, b) => sum + b.delta, 0);
  return [
    result.repository,
    `${result.older.tag} → ${result.newer.tag}`,
    formatBytes(delta.new.compressedSize),
    formatDelta(delta.totals.compressedDelta),
    delta.totals.uncompressedDelta === undefined ? '?' : formatDelta(delta.totals.uncompressedDelta),
    `${s.reused.count}/${s.changed.count}/${s.new.count}/${s.removed.count}`,
    delta.binaries === undefined ? '-' : `${formatDelta(binaryDelta)} (${binaries.length})`,
    whatChanged(delta),
  ];
}

/** Under the table: for each repository, its new, removed, grown and shrunk layers (compressed sizes). */
function layerLines(results: readonly RepositoryResult[]): string[] {
  const lines: string[] = [];
  for (const result of results) {
    if (result.status !== 'compared') continue;
    const notable = result.delta.layers.filter(
      (l) => l.status === 'new' || l.status === 'removed' || l.significant === true,
    );
    for (const layer of notable) {
      const status = layer.status === 'changed' ? (layer.delta > 0 ? 'grown' : 'shrunk') : layer.status;
      const side = layer.new ?? layer.old;
      const digest = side ? side.digest.replace(/^sha256:/, '').slice(0, 12) : '';
      const instruction = side?.createdBy ? `  ${truncate(side.createdBy.replace(/\s+/g, ' '), 80)}` : '';
      lines.push(`  ${result.repository}  ${status} ${digest}  ${formatDelta(layer.delta)}${instruction}`);
    }
  }
  return lines;
}

/** `50 repositories: 45 compared, 3 skipped, 2 failed (PARTIAL SCAN) …` */
export function scanSummaryLine(report: ScanReport): string {
  const s = report.summary;
  const shard = report.shard.count > 1 ? ` (shard ${report.shard.index}/${report.shard.count})` : '';
  const partial = s.partial
    ? ` — PARTIAL SCAN: ${s.failed} ${s.failed === 1 ? 'repository' : 'repositories'} failed`
    : '';
  return `${s.repositories} ${s.repositories === 1 ? 'repository' : 'repositories'}${shard}: ${s.compared} compared, ${s.skipped} skipped, ${s.failed} failed${partial}; layer blobs: ${s.blobsFetched} fetched, ${s.blobRequestsShared} requests served by blobs already read in this scan, ${s.cacheHits} from the cache; ${s.durationSeconds.toFixed(1)} s`;
}

export function renderScanText(report: ScanReport): string {
  const header = `Scan of ${report.registry}, newest image against the one before it (--pair ${report.pair})`;
  if (report.repositories.length === 0) return `${header}\n\n${scanSummaryLine(report)}\n`;
  const table = renderTable(COLUMNS, report.repositories.map(row));
  const layers = layerLines(report.repositories);
  const explained =
    layers.length > 0 ? `\n\nLayers that explain the change (compressed):\n${layers.join('\n')}` : '';
  return `${header}\n\n${table}\n${LEGEND.join('\n')}${explained}\n\n${scanSummaryLine(report)}\n`;
}
