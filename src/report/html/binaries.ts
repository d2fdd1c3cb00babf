/**
 * The Go parts of the pages: one table of every binary, then a section per binary — changed ones on
 * the compare page, every one of the image on the inspect page.
 */
import type { BinaryDelta } from '../../delta/types.js';
import { joinSizes } from '../../golang/sizes.js';
import type { GoBinaryReport, ModuleChange, SizeDelta } from '../../golang/types.js';
import { formatBytes, formatDelta } from '../../units.js';
import { bytesCell, deltaCell, deltaClass, scrollBox } from './cells.js';
import { html, type SafeHtml } from './escape.js';
import { packageTreemap, treemapLegend } from './treemap-svg.js';

/** Binaries that get their own section (treemap and changes): the ones whose code can differ. */
export function hasDetails(binary: BinaryDelta): boolean {
  return binary.status === 'changed' || binary.status === 'added';
}

/**
 * The id of a binary's section. `scope` keeps ids unique when one page holds several reports (one per
 * platform): it prefixes every id a report section makes.
 */
export function binaryAnchor(index: number, scope = ''): string {
  return `${scope}bin-${index}`;
}

export function goVersionText(goVersion: { old?: string; new?: string }): SafeHtml {
  const { old: before, new: after } = goVersion;
  if (before && after && before !== after) {
    return html`<span class="changed-value">${before} → ${after}</span>`;
  }
  return html`${after ?? before ?? '—'}`;
}

function moduleSummary(modules: ModuleChange[]): string {
  if (modules.length === 0) return '—';
  const counts = new Map<string, number>();
  for (const m of modules) counts.set(m.change, (counts.get(m.change) ?? 0) + 1);
  return [...counts].map(([change, n]) => `${n} ${change}`).join(', ');
}

export function binaryTable(binaries: BinaryDelta[], scope = ''): SafeHtml {
  const rows = binaries.map((b, i) => {
    const path = hasDetails(b) ? html`<a href="#${binaryAnchor(i, scope)}">${b.path}</a>` : html`${b.path}`;
    return html`<tr>
<td class="path">${path}</td>
<td><span class="badge bin-${b.status}">${b.status}</span></td>
${bytesCell(b.old?.size)}
${bytesCell(b.new?.size)}
${deltaCell(b.delta, b.old?.size ?? 0)}
<td class="goversion">${goVersionText(b.goVersion)}</td>
<td>${moduleSummary(b.modules)}</td>
</tr>`;
  });
  return scrollBox(html`<table class="sortable binaries">
<caption>Go executables in the final filesystem, paired by path; file sizes</caption>
<thead><tr><th>Path</th><th>Status</th><th data-type="num">Old</th><th data-type="num">New</th><th data-type="num">Δ</th><th>Go version</th><th>Module changes</th></tr></thead>
<tbody>${rows}</tbody>
</table>`);
}

function sizeDeltaTable(caption: string, entries: SizeDelta[], nameHeader: string): SafeHtml {
  const rows = entries.map(
    (e) =>
      html`<tr><td class="path">${e.name}</td>${bytesCell(e.oldBytes)}${bytesCell(e.newBytes)}${deltaCell(e.delta, e.oldBytes)}</tr>`,
  );
  return scrollBox(html`<table class="sortable compact"><caption>${caption}</caption>
<thead><tr><th>${nameHeader}</th><th data-type="num">Old</th><th data-type="num">New</th><th data-type="num">Δ</th></tr></thead>
<tbody>${rows}</tbody></table>`);
}

const TOP_PACKAGES = 15;

function packageTables(packages: SizeDelta[]): SafeHtml {
  const changed = packages.filter((p) => p.delta !== 0);
  const top = [...changed].sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta)).slice(0, TOP_PACKAGES);
  return html`${
    top.length > 0
      ? sizeDeltaTable(`Largest package changes (${top.length} of ${changed.length} changed)`, top, 'Package')
      : html`<p class="muted">No package changed size.</p>`
  }
<details><summary>All ${packages.length} packages</summary>${sizeDeltaTable('Code bytes per package', packages, 'Package')}</details>`;
}

function moduleChangeTable(modules: ModuleChange[]): SafeHtml {
  if (modules.length === 0)
    return html`<p class="muted">No module was added, removed or changed version.</p>`;
  const rows = modules.map(
    (m) =>
      html`<tr><td class="path">${m.path}</td><td><span class="badge mod-${m.change}">${m.change}</span></td><td class="value">${m.oldVersion ?? '—'}</td><td class="value">${m.newVersion ?? '—'}</td></tr>`,
  );
  return scrollBox(html`<table class="sortable compact"><caption>Module changes (from the build info)</caption>
<thead><tr><th>Module</th><th>Change</th><th>Old</th><th>New</th></tr></thead><tbody>${rows}</tbody></table>`);
}

/** Values can be long (DefaultGODEBUG): old and new stack in one cell instead of two thin columns. */
function settingsTable(settings: BinaryDelta['settingsChanged']): SafeHtml {
  if (settings.length === 0) return html``;
  const side = (label: string, value: string | undefined) =>
    html`<div class="setting-side"><span class="muted">${label}</span><span class="value">${value ?? '(not set)'}</span></div>`;
  const rows = settings.map(
    (s) => html`<tr><td class="path">${s.key}</td><td>${side('old', s.old)}${side('new', s.new)}</td></tr>`,
  );
  return scrollBox(html`<table class="compact"><caption>Changed build settings</caption>
<thead><tr><th>Setting</th><th>Old → new</th></tr></thead><tbody>${rows}</tbody></table>`);
}

function facts(report: GoBinaryReport | undefined): string {
  if (!report) return '—';
  const main = report.buildInfo.main ? `${report.buildInfo.main.path} ${report.buildInfo.main.version}` : '';
  return [report.buildInfo.goVersion, report.arch, report.stripped ? 'stripped' : 'with symbols', main]
    .filter(Boolean)
    .join(' · ');
}

/**
 * Every package of the binary for the treemap: the delta lists only packages that changed, but the
 * area must show the whole new binary, so rows come from the two reports, plus any the delta adds.
 */
export function packageRows(binary: BinaryDelta): SizeDelta[] {
  const rows = joinSizes(binary.old?.packages, binary.new?.packages);
  const known = new Set(rows.map((r) => r.name));
  for (const entry of binary.packages) if (!known.has(entry.name)) rows.push(entry);
  return rows.sort((a, b) => b.delta - a.delta);
}

export function binaryDetails(binary: BinaryDelta, index: number, scope = ''): SafeHtml {
  const packages = packageRows(binary);
  const modules = joinSizes(binary.old?.modules, binary.new?.modules).filter((m) => m.delta !== 0);
  return html`<section class="binary" id="${binaryAnchor(index, scope)}">
<h3><span class="path">${binary.path}</span> <span class="badge bin-${binary.status}">${binary.status}</span></h3>
<p class="sizes">${binary.old ? formatBytes(binary.old.size) : 'absent'} → ${binary.new ? formatBytes(binary.new.size) : 'absent'} <span class="delta ${deltaClass(binary.delta)}">${formatDelta(binary.delta)}</span></p>
<dl class="facts">
<dt>Go version</dt><dd class="goversion">${goVersionText(binary.goVersion)}</dd>
<dt>Old</dt><dd>${facts(binary.old)}</dd>
<dt>New</dt><dd>${facts(binary.new)}</dd>
</dl>
<h4>Code by package</h4>
${packageTreemap(packages, { label: `Package treemap of ${binary.path}`, neutral: binary.status === 'added' })}
${binary.status === 'added' ? html`<p class="legend muted">A new binary: area = bytes of code per package.</p>` : treemapLegend()}
<div class="columns">
<div>${packageTables(packages)}</div>
<div>${moduleChangeTable(binary.modules)}
${settingsTable(binary.settingsChanged)}
${modules.length > 0 ? sizeDeltaTable('Code bytes per module (changed only)', modules, 'Module') : ''}
${
  binary.sections.some((s) => s.delta !== 0)
    ? sizeDeltaTable(
        'ELF sections (changed only)',
        binary.sections.filter((s) => s.delta !== 0),
        'Section',
      )
    : ''
}
</div>
</div>
</section>`;
}

/** The Go executables of one image (inspect), by path; each links to its section. */
export function binaryReportTable(entries: ReadonlyArray<[string, GoBinaryReport]>, scope = ''): SafeHtml {
  const rows = entries.map(
    ([path, r], i) =>
      html`<tr><td class="path"><a href="#${binaryAnchor(i, scope)}">${path}</a></td>${bytesCell(r.size)}<td class="goversion">${r.buildInfo.goVersion}</td><td>${r.arch}</td><td>${r.stripped ? 'yes' : 'no'}</td><td class="path">${r.buildInfo.main?.path ?? r.buildInfo.path}</td><td class="num" data-v="${r.buildInfo.deps.length}">${r.buildInfo.deps.length}</td></tr>`,
  );
  return scrollBox(html`<table class="sortable binaries"><caption>Go executables in the final filesystem</caption>
<thead><tr><th>Path</th><th data-type="num">Size</th><th>Go version</th><th>Arch</th><th>Stripped</th><th>Main module</th><th data-type="num">Deps</th></tr></thead>
<tbody>${rows}</tbody></table>`);
}

/** One Go executable of one image (inspect): its facts and its code by package. */
export function binaryReportSection(
  path: string,
  report: GoBinaryReport,
  index: number,
  scope = '',
): SafeHtml {
  return html`<section class="binary" id="${binaryAnchor(index, scope)}">
<h3><span class="path">${path}</span></h3>
<p class="sizes">${formatBytes(report.size)} · <span class="goversion">${report.buildInfo.goVersion}</span> · ${report.arch} · ${report.stripped ? 'stripped' : 'with symbols'}</p>
<h4>Code by package</h4>
${packageTreemap(joinSizes(undefined, report.packages), { label: `Package treemap of ${path}`, neutral: true })}
</section>`;
}
