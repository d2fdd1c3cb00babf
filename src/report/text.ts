/** The human-readable report: summary line, images, layer table, totals, Go binaries, check findings. */
import type { ImageDelta, ImageSummary, LayerChange } from '../delta/types.js';
import type { CheckResult } from '../policy/evaluate.js';
import { formatPlatform } from '../source/platform.js';
import { changeRatio, formatBytes, formatDelta, formatPercent, formatTolerance } from '../units.js';
import { adviceText } from './advice.js';
import { BINARY_COLUMNS, binaryRow, moduleLine } from './binaries.js';
import { filesAndPackagesSections } from './files-packages.js';
import { renderTable, shortDigest, type TableColumn } from './format.js';
import { checkLines, instructionCell, layerRow } from './rows.js';
import {
  type LayerLabel,
  layerLabel,
  plural,
  recompressedSentence,
  storedSizesNote,
  summaryLine,
} from './summary.js';

export interface TextOptions {
  /** ANSI colours (only on a TTY and without NO_COLOR; the caller decides). */
  color: boolean;
  check?: CheckResult;
  /** Rows of the directory, file and package tables (default 20, `--top`). */
  top?: number;
}

const ANSI = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
type Style = keyof typeof ANSI;

function paint(enabled: boolean) {
  return (text: string, style: Style | undefined) =>
    enabled && style && text.trim() !== '' ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text;
}

const LABEL_STYLE: Record<LayerLabel, Style | undefined> = {
  reused: 'dim',
  recompressed: 'dim',
  changed: undefined,
  grown: 'red',
  shrunk: 'green',
  new: 'yellow',
  removed: 'dim',
};

function imageLine(which: string, image: ImageSummary): string {
  const uncompressed =
    image.uncompressedSize === undefined ? '' : `, ${formatBytes(image.uncompressedSize)} uncompressed`;
  return `${which}  ${image.reference}  ${shortDigest(image.manifestDigest)}  ${formatPlatform(image.platform)}  ${image.layerCount} layers  ${formatBytes(image.compressedSize)} compressed${uncompressed}`;
}

function hasUncompressed(delta: ImageDelta): boolean {
  return delta.layers.some(
    (l) =>
      l.old?.uncompressedSize !== undefined ||
      l.new?.uncompressedSize !== undefined ||
      l.old?.notDownloaded !== undefined ||
      l.new?.notDownloaded !== undefined,
  );
}

function layerCells(change: LayerChange, withUncompressed: boolean, withEvidence: boolean): string[] {
  const row = layerRow(change);
  const cells = [
    row.label,
    row.oldDigest ?? '-',
    row.newDigest ?? '-',
    row.oldSize ?? '-',
    row.newSize ?? '-',
    row.delta,
    row.percent ?? '',
  ];
  if (withUncompressed && row.notDownloaded) cells.push('not downloaded');
  else if (withUncompressed) {
    const before = change.old?.uncompressedSize;
    const after = change.new?.uncompressedSize;
    const known =
      (change.old === undefined || before !== undefined) && (change.new === undefined || after !== undefined);
    cells.push(known ? formatDelta((after ?? 0) - (before ?? 0)) : '?');
  }
  if (withEvidence) cells.push(row.evidence ?? '');
  cells.push(instructionCell(row, 70));
  return cells;
}

function statusTotals(delta: ImageDelta): string {
  const s = delta.totals.byStatus;
  const changedBeyond = delta.totals.significantChanges;
  return [
    `${s.reused.count} reused (${formatBytes(s.reused.bytes)})`,
    `${s.changed.count} changed (${changedBeyond} beyond ${formatTolerance(delta.tolerance)})`,
    `${s.new.count} new (${formatDelta(s.new.bytes)})`,
    `${s.removed.count} removed (${formatDelta(-s.removed.bytes)})`,
  ].join(', ');
}

function checkText(check: CheckResult): string[] {
  const { passed, errors, warnings, noThresholds } = checkLines(check);
  const head = passed
    ? `Check passed${warnings.length ? ` with ${plural(warnings.length, 'warning')}` : ''}.`
    : `Check FAILED: ${plural(errors.length, 'threshold')} crossed.`;
  return [
    head,
    ...(noThresholds ? ['  (no thresholds set)'] : []),
    ...errors.map((message) => `  error: ${message}`),
    ...warnings.map((message) => `  warning: ${message}`),
  ];
}

export function renderText(delta: ImageDelta, options: TextOptions): string {
  const color = paint(options.color);
  const out: string[] = [];
  out.push(color(summaryLine(delta), 'bold'), '');
  out.push(imageLine('old', delta.old), imageLine('new', delta.new), '');

  const withUncompressed = hasUncompressed(delta);
  const withEvidence = delta.layers.some((l) => l.evidence !== undefined);
  const columns: TableColumn[] = [
    { header: 'STATUS' },
    { header: 'OLD LAYER' },
    { header: 'NEW LAYER' },
    { header: 'OLD SIZE', align: 'right' },
    { header: 'NEW SIZE', align: 'right' },
    { header: 'DELTA', align: 'right' },
    { header: '%', align: 'right' },
    ...(withUncompressed ? [{ header: 'UNCOMPRESSED DELTA', align: 'right' as const }] : []),
    ...(withEvidence ? [{ header: 'PAIRED BY' }] : []),
    { header: 'INSTRUCTION' },
  ];
  const note = storedSizesNote(delta);
  if (note) out.push(note);
  out.push(
    `Layers (sizes compressed; grown/shrunk = changed beyond ${formatTolerance(delta.tolerance)}${delta.judgedSizes === 'uncompressed' ? ' uncompressed' : ''}, changed = within it):`,
  );
  if (delta.layers.length === 0) out.push('  (both images have no layers)');
  else {
    const labels = delta.layers.map(layerLabel);
    out.push(
      renderTable(
        columns,
        delta.layers.map((l) => layerCells(l, withUncompressed, withEvidence)),
        (text, row, column) => (column === 0 || column === 5 ? color(text, LABEL_STYLE[labels[row]!]) : text),
      ),
    );
  }
  out.push('');
  const ratio = formatPercent(changeRatio(delta.old.compressedSize, delta.new.compressedSize));
  out.push(
    `Total compressed: ${formatBytes(delta.old.compressedSize)} → ${formatBytes(delta.new.compressedSize)}, ${formatDelta(delta.totals.compressedDelta)} (${ratio})`,
  );
  if (
    delta.totals.uncompressedDelta !== undefined &&
    delta.old.uncompressedSize !== undefined &&
    delta.new.uncompressedSize !== undefined
  ) {
    const uRatio = formatPercent(changeRatio(delta.old.uncompressedSize, delta.new.uncompressedSize));
    out.push(
      `Total uncompressed: ${formatBytes(delta.old.uncompressedSize)} → ${formatBytes(delta.new.uncompressedSize)}, ${formatDelta(delta.totals.uncompressedDelta)} (${uRatio})`,
    );
  }
  out.push(`Layers: ${statusTotals(delta)}`);
  const recompressed = recompressedSentence(delta);
  if (recompressed) out.push(recompressed);

  if (delta.binaries !== undefined) {
    out.push('', 'Go binaries (file sizes):');
    if (delta.binaries.length === 0) out.push('  (no Go binaries in either image)');
    else {
      out.push(renderTable(BINARY_COLUMNS, delta.binaries.map(binaryRow)));
      for (const binary of delta.binaries) {
        if (binary.modules.length === 0) continue;
        out.push(`  ${binary.path} modules:`);
        for (const m of binary.modules.slice(0, 20)) out.push(`    ${moduleLine(m)}`);
        if (binary.modules.length > 20) out.push(`    ... and ${binary.modules.length - 20} more`);
      }
    }
  }

  for (const section of filesAndPackagesSections(delta, options.top)) {
    out.push('', `${section.title}:`, ...section.lines);
    if (!section.table) continue;
    if (section.table.rows.length === 0) out.push(`  (${section.empty ?? 'none'})`);
    else {
      const columns = section.table.headers.map((header, i) =>
        section.table!.right[i] ? { header, align: 'right' as const } : { header },
      );
      out.push(renderTable(columns, section.table.rows));
    }
  }

  if (delta.advice !== undefined) out.push('', ...adviceText(delta.advice));

  if (options.check) {
    out.push('');
    const lines = checkText(options.check);
    out.push(color(lines[0]!, options.check.passed ? 'green' : 'red'), ...lines.slice(1));
  }
  return `${out.join('\n')}\n`;
}
