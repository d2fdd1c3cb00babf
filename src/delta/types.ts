import type { AdviceItem } from '../advice/types.js';
import type { GoBinaryDiff, GoBinaryReport } from '../golang/types.js';
import type { Platform } from '../source/types.js';

/** Layer status of docs/design.md §3. Exactly these four strings appear in the JSON. */
export type LayerStatus = 'new' | 'removed' | 'reused' | 'changed';

/** Input of classification: one layer of one side. */
export interface LayerInput {
  digest: string;
  /** Compressed size from the manifest. */
  size: number;
  /** `created_by` of the layer's history entry, when known. */
  createdBy?: string;
}

export interface LayerSide {
  index: number;
  digest: string;
  /** Compressed (manifest) size in bytes. */
  size: number;
  /** Uncompressed tar length, when the layer was read. */
  uncompressedSize?: number;
  createdBy?: string;
}

export interface LayerChange {
  status: LayerStatus;
  old?: LayerSide;
  new?: LayerSide;
  /** new.size - old.size (compressed); for new: +new.size, removed: -old.size, reused: 0. */
  delta: number;
  /** Only for `changed`: |delta| > tolerance * old.size. */
  significant?: boolean;
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
  layers: LayerChange[];
  totals: {
    compressedDelta: number;
    uncompressedDelta?: number;
    byStatus: Record<LayerStatus, { count: number; bytes: number }>;
    significantChanges: number;
  };
  /** Absent when binaries were not analysed (e.g. `--no-binaries`). */
  binaries?: BinaryDelta[];
  /** What would make the new image smaller (src/advice/); absent when layers were not read or with --no-advice. */
  advice?: AdviceItem[];
}
