/**
 * Layer classification, docs/design.md §3: old and new layer lists in, one LayerChange per layer out.
 *
 * 1. reused: a digest present in both images, matched as a multiset. The longest common subsequence
 *    (LCS) of the two digest sequences gives the reused layers that stayed in place (the anchors);
 *    the remaining occurrences of a shared digest are matched in order as reused layers that moved.
 * 2. The runs between consecutive anchors are hunks (old i..j against new k..l), moved layers left out.
 *    Within a hunk, layers pair first by equal history instruction, then the rest by order. A pair is
 *    changed; unpaired old layers are removed, unpaired new layers are new.
 * 3. A changed pair is significant when |delta| > tolerance * old.size (exactly at the tolerance is not).
 *
 * Output order (stable, documented in docs/report.md): hunk by hunk in image order. Each anchor is
 * followed by the hunk after it; a hunk lists its new-image layers in new-image order (changed, new
 * and moved-reused) and then its removed layers in old-image order. So the list reads in new-image
 * order, and a removed layer sits between the same two unchanged layers as it did in the old image.
 */
import type { LayerChange, LayerInput, LayerSide } from './types.js';

/** Pairs of (old index, new index) on one longest common subsequence of the digest lists. */
function longestCommonSubsequence(oldDigests: string[], newDigests: string[]): Array<[number, number]> {
  const n = oldDigests.length;
  const m = newDigests.length;
  // lengths[i][j]: LCS length of oldDigests[i..] and newDigests[j..].
  const lengths: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    const row = lengths[i]!;
    const below = lengths[i + 1]!;
    for (let j = m - 1; j >= 0; j--) {
      row[j] = oldDigests[i] === newDigests[j] ? below[j + 1]! + 1 : Math.max(below[j]!, row[j + 1]!);
    }
  }
  const pairs: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (oldDigests[i] === newDigests[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (lengths[i + 1]![j]! >= lengths[i]![j + 1]!) {
      i++;
    } else {
      j++;
    }
  }
  return pairs;
}

/** Parts-per-million resolution for the tolerance: exact integer comparison, no float surprises. */
const PPM = 1_000_000;

/** |delta| > tolerance * oldSize, computed exactly. */
export function isSignificant(delta: number, oldSize: number, tolerance: number): boolean {
  const tolerancePpm = BigInt(Math.round(tolerance * PPM));
  return BigInt(Math.abs(delta)) * BigInt(PPM) > tolerancePpm * BigInt(oldSize);
}

function side(layer: LayerInput, index: number): LayerSide {
  const result: LayerSide = { index, digest: layer.digest, size: layer.size };
  if (layer.createdBy) result.createdBy = layer.createdBy;
  return result;
}

function changed(oldLayer: LayerSide, newLayer: LayerSide, tolerance: number): LayerChange {
  const delta = newLayer.size - oldLayer.size;
  return {
    status: 'changed',
    old: oldLayer,
    new: newLayer,
    delta,
    significant: isSignificant(delta, oldLayer.size, tolerance),
  };
}

/**
 * Pair the old and new layers of one hunk: first by equal history instruction (in order), then the
 * remaining ones by order. Returns the pairs (old position → new position) as a map keyed by new.
 */
function pairHunk(oldIdx: number[], newIdx: number[], oldLayers: LayerInput[], newLayers: LayerInput[]) {
  const oldForNew = new Map<number, number>();
  const pairedOld = new Set<number>();
  for (const o of oldIdx) {
    const instruction = oldLayers[o]!.createdBy;
    if (!instruction) continue;
    const match = newIdx.find((n) => !oldForNew.has(n) && newLayers[n]!.createdBy === instruction);
    if (match === undefined) continue;
    oldForNew.set(match, o);
    pairedOld.add(o);
  }
  const restOld = oldIdx.filter((o) => !pairedOld.has(o));
  const restNew = newIdx.filter((n) => !oldForNew.has(n));
  for (let k = 0; k < Math.min(restOld.length, restNew.length); k++) {
    oldForNew.set(restNew[k]!, restOld[k]!);
    pairedOld.add(restOld[k]!);
  }
  return { oldForNew, unpairedOld: oldIdx.filter((o) => !pairedOld.has(o)) };
}

/**
 * Classify every layer of both images. `tolerance` is a fraction (0.05 = ±5%).
 * Every old layer and every new layer appears in exactly one LayerChange.
 */
export function classifyLayers(
  oldLayers: LayerInput[],
  newLayers: LayerInput[],
  tolerance: number,
): LayerChange[] {
  const anchors = longestCommonSubsequence(
    oldLayers.map((l) => l.digest),
    newLayers.map((l) => l.digest),
  );
  const oldAnchored = new Set(anchors.map(([o]) => o));
  const newAnchored = new Set(anchors.map(([, n]) => n));

  // Moved reused layers: the occurrences of shared digests left off the LCS, matched in order.
  const movedOldForNew = new Map<number, number>();
  const spareOldByDigest = new Map<string, number[]>();
  oldLayers.forEach((layer, o) => {
    if (oldAnchored.has(o)) return;
    const list = spareOldByDigest.get(layer.digest) ?? [];
    list.push(o);
    spareOldByDigest.set(layer.digest, list);
  });
  newLayers.forEach((layer, n) => {
    if (newAnchored.has(n)) return;
    const o = spareOldByDigest.get(layer.digest)?.shift();
    if (o !== undefined) movedOldForNew.set(n, o);
  });
  const movedOld = new Set(movedOldForNew.values());

  const changes: LayerChange[] = [];
  const reused = (o: number, n: number): LayerChange => ({
    status: 'reused',
    old: side(oldLayers[o]!, o),
    new: side(newLayers[n]!, n),
    delta: 0,
  });

  // Hunk boundaries: before the first anchor, between anchors, after the last one.
  const bounds: Array<[number, number]> = [[-1, -1], ...anchors, [oldLayers.length, newLayers.length]];
  for (let b = 0; b + 1 < bounds.length; b++) {
    const [oStart, nStart] = bounds[b]!;
    const [oEnd, nEnd] = bounds[b + 1]!;
    if (b > 0) changes.push(reused(oStart, nStart));

    const oldIdx: number[] = [];
    for (let o = oStart + 1; o < oEnd; o++) if (!movedOld.has(o)) oldIdx.push(o);
    const newIdx: number[] = [];
    for (let n = nStart + 1; n < nEnd; n++) if (!movedOldForNew.has(n)) newIdx.push(n);
    const { oldForNew, unpairedOld } = pairHunk(oldIdx, newIdx, oldLayers, newLayers);

    for (let n = nStart + 1; n < nEnd; n++) {
      const moved = movedOldForNew.get(n);
      const paired = oldForNew.get(n);
      if (moved !== undefined) changes.push(reused(moved, n));
      else if (paired !== undefined) {
        changes.push(changed(side(oldLayers[paired]!, paired), side(newLayers[n]!, n), tolerance));
      } else {
        const layer = side(newLayers[n]!, n);
        changes.push({ status: 'new', new: layer, delta: layer.size });
      }
    }
    for (const o of unpairedOld) {
      const layer = side(oldLayers[o]!, o);
      changes.push({ status: 'removed', old: layer, delta: -layer.size });
    }
  }
  return changes;
}
