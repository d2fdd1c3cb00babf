/**
 * Treemaps as inline SVG: what every treemap of the pages shares (colours by change, labels that fit
 * or stay in the tooltip, one drawing per screen width), and the package treemap of a Go binary.
 */
import type { SizeDelta } from '../../golang/types.js';
import { changeRatio, formatBytes, formatDelta, formatPercent } from '../../units.js';
import { html, type SafeHtml } from './escape.js';
import { type Rect, squarify } from './treemap.js';

/**
 * An SVG scales its text with its width, so one drawing cannot be readable on a phone and on a wide
 * screen: each treemap is laid out once per width band and CSS shows the one that fits (style.ts,
 * same breakpoints). The label font stays between ~9.5 and ~19 px on screen.
 */
const VARIANTS = [
  { name: 'narrow', width: 360, height: 460 },
  { name: 'medium', width: 640, height: 380 },
  { name: 'wide', width: 1100, height: 440 },
] as const;

/** More cells than this become one "other" cell: beyond it they are too small to read anyway. */
export const MAX_CELLS = 150;
/** Average glyph width of the 11px label font (DejaVu Sans, the widest we expect), to fit text without measuring. */
const CHAR_WIDTH = 7;
/** Shortest truncated label worth printing: fewer characters say nothing and only add noise. */
const MIN_LABEL_CHARS = 7;
/** Line height of a label (baselines 13 px apart), and the height one line needs with its descenders. */
const LINE = 13;
const ONE_LINE = 17;

/** What a cell stands for: a name and its bytes in the old and the new version. */
export type Sizes = Pick<SizeDelta, 'oldBytes' | 'newBytes' | 'delta'>;

/** Colour class: direction of change, and a stronger shade for a larger relative change. */
export function deltaTone(entry: Sizes): string {
  if (entry.delta === 0) return 'tm-same';
  if (entry.oldBytes === 0) return 'tm-new';
  const relative = Math.abs(entry.delta) / entry.oldBytes;
  const shade = relative < 0.05 ? 1 : relative < 0.25 ? 2 : 3;
  return `${entry.delta > 0 ? 'tm-grow' : 'tm-shrink'}-${shade}`;
}

function capacity(width: number): number {
  return Math.floor((width - 8) / CHAR_WIDTH);
}

/**
 * The whole name when it fits; otherwise the most specific part: as many trailing path segments as
 * fit (`…/crypto/sha512`), else the end of the last one; nothing when even that is too short.
 */
export function fitName(text: string, width: number): string | undefined {
  const chars = capacity(width);
  if (text.length <= chars) return text;
  const parts = text.split('/');
  for (let i = 1; i < parts.length; i++) {
    const tail = `…/${parts.slice(i).join('/')}`;
    if (tail.length <= chars) return tail;
  }
  if (chars < MIN_LABEL_CHARS) return undefined;
  return `…${text.slice(text.length - chars + 1)}`;
}

/** A number is shown whole or not at all. */
export function fitWhole(text: string, width: number): string | undefined {
  return text.length <= capacity(width) ? text : undefined;
}

/** One cell: a rectangle with its tooltip, and the label lines that fit (the tooltip has them all). */
export function cellSvg(
  cell: Rect,
  options: { tone: string; title: string; name: string; detail: string; data: SafeHtml; header?: boolean },
): SafeHtml {
  const { tone } = options;
  let lines: string[] = [];
  if (options.header) {
    // A directory drawn with its children inside: one line in the strip above them.
    const both =
      cell.height >= ONE_LINE ? fitWhole(`${options.name}  ${options.detail}`, cell.width) : undefined;
    const name = cell.height >= ONE_LINE ? fitName(options.name, cell.width) : undefined;
    lines = both ? [both] : name ? [name] : [];
  } else {
    const name = cell.height >= ONE_LINE ? fitName(options.name, cell.width) : undefined;
    const detail = name && cell.height >= ONE_LINE + LINE ? fitWhole(options.detail, cell.width) : undefined;
    lines = [name, detail].filter((l) => l !== undefined);
  }
  const x = (cell.x + 4).toFixed(1);
  const label =
    lines.length === 0
      ? ''
      : html`<text class="tm-label ${tone}-text" x="${x}" y="${(cell.y + LINE).toFixed(1)}">${lines[0]}${
          lines[1] ? html`<tspan x="${x}" dy="${LINE}" class="tm-detail">${lines[1]}</tspan>` : ''
        }</text>`;
  return html`<g class="tm-cell"${options.data}><rect class="${tone}" x="${cell.x.toFixed(1)}" y="${cell.y.toFixed(1)}" width="${cell.width.toFixed(1)}" height="${cell.height.toFixed(1)}"><title>${options.title}</title></rect>${label}</g>`;
}

/** The treemap drawn once per width band; `draw` lays its cells out in the bounds it is given. */
export function responsiveTreemap(label: string, draw: (bounds: Rect) => SafeHtml[]): SafeHtml {
  return html`${VARIANTS.map(
    (v) =>
      html`<svg class="treemap tm-${v.name}" viewBox="0 0 ${v.width} ${v.height}" role="img" aria-label="${label}">${draw(
        { x: 0, y: 0, width: v.width, height: v.height },
      )}</svg>`,
  )}`;
}

function packageTooltip(entry: SizeDelta, neutral: boolean): string {
  if (neutral) return `${entry.name}\nnew: ${formatBytes(entry.newBytes)}`;
  const ratio = changeRatio(entry.oldBytes, entry.newBytes);
  const percent = ratio === undefined ? undefined : formatPercent(ratio);
  return [
    entry.name,
    `old: ${entry.oldBytes === 0 ? 'absent' : formatBytes(entry.oldBytes)}`,
    `new: ${formatBytes(entry.newBytes)}`,
    `Δ: ${formatDelta(entry.delta)}${percent ? ` (${percent})` : ''}`,
  ].join('\n');
}

/** Names of what has no area in the new version (it left), next to the treemap. */
export function goneNote(gone: Array<{ name: string; delta: number }>, what: string): SafeHtml {
  if (gone.length === 0) return html``;
  return html`<p class="muted gone">${what}: ${gone
    .slice(0, 12)
    .map(
      (e, i) => html`${i > 0 ? ', ' : ''}<span class="path">${e.name}</span> ${formatDelta(e.delta)}`,
    )}${gone.length > 12 ? ` and ${gone.length - 12} more` : ''}</p>`;
}

/**
 * Area = bytes of code in the new binary. `neutral` (inspect: one image, no old side) paints every
 * cell the same and labels sizes, not deltas.
 */
export function packageTreemap(
  entries: SizeDelta[],
  options: { label: string; neutral?: boolean },
): SafeHtml {
  const neutral = options.neutral ?? false;
  const present = entries.filter((e) => e.newBytes > 0).sort((a, b) => b.newBytes - a.newBytes);
  const shown = present.slice(0, MAX_CELLS);
  const rest = present.slice(MAX_CELLS);
  if (rest.length > 0) {
    const sum = (pick: (e: SizeDelta) => number) => rest.reduce((s, e) => s + pick(e), 0);
    shown.push({
      name: `(${rest.length} smaller packages)`,
      oldBytes: sum((e) => e.oldBytes),
      newBytes: sum((e) => e.newBytes),
      delta: sum((e) => e.delta),
    });
  }
  if (shown.length === 0) return html`<p class="muted">No package sizes for this binary.</p>`;
  const gone = entries.filter((e) => e.newBytes === 0 && e.oldBytes > 0).sort((a, b) => a.delta - b.delta);
  const map = responsiveTreemap(options.label, (bounds) =>
    squarify(shown, (e) => e.newBytes, bounds).map(({ item, ...cell }) =>
      cellSvg(cell, {
        tone: neutral ? 'tm-neutral' : deltaTone(item),
        title: packageTooltip(item, neutral),
        name: item.name,
        detail: neutral ? formatBytes(item.newBytes) : formatDelta(item.delta),
        data: html` data-package="${item.name}"`,
      }),
    ),
  );
  return html`${goneNote(gone, 'Removed packages (no area in the new binary)')}${map}`;
}

export function treemapLegend(newLabel = 'new package', area = 'bytes of code in the new binary'): SafeHtml {
  const item = (cls: string, text: string) =>
    html`<li><svg width="14" height="14" aria-hidden="true"><rect class="${cls}" width="14" height="14" rx="2"/></svg>${text}</li>`;
  return html`<ul class="legend" aria-label="Treemap colours">${[
    item('tm-new', newLabel),
    item('tm-grow-3', 'grew ≥25%'),
    item('tm-grow-2', 'grew 5–25%'),
    item('tm-grow-1', 'grew <5%'),
    item('tm-same', 'unchanged'),
    item('tm-shrink-1', 'shrank <5%'),
    item('tm-shrink-2', 'shrank 5–25%'),
    item('tm-shrink-3', 'shrank ≥25%'),
  ]}<li class="muted">area = ${area}</li></ul>`;
}
