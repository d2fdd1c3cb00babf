/** Bytes and shape of one path of a final filesystem, as the file views count them (like `du -b`). */
import type { ImageFile } from '../layer/filesystem.js';
import type { FileState } from './types.js';

/**
 * Regular files count their content; a hard link counts nothing of its own (du counts an inode once:
 * its bytes are with the name that was written first); a symlink counts its target's length, as
 * `du --apparent-size` does; directories and devices count 0 (tar records no size for them).
 */
export function fileState(file: ImageFile): FileState {
  const { entry } = file;
  switch (entry.type) {
    case 'file':
      return { type: 'file', size: entry.size, mode: entry.mode, layer: file.layer };
    case 'hardlink':
      return { type: 'file', size: entry.size, mode: entry.mode, layer: file.layer };
    case 'symlink': {
      const link = entry.linkname ?? '';
      return { type: 'symlink', size: Buffer.byteLength(link), mode: entry.mode, link, layer: file.layer };
    }
    case 'dir':
      return { type: 'dir', size: 0, mode: entry.mode, layer: file.layer };
    default:
      return { type: 'other', size: 0, mode: entry.mode, layer: file.layer };
  }
}

/** The bytes this path adds to its directories' roll-ups (hard links: 0, see fileState). */
export function rollupBytes(file: ImageFile): number {
  if (file.entry.type === 'hardlink') return 0;
  return fileState(file).size;
}

/** Whether the path counts as a file in the roll-ups (regular files, hard links and symlinks). */
export function isCounted(file: ImageFile): boolean {
  const type = file.entry.type;
  return type === 'file' || type === 'hardlink' || type === 'symlink';
}
