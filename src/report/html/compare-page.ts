/**
 * The compare page: the two images, the check verdict, the summary figures, layers, Go binaries,
 * files and OS packages.
 */
import type { ImageDelta, ImageSummary } from '../../delta/types.js';
import type { CheckResult } from '../../policy/evaluate.js';
import { formatPlatform } from '../../source/platform.js';
import { changeRatio, formatBytes, formatDelta, formatPercent, formatTolerance } from '../../units.js';
import { shortDigest } from '../format.js';
import { adviceSection } from './advice.js';
import { binaryDetails, binaryTable, hasDetails } from './binaries.js';
import { deltaClass } from './cells.js';
import { html, type SafeHtml } from './escape.js';
import { filesAndPackagesHtml } from './files-packages.js';
import { layerLegend, layerNotes, layerOverview, layerTable } from './layers.js';
import { type HtmlReportOptions, page, platformId, platformNav } from './page.js';

export interface ComparePageOptions extends HtmlReportOptions {
  /** Threshold findings of `check`, shown above everything else. */
  check?: CheckResult;
  /** Rows of the file and package tables (`--top`). */
  top?: number;
}

function imageRows(side: string, image: ImageSummary): SafeHtml {
  return html`<dt>${side}</dt><dd><span class="ref">${image.reference}</span> <code title="${image.manifestDigest}">${shortDigest(image.manifestDigest)}</code> · ${formatPlatform(image.platform)} · ${image.layerCount} layers · ${formatBytes(image.compressedSize)} compressed${
    image.uncompressedSize !== undefined ? `, ${formatBytes(image.uncompressedSize)} uncompressed` : ''
  }</dd>`;
}

function percentText(before: number, after: number): string | undefined {
  const ratio = changeRatio(before, after);
  return ratio === undefined ? undefined : formatPercent(ratio);
}

/** One figure with a caption; the figure carries the colour of its direction. */
function card(label: string, value: SafeHtml | string, detail: SafeHtml | string, cls = ''): SafeHtml {
  return html`<div class="card"><div class="card-label">${label}</div><div class="card-value ${cls}">${value}</div><div class="card-detail">${detail}</div></div>`;
}

function sizeCard(label: string, delta: number, before: number, after: number): SafeHtml {
  const percent = percentText(before, after);
  return card(
    label,
    formatDelta(delta),
    `${formatBytes(before)} → ${formatBytes(after)}${percent ? ` (${percent})` : ''}`,
    deltaClass(delta),
  );
}

/** The summary line (what CI logs and chat previews would quote), then the figures behind it. */
function summary(delta: ImageDelta): SafeHtml {
  const { totals } = delta;
  const significant = totals.significantChanges;
  const percent = percentText(delta.old.compressedSize, delta.new.compressedSize);
  const counts = (['reused', 'changed', 'new', 'removed'] as const)
    .filter((status) => totals.byStatus[status].count > 0)
    .map((status) => `${totals.byStatus[status].count} ${status}`)
    .join(', ');
  const cards: SafeHtml[] = [
    sizeCard('Compressed size', totals.compressedDelta, delta.old.compressedSize, delta.new.compressedSize),
  ];
  if (
    totals.uncompressedDelta !== undefined &&
    delta.old.uncompressedSize !== undefined &&
    delta.new.uncompressedSize !== undefined
  ) {
    cards.push(
      sizeCard(
        'Uncompressed size',
        totals.uncompressedDelta,
        delta.old.uncompressedSize,
        delta.new.uncompressedSize,
      ),
    );
  }
  cards.push(
    card(
      'Significant layer changes',
      String(significant),
      `beyond ${formatTolerance(delta.tolerance)} · ${delta.old.layerCount} → ${delta.new.layerCount} layers: ${counts || 'none'}`,
      significant > 0 ? 'up' : '',
    ),
  );
  const top = largestBinaryChange(delta);
  if (top) cards.push(top);
  return html`<p class="summary">Compressed <strong class="${deltaClass(totals.compressedDelta)}">${formatDelta(totals.compressedDelta)}${percent ? ` (${percent})` : ''}</strong>, <strong>${significant}</strong> significant layer change${significant === 1 ? '' : 's'} (beyond ${formatTolerance(delta.tolerance)}).</p>
<div class="cards">${cards}</div>`;
}

/** The one binary a reader most likely came for: the largest size change. */
function largestBinaryChange(delta: ImageDelta): SafeHtml | undefined {
  const changed = (delta.binaries ?? []).filter((b) => b.delta !== 0);
  if (changed.length === 0) return undefined;
  const top = changed.reduce((a, b) => (Math.abs(b.delta) > Math.abs(a.delta) ? b : a));
  const { old: before, new: after } = top.goVersion;
  const go = before && after && before !== after ? ` · ${before} → ${after}` : '';
  return card(
    'Largest binary change',
    formatDelta(top.delta),
    html`<span class="path">${top.path}</span> ${top.status}${go}`,
    deltaClass(top.delta),
  );
}

function binariesSection(delta: ImageDelta, scope: string): SafeHtml {
  if (delta.binaries === undefined) {
    return html`<h2>Go binaries</h2><p class="muted">Binaries were not analysed for this report.</p>`;
  }
  if (delta.binaries.length === 0) {
    return html`<h2>Go binaries</h2><p class="muted">No Go executable in either image.</p>`;
  }
  const detailed = delta.binaries.map((b, i) => ({ b, i })).filter(({ b }) => hasDetails(b));
  return html`<h2>Go binaries</h2>
${binaryTable(delta.binaries, scope)}
${detailed.map(({ b, i }) => binaryDetails(b, i, scope))}`;
}

function checkBanner(check: CheckResult | undefined): SafeHtml {
  if (!check) return html``;
  const findings = check.findings.map(
    (f) => html`<li><span class="badge sev-${f.severity}">${f.severity}</span> ${f.message}</li>`,
  );
  const verdict = check.passed ? 'Check passed' : 'Check failed';
  return html`<div class="check ${check.passed ? 'passed' : 'failed'}" role="status"><strong>${verdict}</strong>${
    findings.length > 0 ? html`<ul>${findings}</ul>` : html` · no threshold crossed`
  }</div>`;
}

/** The compare page for one image delta. */
export function renderHtmlReport(delta: ImageDelta, options: ComparePageOptions = {}): string {
  const title = options.title ?? `layerdelta: ${delta.old.reference} → ${delta.new.reference}`;
  return page(
    title,
    compareBody(delta, html`<h1>${title}</h1>`, options.check, options.top),
    options.generatedAt,
  );
}

/**
 * `--platform all`: one page, a section per platform (its own heading, verdict and tables), the
 * platforms only one side has listed at the top.
 */
export function renderPlatformsHtml(
  title: string,
  sections: ReadonlyArray<{ platform: string; delta: ImageDelta; check?: CheckResult }>,
  added: readonly string[],
  removed: readonly string[],
  options: { generatedAt?: Date; top?: number } = {},
): string {
  const onlyOneSide = [
    ...added.map((p) => html`<li>${p}: added (only in the new image)</li>`),
    ...removed.map((p) => html`<li>${p}: removed (only in the old image)</li>`),
  ];
  const body = html`<h1>${title}</h1>
${platformNav(sections.map((s) => s.platform))}
${onlyOneSide.length > 0 ? html`<ul class="platforms-one-side">${onlyOneSide}</ul>` : html``}
${sections.map(
  (s) => html`<section id="${platformId(s.platform)}">
${compareBody(s.delta, html`<h2>Platform ${s.platform}</h2>`, s.check, options.top, `${platformId(s.platform)}-`)}
</section>`,
)}`;
  return page(title, body, options.generatedAt);
}

function compareBody(
  delta: ImageDelta,
  heading: SafeHtml,
  check: CheckResult | undefined,
  top?: number,
  scope = '',
): SafeHtml {
  return html`<header class="top">
${heading}
<dl class="refs">${imageRows('old', delta.old)}${imageRows('new', delta.new)}</dl>
${checkBanner(check)}
${summary(delta)}
</header>
<h2>Layers</h2>
${layerOverview(delta)}
${layerLegend(delta.tolerance)}
${layerNotes(delta)}
${layerTable(delta)}
${binariesSection(delta, scope)}
${filesAndPackagesHtml(delta, top)}
${adviceSection(delta.advice, scope)}`;
}
