/**
 * The inspect page for one image: its layers and, when the layers were read, their uncompressed sizes,
 * its Go binaries by path and where its bytes are.
 */
import type { AdviceItem } from '../../advice/types.js';
import type { DirectorySize } from '../../files/types.js';
import type { GoBinaryReport } from '../../golang/types.js';
import { formatReference } from '../../reference/reference.js';
import { formatPlatform } from '../../source/platform.js';
import type { ResolvedImage } from '../../source/types.js';
import { formatBytes } from '../../units.js';
import { shortDigest } from '../format.js';
import type { InspectFiles } from '../inspect-files.js';
import { adviceSection } from './advice.js';
import { binaryReportSection, binaryReportTable } from './binaries.js';
import { html, type SafeHtml } from './escape.js';
import { inspectFilesHtml } from './files-packages.js';
import { imageLayerTable } from './layers.js';
import { type HtmlReportOptions, page, platformId, platformNav } from './page.js';

/** What the layer scan adds (docs/design.md §11): uncompressed layer sizes and where the bytes are. */
export interface InspectScanHtml {
  /** By layer index; undefined for a layer that was not downloaded. */
  uncompressed: Array<number | undefined>;
  files: InspectFiles;
  /** The image's biggest directories, a parent before its children (files/rollup.ts largestDirectories). */
  largestDirectories: DirectorySize[];
}

/** What one image's page shows beyond the image itself (each part only when it was computed). */
export interface InspectHtmlParts {
  binaries?: Record<string, GoBinaryReport>;
  advice?: AdviceItem[];
  scan?: InspectScanHtml;
}

export function renderInspectHtml(
  image: ResolvedImage,
  options: InspectHtmlParts & HtmlReportOptions = {},
): string {
  const title = options.title ?? `layerdelta: ${formatReference(image.reference)}`;
  return page(title, inspectBody(image, options, html`<h1>${title}</h1>`), options.generatedAt);
}

/** `inspect --platform all`: one page, a section per platform of the index. */
export function renderInspectPlatformsHtml(
  title: string,
  sections: ReadonlyArray<{ platform: string; image: ResolvedImage; parts: InspectHtmlParts }>,
  options: HtmlReportOptions = {},
): string {
  const body = html`<h1>${title}</h1>
${platformNav(sections.map((s) => s.platform))}
${sections.map(
  (s) => html`<section id="${platformId(s.platform)}">
${inspectBody(s.image, s.parts, html`<h2>Platform ${s.platform}</h2>`, `${platformId(s.platform)}-`)}
</section>`,
)}`;
  return page(title, body, options.generatedAt);
}

/** `scope` prefixes the ids the sections make (binaries.ts binaryAnchor). */
function inspectBody(image: ResolvedImage, parts: InspectHtmlParts, heading: SafeHtml, scope = ''): SafeHtml {
  const { scan, binaries } = parts;
  const reference = formatReference(image.reference);
  const total = image.layers.reduce((s, l) => s + l.descriptor.size, 0);
  const layers = image.layers.map((layer) => ({
    index: layer.index,
    digest: layer.descriptor.digest,
    size: layer.descriptor.size,
    createdBy: layer.createdBy,
    uncompressedSize: scan?.uncompressed[layer.index],
  }));
  const unpacked = scan?.uncompressed.reduce<number>((sum, n) => sum + (n ?? 0), 0);
  return html`<header class="top">
${heading}
<dl class="refs"><dt>image</dt><dd><span class="ref">${reference}</span> <code title="${image.manifestDigest}">${shortDigest(image.manifestDigest)}</code> · ${formatPlatform(image.platform)}</dd></dl>
<p class="summary">${image.layers.length} layers, ${formatBytes(total)} compressed${
    unpacked === undefined ? '' : `, ${formatBytes(unpacked)} uncompressed`
  }</p>
</header>
<h2>Layers</h2>
${imageLayerTable(layers)}
${binaries === undefined ? '' : binariesSection(binaries, scope)}
${scan ? filesSection(scan) : ''}
${adviceSection(parts.advice, scope)}`;
}

function filesSection(scan: InspectScanHtml): SafeHtml {
  const { files } = scan;
  const wasted = files.wasted.byLayer
    .filter((l) => l.bytes > 0)
    .map((l) => `layer ${l.index} ${formatBytes(l.bytes)}`)
    .join(', ');
  const summary = `${files.files} files and symlinks, ${formatBytes(files.bytes)}; wasted (written by a layer, hidden by a later one) ${formatBytes(files.wasted.bytes)}${wasted ? ` (${wasted})` : ''}; ${files.packages.count} OS packages`;
  return inspectFilesHtml(scan.largestDirectories, files.biggestDirectories, summary);
}

function binariesSection(binaries: Record<string, GoBinaryReport>, scope: string): SafeHtml {
  const entries = Object.entries(binaries).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0)
    return html`<h2>Go binaries</h2><p class="muted">No Go executable in the image.</p>`;
  return html`<h2>Go binaries</h2>${binaryReportTable(entries, scope)}${entries.map(([path, r], i) => binaryReportSection(path, r, i, scope))}`;
}
