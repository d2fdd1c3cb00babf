/** Tar entry names → the absolute, normalised paths the filesystem view uses. */
import { posix } from 'node:path';

/** `./usr/bin/x`, `usr/bin/x/`, `/usr//bin/./x` → `/usr/bin/x`; `./` → `/`. */
export function normalizePath(name: string): string {
  const normalized = posix.normalize(`/${name}`);
  // normalize keeps a trailing slash and cannot climb above the root, which is what we want.
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

export function parentOf(path: string): string {
  return posix.dirname(path);
}

export function baseName(path: string): string {
  return posix.basename(path);
}

/** The path components of a normalised path (`/` → []). */
export function segments(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/');
}
