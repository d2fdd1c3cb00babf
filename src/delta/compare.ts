/**
 * The image delta: two resolved images in, one ImageDelta out (pure; opening the images is
 * pipeline/resolve-pair.ts). Go binaries and uncompressed sizes come from the layer scan and are
 * passed in when the caller has them.
 */
import { formatReference } from '../reference/reference.js';
import type { ResolvedImage } from '../source/types.js';
import { classifyLayers } from './classify.js';
import type { BinaryDelta, ImageDelta, ImageSummary, LayerChange, LayerStatus } from './types.js';

export interface ImageDeltaOptions {
  /** Fraction (0.05 = ±5%). */
  tolerance: number;
  /** Uncompressed tar length by layer digest, for the layers that were read. */
  uncompressedSizes?: Map<string, number>;
  /** Binary deltas, when Go binaries were analysed. */
  binaries?: BinaryDelta[];
}

function summarize(image: ResolvedImage, uncompressedSizes?: Map<string, number>): ImageSummary {
  const summary: ImageSummary = {
    reference: formatReference(image.reference),
    manifestDigest: image.manifestDigest,
    platform: image.platform,
    layerCount: image.layers.length,
    compressedSize: image.layers.reduce((sum, l) => sum + l.descriptor.size, 0),
  };
  const uncompressed = image.layers.map((l) => uncompressedSizes?.get(l.descriptor.digest));
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
  const toInput = (image: ResolvedImage) =>
    image.layers.map((l) => ({
      digest: l.descriptor.digest,
      size: l.descriptor.size,
      ...(l.createdBy ? { createdBy: l.createdBy } : {}),
    }));
  const layers: LayerChange[] = classifyLayers(toInput(oldImage), toInput(newImage), options.tolerance);
  const sizes = options.uncompressedSizes;
  if (sizes) {
    for (const change of layers) {
      for (const side of [change.old, change.new]) {
        const size = side && sizes.get(side.digest);
        if (side && size !== undefined) side.uncompressedSize = size;
      }
    }
  }

  const byStatus = emptyByStatus();
  for (const change of layers) {
    const side = change.status === 'removed' ? change.old : change.new;
    byStatus[change.status].count++;
    byStatus[change.status].bytes += side?.size ?? 0;
  }
  const oldSummary = summarize(oldImage, sizes);
  const newSummary = summarize(newImage, sizes);
  const delta: ImageDelta = {
    schemaVersion: 1,
    old: oldSummary,
    new: newSummary,
    tolerance: options.tolerance,
    layers,
    totals: {
      compressedDelta: newSummary.compressedSize - oldSummary.compressedSize,
      byStatus,
      significantChanges: layers.filter((l) => l.significant === true).length,
    },
  };
  if (oldSummary.uncompressedSize !== undefined && newSummary.uncompressedSize !== undefined) {
    delta.totals.uncompressedDelta = newSummary.uncompressedSize - oldSummary.uncompressedSize;
  }
  if (options.binaries) delta.binaries = options.binaries;
  return delta;
}
