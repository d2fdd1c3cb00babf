/** The advice section of the HTML pages (compare and inspect): one row per step, all evidence kept. */
import type { AdviceItem } from '../../advice/types.js';
import { adviceHeading, adviceRow } from '../advice.js';
import { scrollBox } from './cells.js';
import { html, type SafeHtml } from './escape.js';

/** `scope` prefixes the section's id (binaries.ts binaryAnchor). */
export function adviceSection(items: readonly AdviceItem[] | undefined, scope = ''): SafeHtml {
  if (items === undefined) return html``;
  if (items.length === 0)
    return html`<h2 id="${scope}advice">Advice</h2><p class="muted">${adviceHeading(items)}.</p>`;
  const rows = items.map((item) => {
    const row = adviceRow(item, item.evidence.length);
    return html`<tr><td class="num">${row.saving}</td><td>${row.title} <code>${row.rule}</code>${
      row.evidence.length > 0
        ? html`<ul class="evidence">${row.evidence.map((e) => html`<li>${e}</li>`)}</ul>`
        : ''
    }</td><td>${row.change}</td></tr>`;
  });
  return html`<h2 id="${scope}advice">Advice</h2>
<p class="muted">${adviceHeading(items)}</p>
${scrollBox(html`<table class="advice"><thead><tr><th class="num">Saving</th><th>Advice</th><th>Change</th></tr></thead><tbody>${rows}</tbody></table>`)}`;
}
