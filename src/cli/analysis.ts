/**
 * What compare and check share beyond report flags: reading layers (cache, binaries on/off,
 * download concurrency, progress bar) and running the compare pipeline with them.
 */
import { Flags } from '@oclif/core';
import type { ImageDelta } from '../delta/types.js';
import { compareImages } from '../pipeline/compare.js';
import { LayerScanner } from '../pipeline/scan-image.js';
import type { Platform } from '../source/types.js';
import { cacheFlags, scanCacheFromFlags } from './cache-flags.js';
import { createProgressBar } from './progress.js';

export const analysisFlags = {
  ...cacheFlags,
  'no-binaries': Flags.boolean({
    description:
      'Compare manifests only: no layer is downloaded, so no Go binaries and no uncompressed sizes.',
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
  concurrency?: number;
  quiet?: boolean;
}

/** A LayerScanner as the flags say (cache, concurrency), with a progress bar on a TTY while `work` runs. */
export async function withScanner<T>(
  flags: AnalysisFlagValues,
  work: (scanner: LayerScanner) => Promise<T>,
): Promise<T> {
  const progress = createProgressBar({ quiet: flags.quiet ?? false });
  const scanner = new LayerScanner({
    cache: scanCacheFromFlags(flags),
    concurrency: flags.concurrency ?? 4,
    ...(progress ? { onProgress: (p) => progress.update(p) } : {}),
  });
  try {
    return await work(scanner);
  } finally {
    progress?.finish();
  }
}

/** Run the compare pipeline as the flags say: layers only with --no-binaries, else through a scanner. */
export async function compareWithFlags(
  oldReference: string,
  newReference: string,
  options: { tolerance: number; platform?: Platform | undefined },
  flags: AnalysisFlagValues,
): Promise<ImageDelta> {
  const base = { tolerance: options.tolerance, ...(options.platform ? { platform: options.platform } : {}) };
  if (flags['no-binaries']) return await compareImages(oldReference, newReference, base);
  return await withScanner(flags, (scanner) =>
    compareImages(oldReference, newReference, { ...base, scanner }),
  );
}
