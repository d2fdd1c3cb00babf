/**
 * `layerdelta gobin` output: one Go executable (what `go version -m`, `go tool nm -size` and a size
 * analyzer tell) or the diff of two. Text tables with SI sizes, or versioned JSON.
 */
import type { GoBinaryDiff, GoBinaryReport, SizeShare } from '../golang/types.js';
import { escapeControl } from '../terminal-text.js';
import { truncate } from '../text.js';
import { formatBytes, formatDelta } from '../units.js';
import { renderTable } from './format.js';

export const GOBIN_SCHEMA_VERSION = 1;

/** Widths of the --symbols table's text columns (characters). */
export const FUNCTION_NAME_WIDTH = 120;
const PACKAGE_WIDTH = 60;

export interface GobinTextOptions {
  /** Rows per package/module table (functions with --symbols are listed in full). */
  top: number;
}

export function gobinJson(file: string, report: GoBinaryReport): string {
  return `${JSON.stringify({ schemaVersion: GOBIN_SCHEMA_VERSION, kind: 'gobin', file, ...report }, null, 2)}\n`;
}

export function gobinDiffJson(
  files: { old: string; new: string },
  reports: { old: GoBinaryReport; new: GoBinaryReport },
  diff: GoBinaryDiff,
): string {
  const summary = (file: string, r: GoBinaryReport) => ({
    file,
    digest: r.digest,
    size: r.size,
    goVersion: r.buildInfo.goVersion,
    text: r.text,
  });
  return `${JSON.stringify(
    {
      schemaVersion: GOBIN_SCHEMA_VERSION,
      kind: 'gobin-diff',
      old: summary(files.old, reports.old),
      new: summary(files.new, reports.new),
      ...diff,
    },
    null,
    2,
  )}\n`;
}

/**
 * A build setting's key or value as `go version -m` writes it (Go's debug.BuildInfo.String): through
 * strconv.Quote when it holds a space, tab, newline, quote or backquote (a key also when it holds `=` or is
 * empty). Call it on the raw text, before escapeStrings: the quoted form has no control character left.
 * A value that needs no quotes but holds a control character is escaped later (Go would print it raw).
 */
export function goSettingText(text: string, kind: 'key' | 'value'): string {
  const special = kind === 'key' ? /[= \t\r\n"`]/ : /[ \t\r\n"`]/;
  if (!special.test(text) && !(kind === 'key' && text === '')) return text;
  return `"${escapeControl(text.replace(/[\\"]/g, (c) => `\\${c}`))}"`;
}

/** The report with its build settings written as `go version -m` writes them (see goSettingText). */
export function withGoQuotedSettings(report: GoBinaryReport): GoBinaryReport {
  const settings = report.buildInfo.settings.map((s) => ({
    key: goSettingText(s.key, 'key'),
    value: goSettingText(s.value, 'value'),
  }));
  return { ...report, buildInfo: { ...report.buildInfo, settings } };
}

export function gobinText(file: string, r: GoBinaryReport, options: GobinTextOptions): string {
  const bi = r.buildInfo;
  const out: string[] = [];
  out.push(
    `${file}: ${bi.goVersion}, ${r.arch} ${r.format}, ${formatBytes(r.size)}${r.stripped ? ', stripped' : ''}, pclntab ${r.pclntabVersion}`,
  );
  out.push('');
  const info: string[][] = [['path', bi.path]];
  if (bi.main) info.push(['mod', moduleText(bi.main)]);
  for (const d of bi.deps) info.push(['dep', moduleText(d)]);
  for (const s of bi.settings) info.push(['build', `${s.key}=${s.value}`]);
  out.push(renderTable([{ header: 'BUILD INFO' }, { header: '' }], info));
  out.push('');
  out.push(
    renderTable(
      [
        { header: 'SECTION' },
        { header: 'FILE', align: 'right' },
        { header: 'MEMORY', align: 'right' },
        { header: '' },
      ],
      r.sections.map((s) => [
        s.name,
        formatBytes(s.fileSize),
        formatBytes(s.memSize),
        s.compressed ? 'compressed' : '',
      ]),
    ),
  );
  out.push('');
  const t = r.text;
  out.push(
    `.text ${formatBytes(t.textBytes)} = Go functions ${formatBytes(t.goFunctionBytes)} + padding ${formatBytes(t.paddingBytes)} + non-Go code ${formatBytes(t.nonGoBytes)}`,
  );
  out.push('');
  out.push(shareTable('MODULE', r.modules, t.textBytes, options.top));
  out.push('');
  out.push(shareTable('PACKAGE', r.packages, t.textBytes, options.top));
  if (r.functions) {
    out.push('');
    const functions = [...r.functions].sort((a, b) => b.size - a.size || a.entry - b.entry);
    const cut = functions.some((f) => f.name.length > FUNCTION_NAME_WIDTH);
    // The name goes last and is cut: a generic instantiation's name runs to hundreds of characters,
    // and padding every row to it made the table unreadable. --json keeps every name whole.
    out.push(
      renderTable(
        [
          { header: 'SIZE', align: 'right' },
          { header: 'ENTRY', align: 'right' },
          { header: 'PACKAGE' },
          { header: 'MODULE' },
          { header: 'FUNCTION' },
        ],
        functions.map((f) => [
          String(f.size),
          `0x${f.entry.toString(16)}`,
          truncate(f.package, PACKAGE_WIDTH),
          truncate(f.module, PACKAGE_WIDTH),
          truncate(f.name, FUNCTION_NAME_WIDTH),
        ]),
      ),
    );
    if (cut)
      out.push(
        `(function names longer than ${FUNCTION_NAME_WIDTH} characters end in …; --json has them whole)`,
      );
  }
  return `${out.join('\n')}\n`;
}

function moduleText(m: {
  path: string;
  version: string;
  sum?: string;
  replace?: { path: string; version: string };
}): string {
  const base = `${m.path} ${m.version}`;
  return m.replace ? `${base} => ${m.replace.path} ${m.replace.version}` : base;
}

function shareTable(header: string, rows: SizeShare[], textBytes: number, top: number): string {
  const shown = rows.slice(0, top);
  const rest = rows.slice(top);
  const body = shown.map((s) => [
    s.name,
    formatBytes(s.bytes),
    percent(s.bytes, textBytes),
    String(s.functions),
  ]);
  if (rest.length > 0) {
    const bytes = rest.reduce((n, s) => n + s.bytes, 0);
    const functions = rest.reduce((n, s) => n + s.functions, 0);
    body.push([`(${rest.length} more)`, formatBytes(bytes), percent(bytes, textBytes), String(functions)]);
  }
  return renderTable(
    [
      { header: header },
      { header: 'CODE', align: 'right' },
      { header: '% .text', align: 'right' },
      { header: 'FUNCS', align: 'right' },
    ],
    body,
  );
}

function percent(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '';
}

export function gobinDiffText(
  files: { old: string; new: string },
  reports: { old: GoBinaryReport; new: GoBinaryReport },
  diff: GoBinaryDiff,
  options: GobinTextOptions,
): string {
  const out: string[] = [];
  out.push(
    `${files.old} → ${files.new}: ${formatBytes(reports.old.size)} → ${formatBytes(reports.new.size)} (${formatDelta(diff.delta)})`,
  );
  const gv = diff.goVersion;
  out.push(gv.old === gv.new ? `Go version: ${gv.new} (unchanged)` : `Go version: ${gv.old} → ${gv.new}`);
  out.push(
    `.text: ${formatBytes(reports.old.text.textBytes)} → ${formatBytes(reports.new.text.textBytes)} (${formatDelta(reports.new.text.textBytes - reports.old.text.textBytes)})`,
  );
  out.push('');
  if (diff.settingsChanged.length > 0) {
    out.push(
      renderTable(
        [{ header: 'BUILD SETTING' }, { header: 'OLD' }, { header: 'NEW' }],
        diff.settingsChanged.map((s) => [
          s.key,
          truncate(s.old ?? '(unset)', 60),
          truncate(s.new ?? '(unset)', 60),
        ]),
      ),
    );
  } else {
    out.push('Build settings: unchanged');
  }
  out.push('');
  if (diff.modules.length > 0) {
    out.push(
      renderTable(
        [{ header: 'MODULE' }, { header: 'CHANGE' }, { header: 'OLD' }, { header: 'NEW' }],
        diff.modules.map((m) => [m.path, m.change, m.oldVersion ?? '', m.newVersion ?? '']),
      ),
    );
  } else {
    out.push('Modules: unchanged');
  }
  out.push('');
  const sections = diff.sections.filter((s) => s.delta !== 0);
  out.push(
    sections.length > 0
      ? renderTable(deltaColumns('SECTION'), sections.map(deltaRow))
      : 'Sections: unchanged',
  );
  out.push('');
  const grown = diff.packages.filter((p) => p.delta > 0);
  const shrunk = diff.packages.filter((p) => p.delta < 0).reverse();
  const shown = [...grown.slice(0, options.top), ...shrunk.slice(0, options.top)];
  out.push(
    shown.length > 0 ? renderTable(deltaColumns('PACKAGE'), shown.map(deltaRow)) : 'Packages: unchanged',
  );
  const hidden = diff.packages.length - shown.length;
  if (hidden > 0) out.push(`(${hidden} more packages changed; --top to see more)`);
  return `${out.join('\n')}\n`;
}

function deltaColumns(header: string) {
  return [
    { header },
    { header: 'OLD', align: 'right' as const },
    { header: 'NEW', align: 'right' as const },
    { header: 'DELTA', align: 'right' as const },
  ];
}

function deltaRow(d: { name: string; oldBytes: number; newBytes: number; delta: number }): string[] {
  return [d.name, formatBytes(d.oldBytes), formatBytes(d.newBytes), formatDelta(d.delta)];
}
