/**
 * The file delta between two final filesystems (docs/design.md §11): every path added, removed or
 * changed (type, size, mode, symlink target), rolled up into directories, plus wasted bytes per side.
 * Content identity is not compared: a file rewritten with the same size and mode is not reported.
 */

import { parentOf } from '../layer/paths.js';
import type { ImageRead } from '../pipeline/layer-reader.js';
import { compare, directoryTotals, explainingDirectories, largestDirectories } from './rollup.js';
import { fileState } from './state.js';
import type { DirectoryDelta, FileChange, FileState, FilesDelta, FilesSide } from './types.js';
import { wastedBytes } from './wasted.js';

export function diffFiles(oldImage: ImageRead, newImage: ImageRead): FilesDelta {
  const oldFs = oldImage.filesystem;
  const newFs = newImage.filesystem;
  const oldDirs = directoryTotals(oldFs);
  const newDirs = directoryTotals(newFs);
  const directories = diffDirectories(oldDirs, newDirs);
  // A directory added or removed as a whole is said by its roll-up; its own entry is not repeated.
  const wholeDirs = new Set(directories.filter((d) => d.change !== 'changed').map((d) => d.path));

  const files: FileChange[] = [];
  const delta: FilesDelta = {
    old: side(oldImage, oldDirs.get('/')!),
    new: side(newImage, newDirs.get('/')!),
    added: { count: 0, bytes: 0 },
    removed: { count: 0, bytes: 0 },
    changed: { count: 0, delta: 0 },
    wastedDelta: 0,
    directories,
    largestDirectories: largestNew(oldDirs, newDirs),
    files,
  };
  delta.wastedDelta = delta.new.wasted.bytes - delta.old.wasted.bytes;

  for (const [path, file] of newFs.files) {
    const after = fileState(file);
    const previous = oldFs.files.get(path);
    if (!previous) {
      if (after.type === 'dir' && wholeDirs.has(path)) continue;
      files.push({ path, change: 'added', new: after, delta: after.size });
      if (after.type !== 'dir') {
        delta.added.count++;
        delta.added.bytes += after.size;
      }
      continue;
    }
    const before = fileState(previous);
    const fields = differences(before, after);
    if (fields.length === 0) continue;
    files.push({ path, change: 'changed', old: before, new: after, delta: after.size - before.size, fields });
    delta.changed.count++;
    delta.changed.delta += after.size - before.size;
  }
  for (const [path, file] of oldFs.files) {
    if (newFs.files.has(path)) continue;
    const before = fileState(file);
    if (before.type === 'dir' && wholeDirs.has(path)) continue;
    files.push({ path, change: 'removed', old: before, delta: -before.size });
    if (before.type !== 'dir') {
      delta.removed.count++;
      delta.removed.bytes += before.size;
    }
  }
  files.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || compare(a.path, b.path));
  return delta;
}

/** Directories in the treemap: enough to show three or four levels of a distribution image. */
export const TREEMAP_DIRECTORIES = 300;

function largestNew(
  oldDirs: Map<string, { bytes: number; files: number }>,
  newDirs: Map<string, { bytes: number; files: number }>,
): DirectoryDelta[] {
  return largestDirectories(newDirs, TREEMAP_DIRECTORIES).map((d) => {
    const before = oldDirs.get(d.path);
    return {
      path: d.path,
      change: before ? 'changed' : 'added',
      oldBytes: before?.bytes ?? 0,
      newBytes: d.bytes,
      delta: d.bytes - (before?.bytes ?? 0),
      oldFiles: before?.files ?? 0,
      newFiles: d.files,
    };
  });
}

function side(image: ImageRead, root: { bytes: number; files: number }): FilesSide {
  return { files: root.files, bytes: root.bytes, wasted: wastedBytes(image.scans, image.filesystem) };
}

function differences(before: FileState, after: FileState): NonNullable<FileChange['fields']> {
  const fields: NonNullable<FileChange['fields']> = [];
  if (before.type !== after.type) fields.push('type');
  if (before.size !== after.size) fields.push('size');
  if ((before.mode & 0o7777) !== (after.mode & 0o7777)) fields.push('mode');
  if (before.link !== after.link) fields.push('link');
  return fields;
}

function diffDirectories(
  oldDirs: Map<string, { bytes: number; files: number }>,
  newDirs: Map<string, { bytes: number; files: number }>,
): DirectoryDelta[] {
  const result: DirectoryDelta[] = [];
  for (const path of new Set([...oldDirs.keys(), ...newDirs.keys()])) {
    const before = oldDirs.get(path);
    const after = newDirs.get(path);
    const oldBytes = before?.bytes ?? 0;
    const newBytes = after?.bytes ?? 0;
    const change = !before ? 'added' : !after ? 'removed' : 'changed';
    if (change === 'changed' && oldBytes === newBytes && before!.files === after!.files) continue;
    result.push({
      path,
      change,
      oldBytes,
      newBytes,
      delta: newBytes - oldBytes,
      oldFiles: before?.files ?? 0,
      newFiles: after?.files ?? 0,
    });
  }
  return result.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || compare(a.path, b.path));
}

/**
 * The directories that explain the growth, for a top-N table: below an added or removed directory
 * nothing more is said, and a directory that one child explains gives way to that child.
 */
export function topDirectories(directories: DirectoryDelta[], limit: number): DirectoryDelta[] {
  return explainingDirectories(
    directories,
    (d) => d.delta,
    limit,
    (d, byPath) => {
      const parent = d.path === '/' ? undefined : byPath.get(parentOf(d.path));
      return parent !== undefined && parent.change !== 'changed';
    },
  );
}
