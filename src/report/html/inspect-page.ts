/** The inspect page for one image: its layers and, when analysed, its Go binaries by path. */
import type { AdviceItem } from '../../advice/types.js';
import type { GoBinaryReport } from '../../golang/types.js';
import { formatReference } from '../../reference/reference.js';
import { formatPlatform } from '../../source/platform.js';
import type { ResolvedImage } from '../../source/types.js';
import { formatBytes } from '../../units.js';
import { shortDigest } from '../format.js';
import { adviceSection } from './advice.js';
import { binaryReportSection, binaryReportTable } from './binaries.js';
import { html, type SafeHtml } from './escape.js';
import { imageLayerTable } from './layers.js';
import { type HtmlReportOptions, page } from './page.js';

export function renderInspectHtml(
  image: ResolvedImage,
  binaries?: Record<string, GoBinaryReport>,
  options: HtmlReportOptions & { advice?: AdviceItem[] } = {},
): string {
  const reference = formatReference(image.reference);
  const title = options.title ?? `layerdelta: ${reference}`;
  const total = image.layers.reduce((s, l) => s + l.descriptor.size, 0);
  const layers = image.layers.map((layer) => ({
    index: layer.index,
    digest: layer.descriptor.digest,
    size: layer.descriptor.size,
    createdBy: layer.createdBy,
  }));
  const body = html`<header class="top">
<h1>${title}</h1>
<dl class="refs"><dt>image</dt><dd><span class="ref">${reference}</span> <code title="${image.manifestDigest}">${shortDigest(image.manifestDigest)}</code> · ${formatPlatform(image.platform)}</dd></dl>
<p class="summary">${image.layers.length} layers, ${formatBytes(total)} compressed</p>
</header>
<h2>Layers</h2>
${imageLayerTable(layers)}
${binaries === undefined ? '' : binariesSection(binaries)}
${adviceSection(options.advice)}`;
  return page(title, body, options.generatedAt);
}

function binariesSection(binaries: Record<string, GoBinaryReport>): SafeHtml {
  const entries = Object.entries(binaries).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0)
    return html`<h2>Go binaries</h2><p class="muted">No Go executable in the image.</p>`;
  return html`<h2>Go binaries</h2>${binaryReportTable(entries)}${entries.map(([path, r], i) => binaryReportSection(path, r, i))}`;
}
