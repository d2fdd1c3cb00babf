/** The file view of docs/design.md §11: what changed between two final filesystems, and wasted bytes. */
import type { FileEntry } from '../layer/types.js';

/** One path on one side. Hard links are regular files here: the final filesystem has no links, only names. */
export interface FileState {
  type: 'file' | 'dir' | 'symlink' | 'other';
  /** Content bytes (regular files), target length (symlinks), 0 otherwise. */
  size: number;
  mode: number;
  /** Symlink target. */
  link?: string;
  /** Index of the layer that last wrote the path. */
  layer: number;
}

export type FileChangeKind = 'added' | 'removed' | 'changed';

export interface FileChange {
  path: string;
  change: FileChangeKind;
  old?: FileState;
  new?: FileState;
  /** new.size - old.size (missing side: 0). */
  delta: number;
  /** What differs, for `changed`. */
  fields?: Array<'type' | 'size' | 'mode' | 'link'>;
}

/** A directory's roll-up: the bytes of every regular file and symlink below it, on each side. */
export interface DirectoryDelta {
  path: string;
  change: FileChangeKind;
  oldBytes: number;
  newBytes: number;
  delta: number;
  oldFiles: number;
  newFiles: number;
}

/** Bytes a layer wrote that a later layer hides (overwritten, whited out, under an opaque directory). */
export interface LayerWaste {
  /** Layer index in its image. */
  index: number;
  digest: string;
  bytes: number;
  files: number;
}

export interface WastedBytes {
  bytes: number;
  files: number;
  /** Every layer of the image, in order (0 where nothing is hidden). */
  byLayer: LayerWaste[];
}

export interface FilesSide {
  /** Regular files and symlinks of the final filesystem. */
  files: number;
  bytes: number;
  wasted: WastedBytes;
}

export interface FilesDelta {
  old: FilesSide;
  new: FilesSide;
  added: { count: number; bytes: number };
  removed: { count: number; bytes: number };
  changed: { count: number; delta: number };
  wastedDelta: number;
  /** Every directory that was added, removed or whose bytes changed; by |delta|, then path. */
  directories: DirectoryDelta[];
  /**
   * The new image's biggest directories, with their old bytes (at most TREEMAP_DIRECTORIES; a parent
   * always before its children): the directory treemap of the HTML report.
   */
  largestDirectories: DirectoryDelta[];
  /** Every path (not a directory added or removed as a whole's own entry) that differs; by |delta|, then path. */
  files: FileChange[];
}

/** `inspect`: one image's biggest directories. */
export interface DirectorySize {
  path: string;
  bytes: number;
  files: number;
}

export type { FileEntry };
