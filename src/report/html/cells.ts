/** Table cells the HTML tables share; `data-v` carries the number the sortable tables sort by. */
import { instructionText } from '../../text.js';
import { changeRatio, formatBytes, formatDelta, formatPercent } from '../../units.js';
import { html, type SafeHtml } from './escape.js';

/** The colour class of a size change. */
export function deltaClass(delta: number): string {
  return delta > 0 ? 'up' : delta < 0 ? 'down' : '';
}

/** A size, with the uncompressed size under it when known; `—` when the side is absent. */
export function bytesCell(bytes: number | undefined, uncompressed?: number): SafeHtml {
  if (bytes === undefined) return html`<td class="num" data-v="-1">—</td>`;
  return html`<td class="num" data-v="${bytes}">${formatBytes(bytes)}${
    uncompressed !== undefined
      ? html`<small title="uncompressed">${formatBytes(uncompressed)} unc.</small>`
      : ''
  }</td>`;
}

/** A size change, with its percentage of `base` under it when there is one. */
export function deltaCell(delta: number, base: number): SafeHtml {
  const ratio = changeRatio(base, base + delta);
  return percentDeltaCell(delta, ratio === undefined ? undefined : formatPercent(ratio));
}

export function percentDeltaCell(delta: number, percent: string | undefined): SafeHtml {
  return html`<td class="num delta ${deltaClass(delta)}" data-v="${delta}">${formatDelta(delta)}${
    percent ? html`<small>${percent}</small>` : ''
  }</td>`;
}

/**
 * The history instruction that made a layer, shortened, in full on hover; for a changed pair whose
 * instructions differ, the old one under it.
 */
export function instructionCell(createdBy: string | undefined, oldCreatedBy?: string): SafeHtml {
  const before = instructionText(oldCreatedBy);
  const was =
    oldCreatedBy !== undefined && before !== instructionText(createdBy)
      ? html`<small class="was" title="${oldCreatedBy}">was: ${before}</small>`
      : '';
  return html`<td class="instruction" title="${createdBy ?? ''}">${
    createdBy ? instructionText(createdBy) : html`<em class="muted">no history</em>`
  }${was}</td>`;
}

/** A table in its own scroll box: a table wider than the screen scrolls by itself, not the page. */
export function scrollBox(table: SafeHtml): SafeHtml {
  return html`<div class="table-wrap">${table}</div>`;
}
