/**
 * Content overlap of two layers (docs/design.md §3, evidence b): the share of their bytes written at
 * paths both layers write. `COPY app-v1 /app` and `COPY app-v2 /app` overlap wholly although their
 * instructions and bytes differ; a layer of static files and a layer of binaries do not overlap at all.
 *
 * Each path weighs its file size plus one, so empty files, links and deletions count a little and a
 * directory both layers merely pass through (`/usr`, `/usr/local`) counts for almost nothing.
 */
import type { LayerFiles } from './types.js';

/** At least this share of both layers' bytes on shared paths makes them the same build step. */
export const CONTENT_OVERLAP_THRESHOLD = 0.5;

/** Path → weight. A deletion is keyed apart from a write of the same path: they are different steps. */
export function pathWeights(files: LayerFiles): Map<string, number> {
  const weights = new Map<string, number>();
  for (const entry of files.entries) {
    weights.set(entry.path, (entry.type === 'file' ? entry.size : 0) + 1);
  }
  for (const path of files.whiteouts) weights.set(`whiteout:${path}`, 1);
  for (const path of files.opaqueDirs) weights.set(`opaque:${path}`, 1);
  return weights;
}

function total(weights: Map<string, number>): number {
  let sum = 0;
  for (const weight of weights.values()) sum += weight;
  return sum;
}

/** The weight of the paths both maps hold, counted on both sides; walks the smaller map. */
function sharedWeight(a: Map<string, number>, b: Map<string, number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const [path, weight] of small) {
    const other = large.get(path);
    if (other !== undefined) shared += weight + other;
  }
  return shared;
}

/**
 * Overlap of every old layer with every new layer of one hunk, as a fraction 0..1:
 * (weight of shared paths in both layers) / (total weight of both layers). `result[i][j]` is old i
 * with new j. Each layer's paths are weighed once; each pair walks the smaller layer's paths.
 */
export function overlapMatrix(oldLayers: LayerFiles[], newLayers: LayerFiles[]): number[][] {
  const oldWeights = oldLayers.map(pathWeights);
  const newWeights = newLayers.map(pathWeights);
  const oldTotals = oldWeights.map(total);
  const newTotals = newWeights.map(total);
  return oldWeights.map((a, i) =>
    newWeights.map((b, j) => {
      const both = oldTotals[i]! + newTotals[j]!;
      return both === 0 ? 0 : sharedWeight(a, b) / both;
    }),
  );
}
