/**
 * The file, wasted-bytes and OS package sections of the compare reports (docs/design.md §11), as
 * titled tables that the text and Markdown renderers lay out each in its own way. Top N rows each;
 * the JSON report has everything.
 */
import type { ImageDelta } from '../delta/types.js';
import { topDirectories } from '../files/delta.js';
import type { FileChange } from '../files/types.js';
import { NOT_FROM_A_PACKAGE, type PackageChange } from '../packages/types.js';
import { formatBytes, formatDelta } from '../units.js';

/** The `--top` default (the same flag bounds the metrics' series). */
export const DEFAULT_TOP = 20;

export interface ReportTable {
  headers: string[];
  /** Right-aligned columns. */
  right: boolean[];
  rows: string[][];
  /** Which column holds a path or name (code in Markdown). */
  codeColumn?: number;
}

export interface ReportSection {
  title: string;
  /** Summary lines before the table. */
  lines: string[];
  table?: ReportTable;
  /** Said instead of an empty table. */
  empty?: string;
}

export function filesAndPackagesSections(delta: ImageDelta, top: number = DEFAULT_TOP): ReportSection[] {
  const sections: ReportSection[] = [];
  const files = delta.files;
  if (files) {
    const dirs = topDirectories(files.directories, top);
    sections.push({
      title: `Directories that explain the change (top ${top}; bytes of files and symlinks below them)`,
      lines: [
        `Files: ${files.old.files} → ${files.new.files}; ${files.added.count} added (${formatDelta(files.added.bytes)}), ${files.removed.count} removed (${formatDelta(-files.removed.bytes)}), ${files.changed.count} changed (${formatDelta(files.changed.delta)})`,
      ],
      table: {
        headers: ['DIRECTORY', 'CHANGE', 'OLD', 'NEW', 'DELTA', 'FILES'],
        right: [false, false, true, true, true, true],
        rows: dirs.map((d) => [
          d.path,
          d.change,
          formatBytes(d.oldBytes),
          formatBytes(d.newBytes),
          formatDelta(d.delta),
          `${d.oldFiles} → ${d.newFiles}`,
        ]),
        codeColumn: 0,
      },
      empty: 'no directory changed',
    });
    sections.push({
      title: `Files (top ${top} by size change)`,
      lines: [],
      table: {
        headers: ['PATH', 'CHANGE', 'OLD', 'NEW', 'DELTA', 'WHAT'],
        right: [false, false, true, true, true, false],
        rows: files.files.slice(0, top).map(fileRow),
        codeColumn: 0,
      },
      empty: 'no file changed',
    });
    const wasted = (side: 'old' | 'new') =>
      files[side].wasted.byLayer
        .filter((l) => l.bytes > 0)
        .map((l) => `layer ${l.index} ${formatBytes(l.bytes)} (${l.files} files)`)
        .join(', ') || 'none';
    sections.push({
      title: 'Wasted bytes (written by a layer, hidden by a later one: overwritten, deleted, opaque)',
      lines: [
        `Wasted: ${formatBytes(files.old.wasted.bytes)} → ${formatBytes(files.new.wasted.bytes)}, ${formatDelta(files.wastedDelta)}`,
        `  old: ${wasted('old')}`,
        `  new: ${wasted('new')}`,
      ],
    });
  }
  const packages = delta.packages;
  if (packages) {
    const databases = (side: 'old' | 'new') =>
      packages[side].databases
        .map((d) => `${d.ecosystem} ${d.path}${d.status === 'read' ? '' : ` (not read: ${d.reason ?? ''})`}`)
        .join(', ') || 'none';
    sections.push({
      title: `OS packages (top ${top} by installed size change)`,
      lines: [
        `Packages: ${packages.old.packageCount} → ${packages.new.packageCount} (${signed(packages.packageCountDelta)}), installed size ${formatBytes(packages.old.installedBytes)} → ${formatBytes(packages.new.installedBytes)} (${formatDelta(packages.installedBytesDelta)})`,
        `  databases old: ${databases('old')}; new: ${databases('new')}`,
        `  ${count(packages.changes, 'added')} added, ${count(packages.changes, 'removed')} removed, ${count(packages.changes, 'upgraded')} upgraded, ${count(packages.changes, 'downgraded')} downgraded`,
      ],
      table: {
        headers: ['PACKAGE', 'CHANGE', 'OLD VERSION', 'NEW VERSION', 'INSTALLED SIZE DELTA'],
        right: [false, false, false, false, true],
        rows: packages.changes.slice(0, top).map(packageRow),
        codeColumn: 0,
      },
      empty: 'no package added, removed or changed',
    });
    sections.push({
      title: `File bytes by package (top ${top} by change; files of the final filesystem)`,
      lines: [],
      table: {
        headers: ['OWNER', 'OLD', 'NEW', 'DELTA'],
        right: [false, true, true, true],
        rows: packages.fileBytes
          .slice(0, top)
          .map((p) => [p.name, formatBytes(p.oldBytes), formatBytes(p.newBytes), formatDelta(p.delta)]),
        codeColumn: 0,
      },
      empty: 'no package owns more or fewer bytes',
    });
  }
  return sections;
}

function fileRow(f: FileChange): string[] {
  const what =
    f.change === 'changed'
      ? (f.fields ?? []).join(', ')
      : ((f.new ?? f.old)?.type ?? '') + (f.new?.link ? ` → ${f.new.link}` : '');
  return [
    f.path,
    f.change,
    f.old ? formatBytes(f.old.size) : '-',
    f.new ? formatBytes(f.new.size) : '-',
    formatDelta(f.delta),
    what,
  ];
}

function packageRow(p: PackageChange): string[] {
  return [p.key, p.change, p.oldVersion ?? '-', p.newVersion ?? '-', formatDelta(p.installedSizeDelta)];
}

function count(changes: PackageChange[], kind: PackageChange['change']): number {
  return changes.filter((c) => c.change === kind).length;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

export { NOT_FROM_A_PACKAGE };
