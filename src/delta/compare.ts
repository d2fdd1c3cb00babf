/**
 * The image delta: two resolved images in, one ImageDelta out (pure), plus the thin async step that
 * opens and resolves both references. Go binaries and uncompressed sizes come from the layer scan
 * and are passed in when the caller has them.
 */
import { formatReference, parseReference } from '../reference/reference.js';
import { type OpenSourceOptions, openSource } from '../source/open.js';
import type { ImageSource, Platform, ResolvedImage } from '../source/types.js';
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

export interface OpenedImage {
  source: ImageSource;
  image: ResolvedImage;
}

export interface ResolveOptions {
  /** Default linux/amd64 (the source decides and says which it picked). */
  platform?: Platform;
  /** Credentials, timeouts, insecure registries: passed to openSource for both images. */
  sourceOptions?: OpenSourceOptions;
}

/**
 * Open and resolve both references (concurrently). The caller closes the sources (`closeAll`) once
 * it has read what it needs from them, e.g. layer blobs for the binary scan.
 */
export async function resolveBoth(
  oldReference: string,
  newReference: string,
  options: ResolveOptions = {},
): Promise<{ old: OpenedImage; new: OpenedImage }> {
  // Parse both first: a typo in the second reference should not cost a network round trip.
  const oldRef = parseReference(oldReference);
  const newRef = parseReference(newReference);
  const open = async (ref: typeof oldRef): Promise<OpenedImage> => {
    const source = await openSource(ref, options.sourceOptions);
    try {
      return { source, image: await source.resolve(options.platform) };
    } catch (error) {
      await source.close();
      throw error;
    }
  };
  // Settle both before deciding, so a failure on one side never leaves the other source open.
  const [oldResult, newResult] = await Promise.allSettled([open(oldRef), open(newRef)]);
  if (oldResult.status === 'fulfilled' && newResult.status === 'fulfilled') {
    return { old: oldResult.value, new: newResult.value };
  }
  await closeAll([oldResult, newResult].flatMap((r) => (r.status === 'fulfilled' ? [r.value.source] : [])));
  throw oldResult.status === 'rejected' ? oldResult.reason : (newResult as PromiseRejectedResult).reason;
}

export async function closeAll(sources: ImageSource[]): Promise<void> {
  await Promise.allSettled(sources.map((s) => s.close()));
}
