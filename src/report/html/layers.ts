/**
 * The layer parts of the pages: old vs new image bars and the per-layer table (compare), the layer
 * table of one image (inspect).
 */
import type { ImageDelta, LayerChange } from '../../delta/types.js';
import { changeRatio, formatBytes, formatDelta, formatPercent, formatTolerance } from '../../units.js';
import { shortDigest } from '../format.js';
import { layerLabel, recompressedSentence, storedSizesNote } from '../summary.js';
import { bytesCell, instructionCell, percentDeltaCell, scrollBox } from './cells.js';
import { html, type SafeHtml } from './escape.js';

/** The colour a layer gets: status, and for changed layers the direction and significance. */
export type LayerTone = 'reused' | 'recompressed' | 'within' | 'grown' | 'shrunk' | 'new' | 'removed';

export function layerTone(change: LayerChange): LayerTone {
  // The page's name for a change within the tolerance is `within`; the rest is the reports' label.
  const label = layerLabel(change);
  return label === 'changed' ? 'within' : label;
}

export function toneLabel(tone: LayerTone, tolerance: number): string {
  switch (tone) {
    case 'within':
      return `changed within ${formatTolerance(tolerance)}`;
    case 'grown':
      return `grown beyond ${formatTolerance(tolerance)}`;
    case 'shrunk':
      return `shrunk beyond ${formatTolerance(tolerance)}`;
    case 'recompressed':
      return 'reused, recompressed';
    default:
      return tone;
  }
}

const TONES: LayerTone[] = ['reused', 'recompressed', 'within', 'grown', 'shrunk', 'new', 'removed'];

export function layerLegend(tolerance: number): SafeHtml {
  return html`<ul class="legend" aria-label="Layer colours">${TONES.map(
    (tone) =>
      html`<li><svg width="14" height="14" aria-hidden="true"><rect class="tone-${tone}" width="14" height="14" rx="2"/></svg>${toneLabel(tone, tolerance)}</li>`,
  )}</ul>`;
}

/** Hatch pattern for removed layers; defined once per page, referenced by CSS. */
export const hatchDefs = html`<svg width="0" height="0" class="defs" aria-hidden="true"><defs>
<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
<rect width="6" height="6" fill="#f3e1e1"/><line x1="0" y1="0" x2="0" y2="6" stroke="#c0504d" stroke-width="2.5"/>
</pattern></defs></svg>`;

const BAR = { left: 64, width: 780, height: 26, oldY: 6, newY: 66 };

interface Segment {
  change: LayerChange;
  x: number;
  width: number;
}

function segments(changes: LayerChange[], side: 'old' | 'new', scale: number): Segment[] {
  const onSide = changes
    .filter((c) => c[side] !== undefined)
    .sort((a, b) => (a[side]?.index ?? 0) - (b[side]?.index ?? 0));
  let x = BAR.left;
  return onSide.map((change) => {
    const width = (change[side]?.size ?? 0) * scale;
    const segment = { change, x, width };
    x += width;
    return segment;
  });
}

function layerTitle(change: LayerChange, side: 'old' | 'new', tolerance: number): string {
  const layer = change[side];
  const lines = [
    `${side} layer ${layer?.index ?? '?'} · ${toneLabel(layerTone(change), tolerance)}`,
    `${formatBytes(layer?.size ?? 0)} compressed`,
  ];
  if (change.status === 'changed' && change.old && change.new) {
    lines.push(
      `${formatBytes(change.old.size)} → ${formatBytes(change.new.size)} (${formatDelta(change.delta)})`,
      `paired by ${change.evidence}`,
    );
  }
  if (change.recompressed && change.storedDelta !== undefined) {
    lines.push(`same content, stored ${formatDelta(change.storedDelta)}`);
  }
  const instruction = layer?.createdBy;
  if (instruction) lines.push(instruction);
  return lines.join('\n');
}

/** Two stacked bars (old image above, new image below), with bands joining the layers that pair up. */
export function layerOverview(delta: ImageDelta): SafeHtml {
  const oldTotal = delta.layers.reduce((s, c) => s + (c.old?.size ?? 0), 0);
  const newTotal = delta.layers.reduce((s, c) => s + (c.new?.size ?? 0), 0);
  const scale = BAR.width / Math.max(oldTotal, newTotal, 1);
  const oldSegments = segments(delta.layers, 'old', scale);
  const newSegments = segments(delta.layers, 'new', scale);
  const newByChange = new Map(newSegments.map((s) => [s.change, s]));
  const bands = oldSegments.flatMap((o) => {
    const n = newByChange.get(o.change);
    if (!n) return [];
    const top = BAR.oldY + BAR.height;
    const bottom = BAR.newY;
    const points = `${o.x},${top} ${o.x + o.width},${top} ${n.x + n.width},${bottom} ${n.x},${bottom}`;
    return [html`<polygon class="band tone-${layerTone(o.change)}" points="${points}"/>`];
  });
  const bar = (segs: Segment[], side: 'old' | 'new', y: number) =>
    segs.map(
      (s) =>
        html`<rect class="seg tone-${layerTone(s.change)}" x="${s.x.toFixed(2)}" y="${y}" width="${Math.max(s.width, 0.5).toFixed(2)}" height="${BAR.height}"><title>${layerTitle(s.change, side, delta.tolerance)}</title></rect>`,
    );
  const textY = (y: number) => y + BAR.height / 2 + 4;
  return html`<svg class="overview" viewBox="0 0 1000 ${BAR.newY + BAR.height + 6}" role="img" aria-label="Layers of the old and new image, widths proportional to compressed size">
<text class="bar-label" x="0" y="${textY(BAR.oldY)}">old</text>
<text class="bar-label" x="0" y="${textY(BAR.newY)}">new</text>
${bands}
${bar(oldSegments, 'old', BAR.oldY)}
${bar(newSegments, 'new', BAR.newY)}
<text class="bar-total" x="${BAR.left + BAR.width + 10}" y="${textY(BAR.oldY)}">${formatBytes(oldTotal)}</text>
<text class="bar-total" x="${BAR.left + BAR.width + 10}" y="${textY(BAR.newY)}">${formatBytes(newTotal)}</text>
</svg>`;
}

/** Old and new size of one layer as two thin bars, on the scale of the largest layer of the page. */
function miniBars(change: LayerChange, largest: number): SafeHtml {
  const width = 150;
  const w = (size: number | undefined) => (size === undefined ? 0 : Math.max((size / largest) * width, 1));
  const tone = layerTone(change);
  return html`<svg class="mini" width="${width}" height="20" viewBox="0 0 ${width} 20" aria-hidden="true">${
    change.old
      ? html`<rect class="tone-${tone}" x="0" y="1" width="${w(change.old.size).toFixed(1)}" height="8"/>`
      : ''
  }${change.new ? html`<rect class="tone-${tone}" x="0" y="11" width="${w(change.new.size).toFixed(1)}" height="8"/>` : ''}</svg>`;
}

/** Why a row has the status it has: the pairing evidence, or the re-encoding's stored difference. */
function statusDetail(change: LayerChange): SafeHtml | string {
  if (change.evidence) return html`<small class="evidence">paired by ${change.evidence}</small>`;
  if (change.recompressed && change.storedDelta !== undefined) {
    return html`<small class="evidence">same content, stored ${formatDelta(change.storedDelta)}</small>`;
  }
  return '';
}

/** Notes that belong with the layer table: stored sizes that do not compare, re-encoded layers. */
export function layerNotes(delta: ImageDelta): SafeHtml {
  const notes = [storedSizesNote(delta), recompressedSentence(delta)].filter((n) => n !== undefined);
  return html`${notes.map((note) => html`<p class="muted layer-note">${note}</p>`)}`;
}

export function layerTable(delta: ImageDelta): SafeHtml {
  const largest = Math.max(1, ...delta.layers.flatMap((c) => [c.old?.size ?? 0, c.new?.size ?? 0]));
  const rows = delta.layers.map((change) => {
    const tone = layerTone(change);
    const createdBy = change.new?.createdBy ?? change.old?.createdBy;
    const ratio = change.old && change.new ? changeRatio(change.old.size, change.new.size) : undefined;
    const percent = change.status === 'changed' && ratio !== undefined ? formatPercent(ratio) : undefined;
    return html`<tr class="layer tone-row-${tone}" data-status="${change.status}">
<td data-v="${change.new?.index ?? change.old?.index ?? 0}">${change.old?.index ?? '–'} → ${change.new?.index ?? '–'}</td>
<td><span class="badge tone-${tone}">${toneLabel(tone, delta.tolerance)}</span>${statusDetail(change)}</td>
${instructionCell(createdBy, change.status === 'changed' ? change.old?.createdBy : undefined)}
${bytesCell(change.old?.size, change.old?.uncompressedSize)}
${bytesCell(change.new?.size, change.new?.uncompressedSize)}
${percentDeltaCell(change.delta, percent)}
<td class="bars">${miniBars(change, largest)}</td>
</tr>`;
  });
  return scrollBox(html`<table class="sortable layers">
<caption>Layers, compressed sizes (the manifest's); uncompressed where the layer was read</caption>
<thead><tr><th data-type="num">Layer old → new</th><th>Status</th><th>Instruction</th><th data-type="num">Old</th><th data-type="num">New</th><th data-type="num">Δ</th><th class="nosort">old / new</th></tr></thead>
<tbody>${rows}</tbody>
</table>`);
}

/** One layer of a single image (inspect): where it stands, what made it, its stored size. */
export interface ImageLayerRow {
  index: number;
  digest: string;
  size: number;
  createdBy?: string | undefined;
  /** When the layer was read. */
  uncompressedSize?: number | undefined;
}

/** The layers of one image in order, each with a bar on the scale of the largest. */
export function imageLayerTable(layers: readonly ImageLayerRow[]): SafeHtml {
  const largest = Math.max(1, ...layers.map((l) => l.size));
  const rows = layers.map((layer) => {
    const width = Math.max((layer.size / largest) * 150, 1);
    return html`<tr><td data-v="${layer.index}">${layer.index}</td>${instructionCell(layer.createdBy)}<td><code title="${layer.digest}">${shortDigest(layer.digest)}</code></td>${bytesCell(layer.size, layer.uncompressedSize)}<td class="bars"><svg class="mini" width="150" height="12" aria-hidden="true"><rect class="tone-new" width="${width.toFixed(1)}" height="10" y="1"/></svg></td></tr>`;
  });
  return scrollBox(html`<table class="sortable layers"><caption>Layers in order, compressed sizes (uncompressed under them where the layer was read)</caption>
<thead><tr><th data-type="num">#</th><th>Instruction</th><th>Digest</th><th data-type="num">Size</th><th class="nosort"></th></tr></thead>
<tbody>${rows}</tbody></table>`);
}
