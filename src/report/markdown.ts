/** GitHub-flavoured Markdown report (PR comments, `$GITHUB_STEP_SUMMARY`). */
import type { ImageDelta, ImageSummary, LayerChange } from '../delta/types.js';
import type { ModuleChange } from '../golang/types.js';
import type { CheckResult } from '../policy/evaluate.js';
import { formatPlatform } from '../source/platform.js';
import { changeRatio, formatBytes, formatDelta, formatPercent, formatTolerance } from '../units.js';
import { adviceMarkdown } from './advice.js';
import { binaryRow } from './binaries.js';
import { filesAndPackagesSections } from './files-packages.js';
import { shortDigest } from './format.js';
import { checkLines, instructionCell, layerRow } from './rows.js';
import { plural, recompressedSentence, storedSizesNote, summaryLine } from './summary.js';

/**
 * Text for a table cell or a Markdown line: no line breaks, Markdown punctuation and pipes escaped,
 * HTML-looking text neutralised (an instruction like `RUN rm -rf /tmp/*` must not start emphasis).
 */
export function cell(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]~]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|');
}

function code(text: string): string {
  return text ? `<code>${cell(text)}</code>` : '';
}

function table(headers: string[], align: Array<'l' | 'r'>, rows: string[][]): string[] {
  return [
    `| ${headers.join(' | ')} |`,
    `|${align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function imageRow(which: string, image: ImageSummary): string[] {
  return [
    which,
    code(image.reference),
    code(shortDigest(image.manifestDigest)),
    formatPlatform(image.platform),
    String(image.layerCount),
    formatBytes(image.compressedSize),
    image.uncompressedSize === undefined ? 'not read' : formatBytes(image.uncompressedSize),
  ];
}

const LABEL_TEXT = {
  reused: 'reused',
  recompressed: 'reused (recompressed)',
  changed: 'changed',
  grown: '**grown**',
  shrunk: '**shrunk**',
  new: '**new**',
  removed: 'removed',
} as const;

function layerCells(change: LayerChange): string[] {
  const row = layerRow(change);
  return [
    LABEL_TEXT[row.label],
    code(row.oldDigest ?? ''),
    code(row.newDigest ?? ''),
    row.oldSize ?? '',
    // Markdown has no uncompressed column: a foreign layer says here that its content was not read.
    row.newSize === undefined ? '' : `${row.newSize}${row.notDownloaded ? ' (not downloaded)' : ''}`,
    row.delta,
    row.percent ?? '',
    row.evidence ?? '',
    code(instructionCell(row, 100)),
  ];
}

/**
 * One module change as a list item's text. It starts with a word: the text report's `+`/`-` marks
 * would open a nested list in CommonMark (`- + example.com/units` is a bullet inside a bullet).
 */
export function moduleItem(m: ModuleChange): string {
  const versions =
    m.change === 'added'
      ? (m.newVersion ?? '')
      : m.change === 'removed'
        ? (m.oldVersion ?? '')
        : `${m.oldVersion ?? '?'} → ${m.newVersion ?? '?'}`;
  return `${m.change} ${code(m.path)}${versions ? ` ${cell(versions)}` : ''}`;
}

export function checkMarkdown(check: CheckResult): string[] {
  const { passed, errors, warnings, noThresholds } = checkLines(check);
  const head = passed
    ? `#### ✅ Check passed${warnings.length ? ` (${plural(warnings.length, 'warning')})` : ''}`
    : `#### ❌ Check failed: ${plural(errors.length, 'threshold')} crossed`;
  const lines = [head, ''];
  if (noThresholds) lines.push('_No thresholds set._', '');
  for (const message of errors) lines.push(`- **error**: ${cell(message)}`);
  for (const message of warnings) lines.push(`- warning: ${cell(message)}`);
  return lines;
}

export function renderMarkdown(
  delta: ImageDelta,
  options: { check?: CheckResult; top?: number } = {},
): string {
  const out: string[] = [];
  out.push(`### layerdelta: ${code(delta.old.reference)} → ${code(delta.new.reference)}`, '');
  out.push(`**${cell(summaryLine(delta))}**`, '');
  if (options.check) out.push(...checkMarkdown(options.check), '');

  out.push(
    ...table(
      ['', 'Image', 'Manifest', 'Platform', 'Layers', 'Compressed', 'Uncompressed'],
      ['l', 'l', 'l', 'l', 'r', 'r', 'r'],
      [imageRow('old', delta.old), imageRow('new', delta.new)],
    ),
    '',
  );

  out.push(
    `#### Layers (compressed sizes; grown/shrunk = changed beyond ${formatTolerance(delta.tolerance)}${delta.judgedSizes === 'uncompressed' ? ' uncompressed' : ''})`,
    '',
  );
  const note = storedSizesNote(delta);
  if (note) out.push(`> ${cell(note)}`, '');
  const s = delta.totals.byStatus;
  const total = [
    '**total**',
    '',
    '',
    formatBytes(delta.old.compressedSize),
    formatBytes(delta.new.compressedSize),
    `**${formatDelta(delta.totals.compressedDelta)}**`,
    formatPercent(changeRatio(delta.old.compressedSize, delta.new.compressedSize)),
    '',
    `${s.reused.count} reused, ${s.changed.count} changed (${delta.totals.significantChanges} beyond), ${s.new.count} new, ${s.removed.count} removed`,
  ];
  out.push(
    ...table(
      ['Status', 'Old layer', 'New layer', 'Old size', 'New size', 'Delta', '%', 'Paired by', 'Instruction'],
      ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'l', 'l'],
      [...delta.layers.map(layerCells), total],
    ),
    '',
  );
  const recompressed = recompressedSentence(delta);
  if (recompressed) out.push(cell(recompressed), '');
  if (delta.totals.uncompressedDelta !== undefined && delta.old.uncompressedSize !== undefined) {
    out.push(
      `Uncompressed: ${formatBytes(delta.old.uncompressedSize)} → ${formatBytes(delta.new.uncompressedSize ?? 0)}, ${formatDelta(delta.totals.uncompressedDelta)}`,
      '',
    );
  }

  if (delta.binaries !== undefined) {
    out.push('#### Go binaries (file sizes)', '');
    if (delta.binaries.length === 0) out.push('_No Go binaries in either image._', '');
    else {
      out.push(
        ...table(
          ['Path', 'Status', 'Old size', 'New size', 'Delta', '%', 'Go', 'Top packages grown', 'Modules'],
          ['l', 'l', 'r', 'r', 'r', 'r', 'l', 'l', 'l'],
          delta.binaries.map((b) => binaryRow(b).map((c, i) => (i === 0 ? code(c) : cell(c)))),
        ),
        '',
      );
      for (const binary of delta.binaries) {
        if (binary.modules.length === 0) continue;
        out.push(
          `<details><summary>${code(binary.path)}: ${binary.modules.length} module changes</summary>`,
          '',
        );
        for (const m of binary.modules) out.push(`- ${moduleItem(m)}`);
        out.push('', '</details>', '');
      }
    }
  }
  for (const section of filesAndPackagesSections(delta, options.top)) {
    out.push(`#### ${cell(section.title)}`, '', ...section.lines.map((l) => `${cell(l.trim())}  `), '');
    const t = section.table;
    if (!t) continue;
    if (t.rows.length === 0) out.push(`_${cell(section.empty ?? 'none')}_`, '');
    else {
      const rows = t.rows.map((r) => r.map((c, i) => (i === t.codeColumn ? code(c) : cell(c))));
      const headers = t.headers.map((h) => h.charAt(0) + h.slice(1).toLowerCase());
      out.push(
        ...table(
          headers,
          t.right.map((r) => (r ? 'r' : 'l')),
          rows,
        ),
        '',
      );
    }
  }
  if (delta.advice !== undefined) out.push(...adviceMarkdown(delta.advice, cell));
  return `${out.join('\n').trimEnd()}\n`;
}
