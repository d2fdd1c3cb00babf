/** Go binary deltas as table rows and module lists, shared by the text and Markdown reports. */
import type { BinaryDelta } from '../delta/types.js';
import type { ModuleChange } from '../golang/types.js';
import { changeRatio, formatBytes, formatDelta, formatPercent } from '../units.js';
import type { TableColumn } from './format.js';

export const BINARY_COLUMNS: TableColumn[] = [
  { header: 'PATH' },
  { header: 'STATUS' },
  { header: 'OLD SIZE', align: 'right' },
  { header: 'NEW SIZE', align: 'right' },
  { header: 'DELTA', align: 'right' },
  { header: '%', align: 'right' },
  { header: 'GO' },
  { header: 'TOP PACKAGES GROWN' },
  { header: 'MODULES' },
];

function goVersionText(binary: BinaryDelta): string {
  const { old: before, new: after } = binary.goVersion;
  if (before && after && before !== after) return `${before} → ${after}`;
  return after ?? before ?? '';
}

/** The three packages that grew most, e.g. `main +120 kB, net/http +40 kB`. */
export function topPackagesGrown(binary: BinaryDelta, count = 3): string {
  return binary.packages
    .filter((p) => p.delta > 0)
    .sort((a, b) => b.delta - a.delta)
    .slice(0, count)
    .map((p) => `${p.name} ${formatDelta(p.delta)}`)
    .join(', ');
}

/** `2 added, 1 removed, 3 upgraded` (only the kinds present). */
export function moduleCounts(modules: ModuleChange[]): string {
  const counts = new Map<string, number>();
  for (const m of modules) counts.set(m.change, (counts.get(m.change) ?? 0) + 1);
  return ['added', 'removed', 'upgraded', 'downgraded', 'replaced']
    .filter((kind) => counts.has(kind))
    .map((kind) => `${counts.get(kind)} ${kind}`)
    .join(', ');
}

/** One module change as a line: `+ golang.org/x/net v0.20.0`, `↑ github.com/x/y v1.0.0 → v1.2.0`. */
export function moduleLine(m: ModuleChange): string {
  switch (m.change) {
    case 'added':
      return `+ ${m.path} ${m.newVersion ?? ''}`.trimEnd();
    case 'removed':
      return `- ${m.path} ${m.oldVersion ?? ''}`.trimEnd();
    default:
      return `${m.change === 'upgraded' ? '↑' : m.change === 'downgraded' ? '↓' : '~'} ${m.path} ${m.oldVersion ?? '?'} → ${m.newVersion ?? '?'}`;
  }
}

export function binaryRow(binary: BinaryDelta): string[] {
  const oldSize = binary.old?.size;
  const newSize = binary.new?.size;
  const ratio = oldSize !== undefined && newSize !== undefined ? changeRatio(oldSize, newSize) : undefined;
  return [
    binary.path,
    binary.status,
    oldSize === undefined ? '' : formatBytes(oldSize),
    newSize === undefined ? '' : formatBytes(newSize),
    formatDelta(binary.delta),
    ratio === undefined ? '' : formatPercent(ratio),
    goVersionText(binary),
    topPackagesGrown(binary),
    moduleCounts(binary.modules),
  ];
}
