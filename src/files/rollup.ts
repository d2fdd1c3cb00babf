/** Directory roll-ups of one final filesystem: bytes and file count below every directory. */
import type { ImageFilesystem } from '../layer/filesystem.js';
import { parentOf } from '../layer/paths.js';
import { isCounted, rollupBytes } from './state.js';
import type { DirectorySize } from './types.js';

export interface DirectoryTotal {
  bytes: number;
  files: number;
}

/** Every directory of the filesystem (`/` included) with the bytes and files below it. */
export function directoryTotals(fs: ImageFilesystem): Map<string, DirectoryTotal> {
  const totals = new Map<string, DirectoryTotal>([['/', { bytes: 0, files: 0 }]]);
  for (const [path, file] of fs.files) {
    if (file.entry.type === 'dir' && !totals.has(path)) totals.set(path, { bytes: 0, files: 0 });
    if (!isCounted(file)) continue;
    const bytes = rollupBytes(file);
    let dir = parentOf(path);
    for (;;) {
      let total = totals.get(dir);
      if (!total) {
        total = { bytes: 0, files: 0 };
        totals.set(dir, total);
      }
      total.bytes += bytes;
      total.files++;
      if (dir === '/') break;
      dir = parentOf(dir);
    }
  }
  return totals;
}

/**
 * The `limit` biggest directories of a filesystem, for a treemap: biggest first, and a parent always
 * before its children (it is at least as big; equal sizes go by path length), so the list is a tree.
 */
export function largestDirectories(
  totals: Map<string, DirectoryTotal>,
  limit: number,
): Array<{ path: string } & DirectoryTotal> {
  return [...totals]
    .map(([path, t]) => ({ path, bytes: t.bytes, files: t.files }))
    .filter((d) => d.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes || a.path.length - b.path.length || compare(a.path, b.path))
    .slice(0, limit);
}

/** A directory whose one child directory holds at least this share of its bytes is explained by that child. */
const DOMINANT_SHARE = 0.9;

/**
 * The directories that explain a size, biggest first: a directory is left out when one of its child
 * directories carries nearly all of its amount with the same sign (the child says it better), and when
 * `skip` says its parent already covers it (e.g. a removed directory covers everything below it).
 */
export function explainingDirectories<T extends { path: string }>(
  items: T[],
  amount: (item: T) => number,
  limit: number,
  skip: (item: T, byPath: Map<string, T>) => boolean = () => false,
): T[] {
  const byPath = new Map(items.map((item) => [item.path, item]));
  const strongestChild = new Map<string, number>();
  for (const item of items) {
    if (item.path === '/') continue;
    const parent = byPath.get(parentOf(item.path));
    if (!parent || Math.sign(amount(item)) !== Math.sign(amount(parent))) continue;
    const value = Math.abs(amount(item));
    if (value > (strongestChild.get(parent.path) ?? 0)) strongestChild.set(parent.path, value);
  }
  return items
    .filter((item) => amount(item) !== 0 && !skip(item, byPath))
    .filter((item) => (strongestChild.get(item.path) ?? 0) < DOMINANT_SHARE * Math.abs(amount(item)))
    .sort((a, b) => Math.abs(amount(b)) - Math.abs(amount(a)) || compare(a.path, b.path))
    .slice(0, limit);
}

/** `inspect`: the directories that explain where one image's bytes are. */
export function biggestDirectories(fs: ImageFilesystem, limit: number): DirectorySize[] {
  const sizes = [...directoryTotals(fs)].map(([path, t]) => ({ path, bytes: t.bytes, files: t.files }));
  return explainingDirectories(sizes, (d) => d.bytes, limit);
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
