/**
 * The scan report: JSON (one object per repository with its full image delta, plus a summary; bytes
 * as integers) and text (one table row per repository, then the summary line).
 */
import type { RepositoryResult, ScanReport } from '../registry-scan/run.js';
import { truncate } from '../text.js';
import { formatBytes, formatDelta } from '../units.js';
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
  { header: 'Δ GO BINARIES', align: 'right' },
  { header: 'RESULT' },
];

function row(result: RepositoryResult): string[] {
  if (result.status === 'skipped')
    return [result.repository, '-', '', '', '', '', '', `skipped: ${result.reason}`];
  if (result.status === 'failed') {
    const pair = result.older && result.newer ? `${result.older.tag} → ${result.newer.tag}` : '-';
    return [result.repository, pair, '', '', '', '', '', `FAILED: ${truncate(result.error, 160)}`];
  }
  const { delta } = result;
  const s = delta.totals.byStatus;
  const binaries = delta.binaries ?? [];
  const binaryDelta = binaries.reduce((sum, b) => sum + b.delta, 0);
  const significant = delta.totals.significantChanges;
  return [
    result.repository,
    `${result.older.tag} → ${result.newer.tag}`,
    formatBytes(delta.new.compressedSize),
    formatDelta(delta.totals.compressedDelta),
    delta.totals.uncompressedDelta === undefined ? '?' : formatDelta(delta.totals.uncompressedDelta),
    `${s.reused.count}/${s.changed.count}/${s.new.count}/${s.removed.count}`,
    binaries.length === 0 ? '-' : `${formatDelta(binaryDelta)} (${binaries.length})`,
    significant > 0 ? `${significant} significant layer change${significant === 1 ? '' : 's'}` : 'ok',
  ];
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
  return `${header}\n\n${table}\n\n${scanSummaryLine(report)}\n`;
}
