/** A package treemap as inline SVG: area = bytes in the new binary, colour = growth or shrinkage. */
import type { SizeDelta } from '../../golang/types.js';
import { changeRatio, formatBytes, formatDelta, formatPercent } from '../../units.js';
import { html, type SafeHtml } from './escape.js';
import { squarify } from './treemap.js';

const WIDTH = 1100;
const HEIGHT = 440;
/** More cells than this become one "other packages" cell: beyond it they are too small to read anyway. */
const MAX_CELLS = 150;
/** Average glyph width of the 11px label font, to decide what fits without measuring. */
const CHAR_WIDTH = 6.7;

/** Colour class: direction of change, and a stronger shade for a larger relative change. */
export function deltaTone(entry: SizeDelta): string {
  if (entry.delta === 0) return 'tm-same';
  if (entry.oldBytes === 0) return 'tm-new';
  const relative = Math.abs(entry.delta) / entry.oldBytes;
  const shade = relative < 0.05 ? 1 : relative < 0.25 ? 2 : 3;
  return `${entry.delta > 0 ? 'tm-grow' : 'tm-shrink'}-${shade}`;
}

function tooltip(entry: SizeDelta, neutral: boolean): string {
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

/** Shortest truncated label worth printing: fewer characters say nothing and only add noise. */
const MIN_LABEL_CHARS = 7;

function capacity(width: number): number {
  return Math.floor((width - 8) / CHAR_WIDTH);
}

/**
 * The whole name when it fits; otherwise the most specific part: as many trailing path segments as
 * fit (`…/crypto/sha512`), else the end of the last one.
 */
function fitName(text: string, width: number): string | undefined {
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
function fitWhole(text: string, width: number): string | undefined {
  return text.length <= capacity(width) ? text : undefined;
}

/**
 * `neutral` (inspect: one image, no old side) paints every cell the same and labels sizes, not deltas.
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
  const cells = squarify(shown, (e) => e.newBytes, { x: 0, y: 0, width: WIDTH, height: HEIGHT });
  const body = cells.map((cell) => {
    const entry = cell.item;
    const tone = neutral ? 'tm-neutral' : deltaTone(entry);
    const name = cell.height >= 15 ? fitName(entry.name, cell.width) : undefined;
    const detail = neutral ? formatBytes(entry.newBytes) : formatDelta(entry.delta);
    const second = name && cell.height >= 30 ? fitWhole(detail, cell.width) : undefined;
    return html`<g class="tm-cell" data-package="${entry.name}"><rect class="${tone}" x="${cell.x.toFixed(1)}" y="${cell.y.toFixed(1)}" width="${cell.width.toFixed(1)}" height="${cell.height.toFixed(1)}"><title>${tooltip(entry, neutral)}</title></rect>${
      name
        ? html`<text class="tm-label ${tone}-text" x="${(cell.x + 4).toFixed(1)}" y="${(cell.y + 13).toFixed(1)}">${name}${
            second
              ? html`<tspan x="${(cell.x + 4).toFixed(1)}" dy="13" class="tm-detail">${second}</tspan>`
              : ''
          }</text>`
        : ''
    }</g>`;
  });
  const gone = entries.filter((e) => e.newBytes === 0 && e.oldBytes > 0).sort((a, b) => a.delta - b.delta);
  const goneNote =
    gone.length === 0
      ? ''
      : html`<p class="muted gone">Removed packages (no area in the new binary): ${gone
          .slice(0, 12)
          .map(
            (e, i) => html`${i > 0 ? ', ' : ''}<span class="path">${e.name}</span> ${formatDelta(e.delta)}`,
          )}${gone.length > 12 ? ` and ${gone.length - 12} more` : ''}</p>`;
  return html`${goneNote}<svg class="treemap" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${options.label}">${body}</svg>`;
}

export function treemapLegend(): SafeHtml {
  const item = (cls: string, text: string) =>
    html`<li><svg width="14" height="14" aria-hidden="true"><rect class="${cls}" width="14" height="14" rx="2"/></svg>${text}</li>`;
  return html`<ul class="legend" aria-label="Treemap colours">${[
    item('tm-new', 'new package'),
    item('tm-grow-3', 'grew ≥25%'),
    item('tm-grow-2', 'grew 5–25%'),
    item('tm-grow-1', 'grew <5%'),
    item('tm-same', 'unchanged'),
    item('tm-shrink-1', 'shrank <5%'),
    item('tm-shrink-2', 'shrank 5–25%'),
    item('tm-shrink-3', 'shrank ≥25%'),
  ]}<li class="muted">area = bytes of code in the new binary</li></ul>`;
}
