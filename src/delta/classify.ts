/**
 * Layer classification, docs/design.md §3: old and new layer lists in, one LayerChange per layer out.
 *
 * 1. reused: the same content in both images, matched as a multiset. Content is the diff_id (the
 *    uncompressed tar's digest), the blob digest where no diff_id is known, so a layer that was only
 *    re-encoded (gzip level, zstd, a docker-archive's plain tar) is reused and marked `recompressed`.
 *    The longest common subsequence (LCS) of the two content sequences gives the reused layers that
 *    stayed in place (the anchors); the remaining occurrences of shared content are matched in order
 *    as reused layers that moved.
 * 2. The runs between consecutive anchors are hunks (old i..j against new k..l), moved layers left out.
 *    Within a hunk a pair needs evidence that both layers are the same build step, tried in this order:
 *    (a) `instruction`: equal normalised history instruction (delta/instruction.ts);
 *    (b) `content`: both layers were read and their paths overlap (delta/overlap.ts), best overlap first;
 *    (c) `order`: where content cannot tell (not both read), in order within the hunk and only between
 *        layers of the same instruction kind (both without history counts as the same kind).
 *    A pair is changed; unpaired old layers are removed, unpaired new layers are new. Two read layers
 *    with equal-kind instructions but nothing in common are never paired.
 * 3. A changed pair is significant when |delta| > tolerance * old.size (exactly at the tolerance is not),
 *    on the judged sizes: compressed, or uncompressed when the caller says stored sizes do not compare.
 *
 * Output order (stable, documented in docs/report.md): hunk by hunk in image order. Each anchor is
 * followed by the hunk after it; a hunk lists its new-image layers in new-image order (changed, new
 * and moved-reused) and then its removed layers in old-image order. So the list reads in new-image
 * order, and a removed layer sits between the same two unchanged layers as it did in the old image.
 */
import { type Instruction, normalizeInstruction } from './instruction.js';
import { CONTENT_OVERLAP_THRESHOLD, overlapMatrix } from './overlap.js';
import type { LayerChange, LayerInput, LayerSide, PairEvidence } from './types.js';

/** Pairs of (old index, new index) on one longest common subsequence of the key lists. */
function longestCommonSubsequence(oldKeys: string[], newKeys: string[]): Array<[number, number]> {
  const n = oldKeys.length;
  const m = newKeys.length;
  // lengths[i][j]: LCS length of oldKeys[i..] and newKeys[j..].
  const lengths: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    const row = lengths[i]!;
    const below = lengths[i + 1]!;
    for (let j = m - 1; j >= 0; j--) {
      row[j] = oldKeys[i] === newKeys[j] ? below[j + 1]! + 1 : Math.max(below[j]!, row[j + 1]!);
    }
  }
  const pairs: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (oldKeys[i] === newKeys[j]) {
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

/** The content identity of a layer: its diff_id, else its blob digest. */
export function contentKey(layer: { digest: string; diffId?: string | undefined }): string {
  return layer.diffId ?? layer.digest;
}

function side(layer: LayerInput, index: number): LayerSide {
  const result: LayerSide = { index, digest: layer.digest, size: layer.size };
  if (layer.diffId !== undefined) result.diffId = layer.diffId;
  if (layer.uncompressedSize !== undefined) result.uncompressedSize = layer.uncompressedSize;
  if (layer.createdBy) result.createdBy = layer.createdBy;
  if (layer.notDownloaded !== undefined) result.notDownloaded = layer.notDownloaded;
  return result;
}

export interface ClassifyOptions {
  /** Fraction (0.05 = ±5%). */
  tolerance: number;
  /** Sizes significance judges (default compressed); uncompressed falls back per pair when unknown. */
  judgedSizes?: 'compressed' | 'uncompressed';
}

function changed(
  oldLayer: LayerSide,
  newLayer: LayerSide,
  evidence: PairEvidence,
  options: ClassifyOptions,
): LayerChange {
  const delta = newLayer.size - oldLayer.size;
  const uncompressed =
    options.judgedSizes === 'uncompressed' &&
    oldLayer.uncompressedSize !== undefined &&
    newLayer.uncompressedSize !== undefined;
  const significant = uncompressed
    ? isSignificant(
        newLayer.uncompressedSize! - oldLayer.uncompressedSize!,
        oldLayer.uncompressedSize!,
        options.tolerance,
      )
    : isSignificant(delta, oldLayer.size, options.tolerance);
  return { status: 'changed', old: oldLayer, new: newLayer, delta, significant, evidence };
}

function reused(oldLayer: LayerSide, newLayer: LayerSide): LayerChange {
  const change: LayerChange = { status: 'reused', old: oldLayer, new: newLayer, delta: 0 };
  change.recompressed = oldLayer.digest !== newLayer.digest;
  if (change.recompressed) change.storedDelta = newLayer.size - oldLayer.size;
  return change;
}

interface Pair {
  old: number;
  evidence: PairEvidence;
}

/** The pairs of one hunk (keyed by new position) and its unpaired old positions, by the rules above. */
function pairHunk(
  oldIdx: number[],
  newIdx: number[],
  oldLayers: LayerInput[],
  newLayers: LayerInput[],
  oldInstructions: Array<Instruction | undefined>,
  newInstructions: Array<Instruction | undefined>,
) {
  const pairs = new Map<number, Pair>();
  const pairedOld = new Set<number>();
  const pair = (o: number, n: number, evidence: PairEvidence) => {
    pairs.set(n, { old: o, evidence });
    pairedOld.add(o);
  };

  // (a) Equal normalised instruction; equal ones pair in order.
  for (const n of newIdx) {
    const text = newInstructions[n]?.text;
    if (text === undefined) continue;
    const o = oldIdx.find((i) => !pairedOld.has(i) && oldInstructions[i]?.text === text);
    if (o !== undefined) pair(o, n, 'instruction');
  }

  // (b) Overlapping content, best overlap first (ties: old order, then new order).
  const readOld = oldIdx.filter((o) => !pairedOld.has(o) && oldLayers[o]!.files);
  const readNew = newIdx.filter((n) => !pairs.has(n) && newLayers[n]!.files);
  if (readOld.length > 0 && readNew.length > 0) {
    const matrix = overlapMatrix(
      readOld.map((o) => oldLayers[o]!.files!),
      readNew.map((n) => newLayers[n]!.files!),
    );
    const candidates: Array<[overlap: number, i: number, j: number]> = [];
    matrix.forEach((row, i) => {
      row.forEach((overlap, j) => {
        if (overlap >= CONTENT_OVERLAP_THRESHOLD) candidates.push([overlap, i, j]);
      });
    });
    candidates.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2]);
    for (const [, i, j] of candidates) {
      const o = readOld[i]!;
      const n = readNew[j]!;
      if (!pairedOld.has(o) && !pairs.has(n)) pair(o, n, 'content');
    }
  }

  // (c) Order, where content cannot tell, between layers of the same instruction kind.
  let from = 0;
  const restOld = oldIdx.filter((o) => !pairedOld.has(o));
  for (const n of newIdx) {
    if (pairs.has(n)) continue;
    for (let k = from; k < restOld.length; k++) {
      const o = restOld[k]!;
      const bothRead = oldLayers[o]!.files !== undefined && newLayers[n]!.files !== undefined;
      if (bothRead || oldInstructions[o]?.kind !== newInstructions[n]?.kind) continue;
      pair(o, n, 'order');
      from = k + 1;
      break;
    }
  }
  return { pairs, unpairedOld: oldIdx.filter((o) => !pairedOld.has(o)) };
}

/**
 * Classify every layer of both images. Every old layer and every new layer appears in exactly one
 * LayerChange.
 */
export function classifyLayers(
  oldLayers: LayerInput[],
  newLayers: LayerInput[],
  options: ClassifyOptions,
): LayerChange[] {
  const oldKeys = oldLayers.map(contentKey);
  const newKeys = newLayers.map(contentKey);
  const anchors = longestCommonSubsequence(oldKeys, newKeys);
  const oldAnchored = new Set(anchors.map(([o]) => o));
  const newAnchored = new Set(anchors.map(([, n]) => n));

  // Moved reused layers: the occurrences of shared content left off the LCS, matched in order.
  const movedOldForNew = new Map<number, number>();
  const spareOldByKey = new Map<string, number[]>();
  oldKeys.forEach((key, o) => {
    if (oldAnchored.has(o)) return;
    const list = spareOldByKey.get(key) ?? [];
    list.push(o);
    spareOldByKey.set(key, list);
  });
  newKeys.forEach((key, n) => {
    if (newAnchored.has(n)) return;
    const o = spareOldByKey.get(key)?.shift();
    if (o !== undefined) movedOldForNew.set(n, o);
  });
  const movedOld = new Set(movedOldForNew.values());

  const oldInstructions = oldLayers.map((l) => normalizeInstruction(l.createdBy));
  const newInstructions = newLayers.map((l) => normalizeInstruction(l.createdBy));
  const changes: LayerChange[] = [];
  const reusedAt = (o: number, n: number) => reused(side(oldLayers[o]!, o), side(newLayers[n]!, n));

  // Hunk boundaries: before the first anchor, between anchors, after the last one.
  const bounds: Array<[number, number]> = [[-1, -1], ...anchors, [oldLayers.length, newLayers.length]];
  for (let b = 0; b + 1 < bounds.length; b++) {
    const [oStart, nStart] = bounds[b]!;
    const [oEnd, nEnd] = bounds[b + 1]!;
    if (b > 0) changes.push(reusedAt(oStart, nStart));

    const oldIdx: number[] = [];
    for (let o = oStart + 1; o < oEnd; o++) if (!movedOld.has(o)) oldIdx.push(o);
    const newIdx: number[] = [];
    for (let n = nStart + 1; n < nEnd; n++) if (!movedOldForNew.has(n)) newIdx.push(n);
    const { pairs, unpairedOld } = pairHunk(
      oldIdx,
      newIdx,
      oldLayers,
      newLayers,
      oldInstructions,
      newInstructions,
    );

    for (let n = nStart + 1; n < nEnd; n++) {
      const moved = movedOldForNew.get(n);
      const paired = pairs.get(n);
      if (moved !== undefined) changes.push(reusedAt(moved, n));
      else if (paired !== undefined) {
        const o = paired.old;
        changes.push(changed(side(oldLayers[o]!, o), side(newLayers[n]!, n), paired.evidence, options));
      } else {
        const layer = side(newLayers[n]!, n);
        changes.push({ status: 'new', new: layer, delta: layer.size });
      }
    }
    for (const o of unpairedOld) {
      const layer = side(oldLayers[o]!, o);
      changes.push({ status: 'removed', old: layer, delta: 0 - layer.size });
    }
  }
  return changes;
}
