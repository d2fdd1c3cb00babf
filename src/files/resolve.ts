/**
 * Path resolution through directory symlinks of the final filesystem: a package database may list
 * `/bin/ls` where the file lives at `/usr/bin/ls` because `/bin` is a symlink to `usr/bin` (Debian's
 * merged /usr). Only the parent directories are resolved; the last component is the path itself.
 */
import type { ImageFilesystem } from '../layer/filesystem.js';
import { normalizePath, parentOf, segments } from '../layer/paths.js';

/** Symlink hops followed before giving up (Linux's limit, MAXSYMLINKS). */
const MAX_HOPS = 40;

export function resolveParents(fs: ImageFilesystem, path: string): string {
  let hops = 0;
  let resolved = '';
  const parts = segments(normalizePath(path));
  const last = parts.pop();
  if (last === undefined) return '/';
  while (parts.length > 0) {
    const name = parts.shift()!;
    const candidate = `${resolved}/${name}`;
    const entry = fs.files.get(candidate)?.entry;
    if (entry?.type === 'symlink' && entry.linkname !== undefined && hops < MAX_HOPS) {
      hops++;
      const target = entry.linkname.startsWith('/')
        ? entry.linkname
        : `${parentOf(candidate)}/${entry.linkname}`;
      // Walk the target's components again: they may be symlinks too.
      parts.unshift(...segments(normalizePath(target)));
      resolved = '';
      continue;
    }
    resolved = candidate;
  }
  return `${resolved}/${last}`;
}
