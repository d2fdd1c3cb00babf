/**
 * The file and OS package parts of the pages (docs/design.md §11): the directory treemap of the new
 * image coloured by growth, then the same top tables the text and Markdown reports print
 * (report/files-packages.ts is their one home); inspect: the treemap of one image and its biggest
 * directories.
 */
import type { ImageDelta } from '../../delta/types.js';
import type { DirectorySize, FilesDelta } from '../../files/types.js';
import { parentOf } from '../../layer/paths.js';
import { formatBytes } from '../../units.js';
import { DEFAULT_TOP, filesAndPackagesSections, type ReportSection } from '../files-packages.js';
import { scrollBox } from './cells.js';
import { directoryCells, type TreemapDirectory } from './directory-treemap.js';
import { html, type SafeHtml } from './escape.js';
import { goneNote, responsiveTreemap, treemapLegend } from './treemap-svg.js';

/** One titled section of report/files-packages.ts as an HTML table. */
export function reportSectionHtml(section: ReportSection): SafeHtml {
  const { table } = section;
  const lines = section.lines.map((line) => html`<p class="section-line">${line.trim()}</p>`);
  if (!table || table.rows.length === 0) {
    return html`<h3>${section.title}</h3>${lines}${section.empty ? html`<p class="muted">${section.empty}</p>` : ''}`;
  }
  const cls = (i: number) => (table.right[i] ? 'num' : i === table.codeColumn ? 'path' : '');
  const head = table.headers.map((h, i) => html`<th class="${cls(i)}">${h.toLowerCase()}</th>`);
  const rows = table.rows.map(
    (row) => html`<tr>${row.map((cell, i) => html`<td class="${cls(i)}">${cell}</td>`)}</tr>`,
  );
  return html`<h3>${section.title}</h3>${lines}${scrollBox(
    html`<table class="compact files"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`,
  )}`;
}

/** Directories that left: no area in the new image, so they are named next to its treemap. */
function removedDirectories(files: FilesDelta): Array<{ name: string; delta: number }> {
  const removed = new Set(files.directories.filter((d) => d.change === 'removed').map((d) => d.path));
  return files.directories
    .filter((d) => removed.has(d.path) && (d.path === '/' || !removed.has(parentOf(d.path))))
    .sort((a, b) => a.delta - b.delta)
    .map((d) => ({ name: d.path, delta: d.delta }));
}

export function directoryTreemap(
  dirs: readonly TreemapDirectory[],
  label: string,
  neutral: boolean,
): SafeHtml {
  if (dirs.length === 0) return html`<p class="muted">No file in the image.</p>`;
  return responsiveTreemap(label, (bounds) => directoryCells(dirs, neutral, bounds));
}

/** compare: the treemap of the new image, then the top tables. */
export function filesAndPackagesHtml(delta: ImageDelta, top: number = DEFAULT_TOP): SafeHtml {
  const files = delta.files;
  const sections = filesAndPackagesSections(delta, top);
  if (!files && sections.length === 0) return html``;
  const map = files
    ? html`<h3>Directories of the new image</h3>
${treemapLegend('new directory', 'bytes of files and symlinks in the new image; hover for old and new sizes')}
${goneNote(removedDirectories(files), 'Removed directories')}
${directoryTreemap(files.largestDirectories, 'Directory treemap of the new image', false)}`
    : '';
  return html`<h2>Files and OS packages</h2>
${map}
${sections.map(reportSectionHtml)}`;
}

/** inspect: where one image's bytes are, as a treemap and the directories that explain them. */
export function inspectFilesHtml(
  largest: readonly DirectorySize[],
  biggest: readonly DirectorySize[],
  summary: string,
): SafeHtml {
  const dirs = largest.map(
    (d): TreemapDirectory => ({ path: d.path, oldBytes: 0, newBytes: d.bytes, delta: 0, change: 'changed' }),
  );
  const rows = biggest.map(
    (d) =>
      html`<tr><td class="path">${d.path}</td><td class="num" data-v="${d.bytes}">${formatBytes(d.bytes)}</td><td class="num">${d.files}</td></tr>`,
  );
  return html`<h2>Files</h2>
<p class="section-line">${summary}</p>
${directoryTreemap(dirs, 'Directory treemap of the image', true)}
<h3>Biggest directories</h3>
${scrollBox(html`<table class="sortable compact files"><thead><tr><th>Directory</th><th class="num" data-type="num">Bytes</th><th class="num" data-type="num">Files</th></tr></thead><tbody>${rows}</tbody></table>`)}`;
}
