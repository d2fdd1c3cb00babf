/**
 * The whole compare pipeline of docs/design.md §2 for one pair of references: resolve both, scan their layers
 * (when a layer reader is given: Go binaries and uncompressed sizes), classify, and return the ImageDelta.
 * compare, check and every repository of scan run exactly this.
 */
import { advise } from '../advice/rules.js';
import { diffBinaries } from '../delta/binaries.js';
import { buildImageDelta } from '../delta/compare.js';
import type { ImageDelta } from '../delta/types.js';
import { diffFiles } from '../files/delta.js';
import { diffPackages } from '../packages/delta.js';
import { RegistryClientPool } from '../registry/pool.js';
import type { ImageRead, LayerReader } from './layer-reader.js';
import { closeAll, type ResolveOptions, resolveBoth } from './resolve-pair.js';

export interface ComparePipelineOptions extends ResolveOptions {
  /** Fraction (0.05 = ±5%). */
  tolerance: number;
  /** Reads every layer once (shared across pairs in a scan); omit for a layer-only delta (manifests only). */
  layerReader?: LayerReader;
  /** Add the advice on the new image (default true; needs the layer reader). */
  advice?: boolean;
}

export async function compareImages(
  oldReference: string,
  newReference: string,
  options: ComparePipelineOptions,
): Promise<ImageDelta> {
  // Both sides share one client per registry: one token per scope (docs/design.md §7).
  const registries = options.sourceOptions?.registries ?? new RegistryClientPool(options.sourceOptions);
  const pair = await resolveBoth(oldReference, newReference, {
    ...options,
    sourceOptions: { ...options.sourceOptions, registries },
  });
  try {
    if (!options.layerReader)
      return buildImageDelta(pair.old.image, pair.new.image, { tolerance: options.tolerance });
    const [oldRead, newRead] = await options.layerReader.readImages([pair.old, pair.new]);
    const binaries = diffBinaries(oldRead!.filesystem, newRead!.filesystem);
    const delta = buildImageDelta(pair.old.image, pair.new.image, {
      tolerance: options.tolerance,
      readLayers: new Map([...oldRead!.scans, ...newRead!.scans].map((scan) => [scan.digest, scan])),
      binaries,
      ...(await beyondGo(oldRead!, newRead!)),
    });
    if (options.advice === false) return delta;
    const advice = advise({
      image: { image: pair.new.image, ...newRead! },
      baseline: { image: pair.old.image, ...oldRead! },
      binaries,
    });
    return { ...delta, advice };
  } finally {
    await closeAll([pair.old.source, pair.new.source]);
  }
}

/** Files and OS packages (docs/design.md §11), from the same scans. */
async function beyondGo(oldScan: ImageRead, newScan: ImageRead) {
  const packages = await diffPackages(oldScan, newScan);
  return { files: diffFiles(oldScan, newScan), ...(packages ? { packages } : {}) };
}
