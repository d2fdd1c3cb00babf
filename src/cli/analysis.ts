/**
 * What compare and check share beyond report flags: reading layers (cache, binaries on/off,
 * download concurrency, progress bar) and running the compare pipeline with them.
 */
import { Flags } from '@oclif/core';
import type { ImageDelta } from '../delta/types.js';
import { compareImages } from '../pipeline/compare.js';
import { comparePlatforms, type PlatformDeltas } from '../pipeline/compare-platforms.js';
import { LayerReader } from '../pipeline/layer-reader.js';
import type { Platform } from '../source/types.js';
import { cacheFlags, layerCacheFromFlags } from './cache-flags.js';
import { createProgressBar } from './progress.js';

export const analysisFlags = {
  ...cacheFlags,
  'no-binaries': Flags.boolean({
    description:
      'Compare manifests only: no layer is downloaded, so no Go binaries and no uncompressed sizes.',
    default: false,
  }),
  'no-advice': Flags.boolean({
    description: 'Leave out the advice (what would make the image smaller, with the bytes each step saves).',
    default: false,
  }),
  concurrency: Flags.integer({
    description: 'Layer blobs downloaded and scanned at once.',
    default: 4,
    min: 1,
  }),
};

export interface AnalysisFlagValues {
  'cache-dir'?: string | undefined;
  'no-cache'?: boolean;
  'no-binaries'?: boolean;
  'no-advice'?: boolean;
  concurrency?: number;
  quiet?: boolean;
}

/** A LayerReader as the flags say (cache, concurrency), with a progress bar on a TTY while `work` runs. */
export async function withLayerReader<T>(
  flags: AnalysisFlagValues,
  work: (layerReader: LayerReader) => Promise<T>,
): Promise<T> {
  const progress = createProgressBar({ quiet: flags.quiet ?? false });
  const layerReader = new LayerReader({
    cache: layerCacheFromFlags(flags),
    concurrency: flags.concurrency ?? 4,
    ...(progress ? { onProgress: (p) => progress.update(p) } : {}),
  });
  try {
    return await work(layerReader);
  } finally {
    progress?.finish();
  }
}

/** Run the compare pipeline as the flags say: layers only with --no-binaries, else through a layer reader. */
export async function compareWithFlags(
  oldReference: string,
  newReference: string,
  options: { tolerance: number; platform?: Platform | undefined },
  flags: AnalysisFlagValues,
): Promise<ImageDelta> {
  const base = { tolerance: options.tolerance, ...(options.platform ? { platform: options.platform } : {}) };
  if (flags['no-binaries']) return await compareImages(oldReference, newReference, base);
  return await withLayerReader(flags, (layerReader) =>
    compareImages(oldReference, newReference, { ...base, layerReader, advice: !flags['no-advice'] }),
  );
}

/** `--platform all`: every platform pair through the same pipeline, one layer reader for all of them. */
export async function comparePlatformsWithFlags(
  oldReference: string,
  newReference: string,
  options: { tolerance: number },
  flags: AnalysisFlagValues,
): Promise<PlatformDeltas> {
  if (flags['no-binaries']) return await comparePlatforms(oldReference, newReference, options);
  return await withLayerReader(flags, (layerReader) =>
    comparePlatforms(oldReference, newReference, { ...options, layerReader, advice: !flags['no-advice'] }),
  );
}
