/**
 * `--platform all` (docs/design.md §7): every image platform of both indexes (attestations skipped),
 * paired by os/arch/variant, each pair through the same compare pipeline with one layer reader and
 * one client pool, so a blob two platforms share is fetched once. A platform on one side only is
 * reported as added or removed.
 */
import type { ImageDelta } from '../delta/types.js';
import { RegistryClientPool } from '../registry/pool.js';
import { formatPlatform, normalizePlatform } from '../source/platform.js';
import type { Platform } from '../source/types.js';
import { type ComparePipelineOptions, compareImages } from './compare.js';
import { closeAll, resolveBoth } from './resolve-pair.js';

export interface PlatformDelta {
  /** `os/arch[/variant]` as the new index names it. */
  platform: string;
  delta: ImageDelta;
}

export interface PlatformDeltas {
  platforms: PlatformDelta[];
  /** Platforms only the new image has. */
  added: string[];
  /** Platforms only the old image has. */
  removed: string[];
}

const key = (platform: Platform) => formatPlatform(normalizePlatform(platform));

/** Pair two platform lists by their normalised os/arch/variant, in the new list's order. */
export function pairPlatforms(
  old: Platform[],
  fresh: Platform[],
): { pairs: Array<{ old: Platform; new: Platform }>; added: Platform[]; removed: Platform[] } {
  const oldByKey = new Map(old.map((p) => [key(p), p]));
  const newKeys = new Set(fresh.map(key));
  const pairs = fresh.flatMap((p) => {
    const match = oldByKey.get(key(p));
    return match ? [{ old: match, new: p }] : [];
  });
  return {
    pairs,
    added: fresh.filter((p) => !oldByKey.has(key(p))),
    removed: old.filter((p) => !newKeys.has(key(p))),
  };
}

export async function comparePlatforms(
  oldReference: string,
  newReference: string,
  options: Omit<ComparePipelineOptions, 'platform'>,
): Promise<PlatformDeltas> {
  const registries = options.sourceOptions?.registries ?? new RegistryClientPool(options.sourceOptions);
  const sourceOptions = { ...options.sourceOptions, registries };
  const listed = await resolveBoth(oldReference, newReference, { platform: 'any', sourceOptions });
  await closeAll([listed.old.source, listed.new.source]);
  const { pairs, added, removed } = pairPlatforms(
    listed.old.image.availablePlatforms,
    listed.new.image.availablePlatforms,
  );
  const platforms: PlatformDelta[] = [];
  // One after another: the layer reader's concurrency already bounds the downloads.
  for (const pair of pairs) {
    const delta = await compareImages(oldReference, newReference, {
      ...options,
      sourceOptions,
      platform: pair.new,
    });
    platforms.push({ platform: formatPlatform(pair.new), delta });
  }
  return { platforms, added: added.map(formatPlatform), removed: removed.map(formatPlatform) };
}
