/**
 * Advice as the reports show it (issue 18): one row model that text, Markdown and HTML format alike, and
 * the one sentence that says what the bytes are.
 */
import { savableBytes } from '../advice/rules.js';
import type { AdviceItem } from '../advice/types.js';
import { formatBytes } from '../units.js';
import type { InspectTextSection } from './inspect.js';

/** What the numbers of the advice section mean: said once above it in every format. */
export const ADVICE_UNITS = 'file bytes in the image, uncompressed';

/** Evidence lines shown per item in text and Markdown (JSON and HTML have them all). */
export const EVIDENCE_SHOWN = 6;

export interface AdviceRow {
  rule: string;
  /** `2.46 MB`, `≥ 213 kB` (lower bound) or `not measured`. */
  saving: string;
  title: string;
  change: string;
  evidence: string[];
  /** How many evidence lines were left out of `evidence`. */
  moreEvidence: number;
}

export function savingText(item: AdviceItem): string {
  if (item.measure === 'not-measured') return 'not measured';
  return `${item.measure === 'lower-bound' ? '≥ ' : ''}${formatBytes(item.savableBytes)}`;
}

export function adviceRow(item: AdviceItem, evidenceShown = EVIDENCE_SHOWN): AdviceRow {
  return {
    rule: item.rule,
    saving: savingText(item),
    title: item.title,
    change: item.change,
    evidence: item.evidence.slice(0, evidenceShown),
    moreEvidence: Math.max(0, item.evidence.length - evidenceShown),
  };
}

/** The section's heading line: `Advice: 3.1 MB savable (file bytes in the image, uncompressed)`. */
export function adviceHeading(items: readonly AdviceItem[]): string {
  if (items.length === 0) return 'Advice: nothing found to remove';
  return `Advice: ${formatBytes(savableBytes(items))} savable in ${items.length} step${items.length === 1 ? '' : 's'} (${ADVICE_UNITS})`;
}

/** The text report's section. */
export function adviceText(items: readonly AdviceItem[]): string[] {
  const out = [adviceHeading(items)];
  for (const row of items.map((i) => adviceRow(i))) {
    out.push(`  ${row.saving.padStart(12)}  ${row.title}  [${row.rule}]`);
    out.push(`  ${''.padStart(12)}  change: ${row.change}`);
    for (const line of row.evidence) out.push(`  ${''.padStart(12)}    ${line}`);
    if (row.moreEvidence > 0) out.push(`  ${''.padStart(12)}    ... and ${row.moreEvidence} more`);
  }
  return out;
}

/** The Markdown report's section; `cell` escapes text for Markdown (report/markdown.ts). */
export function adviceMarkdown(items: readonly AdviceItem[], cell: (text: string) => string): string[] {
  const out = [`### ${cell(adviceHeading(items))}`, ''];
  if (items.length === 0) return out;
  out.push('| saving | advice | change |', '|---:|:---|:---|');
  for (const row of items.map((i) => adviceRow(i))) {
    const evidence = [...row.evidence, ...(row.moreEvidence > 0 ? [`… and ${row.moreEvidence} more`] : [])];
    const details = evidence.map((e) => `<br>· ${cell(e)}`).join('');
    out.push(
      `| ${row.saving} | ${cell(row.title)} <code>${cell(row.rule)}</code>${details} | ${cell(row.change)} |`,
    );
  }
  out.push('');
  return out;
}

/** inspect's text section, for a report that carries `advice` (commands/inspect.ts adds it). */
export const inspectAdviceSection: InspectTextSection = (report) => {
  const { advice } = report as { advice?: AdviceItem[] };
  return advice === undefined ? undefined : adviceText(advice).join('\n');
};
