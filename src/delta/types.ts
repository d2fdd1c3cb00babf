import type { AdviceItem } from '../advice/types.js';
import type { FilesDelta } from '../files/types.js';
import type { GoBinaryDiff, GoBinaryReport } from '../golang/types.js';
import type { LayerRead } from '../layer/types.js';
import type { Compression } from '../oci/compression.js';
import type { PackagesDelta } from '../packages/types.js';
import type { Platform } from '../source/types.js';

/** Layer status of docs/design.md §3. Exactly these four strings appear in the JSON. */
export type LayerStatus = 'new' | 'removed' | 'reused' | 'changed';

/** How a layer blob is stored: compressed with gzip or zstd, or a plain tar (`none`). */
export type LayerEncoding = Compression;

/**
 * Input of classification: one layer of one side. `diffId` is the content identity; without it the
 * blob digest stands in (docs/design.md §3).
 */
export interface LayerInput {
  digest: string;
  /** Compressed size from the manifest. */
  size: number;
  /** sha256 of the uncompressed tar: from the config's rootfs.diff_ids, else from reading the layer. */
  diffId?: string;
  /** `created_by` of the layer's history entry, when known. */
  createdBy?: string;
  /** Uncompressed tar length, when the layer was read. */
  uncompressedSize?: number;
  /** What the layer writes, when it was read: the evidence for pairing by content. */
  files?: LayerFiles;
  /** Why the layer was not downloaded (a foreign layer); its uncompressed size is then unknown. */
  notDownloaded?: string;
}

/** What a layer writes and deletes, as reading it recorded (a LayerRead is one). */
export type LayerFiles = Pick<LayerRead, 'entries' | 'whiteouts' | 'opaqueDirs'>;

/** Which evidence paired an old and a new layer as the same build step (docs/design.md §3). */
export type PairEvidence = 'instruction' | 'content' | 'order';

export interface LayerSide {
  index: number;
  digest: string;
  /** Compressed (manifest) size in bytes. */
  size: number;
  /** sha256 of the uncompressed tar, when known (config or layer read). */
  diffId?: string;
  /** Uncompressed tar length, when the layer was read. */
  uncompressedSize?: number;
  createdBy?: string;
  /** Why the layer was not downloaded (a foreign layer: docs/design.md §7); no uncompressed size then. */
  notDownloaded?: string;
}

export interface LayerChange {
  status: LayerStatus;
  old?: LayerSide;
  new?: LayerSide;
  /**
   * new.size - old.size (compressed); for new: +new.size, removed: -old.size, reused: 0 (also when
   * recompressed: that difference is `storedDelta`, never growth).
   */
  delta: number;
  /** Only for `changed`: |delta| > tolerance * old.size, on the sizes named by `ImageDelta.judgedSizes`. */
  significant?: boolean;
  /** Only for `changed`: what paired the two layers. */
  evidence?: PairEvidence;
  /** Only for `reused`: the same content stored as another blob (gzip level, zstd, plain tar). */
  recompressed?: boolean;
  /** Only for recompressed layers: new.size - old.size, the stored-size difference of re-encoding. */
  storedDelta?: number;
}

export interface ImageSummary {
  reference: string;
  manifestDigest: string;
  platform: Platform;
  layerCount: number;
  compressedSize: number;
  /** Present when every layer was read. */
  uncompressedSize?: number;
}

export type BinaryStatus = 'added' | 'removed' | 'changed' | 'unchanged';

/** A Go binary paired by path across the two images; the diff part comes from golang/diff.ts. */
export interface BinaryDelta extends GoBinaryDiff {
  path: string;
  status: BinaryStatus;
  /** Layer index (in its image) that last wrote the file. */
  oldLayer?: number;
  newLayer?: number;
  old?: GoBinaryReport;
  new?: GoBinaryReport;
}

/** The whole answer of compare/check; renderers and metrics read only this. */
export interface ImageDelta {
  schemaVersion: 1;
  old: ImageSummary;
  new: ImageSummary;
  /** Tolerance as a fraction (0.05 = ±5%). */
  tolerance: number;
  /**
   * Whether stored (compressed) sizes of the two sides can be compared: not when the sides store
   * their layers in different encodings (a docker-archive's plain tars against gzip blobs).
   */
  storedSizes: { comparable: boolean; old: LayerEncoding[]; new: LayerEncoding[] };
  /**
   * The sizes significance and `check` thresholds judge: compressed, or uncompressed when stored
   * sizes are not comparable and every layer was read.
   */
  judgedSizes: 'compressed' | 'uncompressed';
  layers: LayerChange[];
  totals: {
    /** new.compressedSize - old.compressedSize: recompression included. */
    compressedDelta: number;
    uncompressedDelta?: number;
    byStatus: Record<LayerStatus, { count: number; bytes: number }>;
    significantChanges: number;
    /** Reused layers stored as another blob, and the sum of their stored-size differences. */
    recompressed: { count: number; storedDelta: number };
  };
  /** Absent when binaries were not analysed (e.g. `--no-binaries`). */
  binaries?: BinaryDelta[];
  /** File delta and wasted bytes (docs/design.md §11); present when the layers were read. */
  files?: FilesDelta;
  /** OS packages (docs/design.md §11); present when the layers were read and either image has a database. */
  packages?: PackagesDelta;
  /** What would make the new image smaller (src/advice/); absent when layers were not read or with --no-advice. */
  advice?: AdviceItem[];
}
