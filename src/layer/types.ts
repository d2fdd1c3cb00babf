import type { GoBinaryReport, NotAnalysable } from '../golang/types.js';
import type { Compression } from '../oci/compression.js';

/** A tar entry as the filesystem view needs it (no content). */
export interface FileEntry {
  /** Normalised absolute path inside the image, e.g. `/usr/local/bin/app` (no `./`, no trailing `/`). */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  size: number;
  mode: number;
  /** Target for symlinks and hard links (hard links: normalised absolute path). */
  linkname?: string;
}

/** The result of reading one layer blob once; cached by layer digest. */
export interface LayerRead {
  /** Compressed (blob) digest: the cache key. */
  digest: string;
  compressedSize: number;
  /** Length of the decompressed tar stream. */
  uncompressedSize: number;
  /** Digest of the decompressed tar (diff_id). */
  diffId: string;
  compression: Compression;
  entries: FileEntry[];
  /** Paths deleted by `.wh.NAME` entries (the path that is removed). */
  whiteouts: string[];
  /** Directories made opaque by `.wh..wh..opq`. */
  opaqueDirs: string[];
  /** Go executables by path; the analysis of each regular file recognised as a Go ELF. */
  goBinaries: Record<string, GoBinaryReport>;
  /** ELF executables that are not analysable Go binaries, with the reason. */
  otherExecutables: Record<string, NotAnalysable>;
  /** Set when the blob was not downloaded (a foreign layer): why; sizes and contents are then unknown (0, empty). */
  notDownloaded?: string;
  /**
   * The package database files this layer writes (dpkg status, status.d, info/*.list, apk installed,
   * rpmdb.sqlite), base64 by path: the only non-ELF content kept (docs/design.md §11).
   */
  packageFiles: Record<string, string>;
}
