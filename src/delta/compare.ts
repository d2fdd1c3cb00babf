/**
 * The image delta: two resolved images in, one ImageDelta out (pure; opening the images is
 * pipeline/resolve-pair.ts). Go binaries and uncompressed sizes come from the layer scan and are
 * passed in when the caller has them.
 */
import type { FilesDelta } from '../files/types.js';
import type { LayerRead } from '../layer/types.js';
import { compressionFromMediaType } from '../oci/compression.js';
import type { PackagesDelta } from '../packages/types.js';
import { formatReference } from '../reference/reference.js';
import type { ResolvedImage } from '../source/types.js';
import { classifyLayers } from './classify.js';
import type {
  BinaryDelta,
  ImageDelta,
  ImageSummary,
  LayerChange,
  LayerEncoding,
  LayerFiles,
  LayerInput,
  LayerStatus,
} from './types.js';

export interface ImageDeltaOptions {
  /** Fraction (0.05 = ±5%). */
  tolerance: number;
  /** Uncompressed tar length by layer digest, for the layers that were read. */
  uncompressedSizes?: Map<string, number>;
  /** What reading each layer found (by layer digest): sizes, diff_id and files, the evidence of pairing. */
  readLayers?: Map<string, ReadLayer>;
  /** Binary deltas, when Go binaries were analysed. */
  binaries?: BinaryDelta[];
  files?: FilesDelta;
  packages?: PackagesDelta;
}

/** The facts of a layer read that the layer delta uses (a LayerRead is one). */
export type ReadLayer = LayerFiles & Pick<LayerRead, 'uncompressedSize' | 'diffId' | 'notDownloaded'>;

function summarize(
  image: ResolvedImage,
  uncompressedSize: (digest: string) => number | undefined,
): ImageSummary {
  const summary: ImageSummary = {
    reference: formatReference(image.reference),
    manifestDigest: image.manifestDigest,
    platform: image.platform,
    layerCount: image.layers.length,
    compressedSize: image.layers.reduce((sum, l) => sum + l.descriptor.size, 0),
  };
  const uncompressed = image.layers.map((l) => uncompressedSize(l.descriptor.digest));
  if (uncompressed.every((size) => size !== undefined)) {
    summary.uncompressedSize = uncompressed.reduce((sum: number, size) => sum + size!, 0);
  }
  return summary;
}

function emptyByStatus(): Record<LayerStatus, { count: number; bytes: number }> {
  return {
    new: { count: 0, bytes: 0 },
    removed: { count: 0, bytes: 0 },
    reused: { count: 0, bytes: 0 },
    changed: { count: 0, bytes: 0 },
  };
}

/** The encodings an image stores its layers in, sorted. */
function encodings(image: ResolvedImage): LayerEncoding[] {
  const found = new Set<LayerEncoding>();
  for (const layer of image.layers) {
    const encoding = compressionFromMediaType(layer.descriptor.mediaType);
    if (encoding) found.add(encoding);
  }
  return [...found].sort();
}

/**
 * Stored sizes compare when both sides store their layers in the same encodings (docs/design.md §3.4);
 * an image without layers compares with anything.
 */
function storedSizes(oldImage: ResolvedImage, newImage: ResolvedImage): ImageDelta['storedSizes'] {
  const old = encodings(oldImage);
  const recent = encodings(newImage);
  const comparable = old.length === 0 || recent.length === 0 || old.join() === recent.join();
  return { comparable, old, new: recent };
}

/**
 * Classify the layers of two images of the same platform and total them up. `byStatus[s].bytes` is
 * the compressed size of the layers with that status as they are in the new image (in the old image
 * for `removed`).
 */
export function buildImageDelta(
  oldImage: ResolvedImage,
  newImage: ResolvedImage,
  options: ImageDeltaOptions,
): ImageDelta {
  const read = options.readLayers;
  // A layer that was not downloaded has no known uncompressed size (its read says 0).
  const uncompressedSize = (digest: string) => {
    const scan = read?.get(digest);
    if (scan?.notDownloaded !== undefined) return undefined;
    return scan?.uncompressedSize ?? options.uncompressedSizes?.get(digest);
  };
  const toInput = (image: ResolvedImage): LayerInput[] =>
    image.layers.map((l) => {
      const digest = l.descriptor.digest;
      const input: LayerInput = { digest, size: l.descriptor.size };
      const scan = read?.get(digest);
      const diffId = l.diffId ?? (scan?.notDownloaded === undefined ? scan?.diffId : undefined);
      if (diffId !== undefined) input.diffId = diffId;
      if (scan?.notDownloaded !== undefined) input.notDownloaded = scan.notDownloaded;
      if (l.createdBy) input.createdBy = l.createdBy;
      const size = uncompressedSize(digest);
      if (size !== undefined) input.uncompressedSize = size;
      if (scan) input.files = scan;
      return input;
    });

  const oldSummary = summarize(oldImage, uncompressedSize);
  const newSummary = summarize(newImage, uncompressedSize);
  const stored = storedSizes(oldImage, newImage);
  const everyLayerRead =
    oldSummary.uncompressedSize !== undefined && newSummary.uncompressedSize !== undefined;
  const judgedSizes = !stored.comparable && everyLayerRead ? 'uncompressed' : 'compressed';
  const layers: LayerChange[] = classifyLayers(toInput(oldImage), toInput(newImage), {
    tolerance: options.tolerance,
    judgedSizes,
  });

  const byStatus = emptyByStatus();
  const recompressed = { count: 0, storedDelta: 0 };
  for (const change of layers) {
    const side = change.status === 'removed' ? change.old : change.new;
    byStatus[change.status].count++;
    byStatus[change.status].bytes += side?.size ?? 0;
    if (change.recompressed) {
      recompressed.count++;
      recompressed.storedDelta += change.storedDelta ?? 0;
    }
  }
  const delta: ImageDelta = {
    schemaVersion: 1,
    old: oldSummary,
    new: newSummary,
    tolerance: options.tolerance,
    storedSizes: stored,
    judgedSizes,
    layers,
    totals: {
      compressedDelta: newSummary.compressedSize - oldSummary.compressedSize,
      byStatus,
      significantChanges: layers.filter((l) => l.significant === true).length,
      recompressed,
    },
  };
  if (everyLayerRead) {
    delta.totals.uncompressedDelta = newSummary.uncompressedSize! - oldSummary.uncompressedSize!;
  }
  if (options.binaries) delta.binaries = options.binaries;
  if (options.files) delta.files = options.files;
  if (options.packages) delta.packages = options.packages;
  return delta;
}
