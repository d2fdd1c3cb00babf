/** Thresholds against an image delta → findings → verdict (exit code 1 when any error finding). */
import { savableBytes } from '../advice/rules.js';
import type { ImageDelta, LayerChange, LayerSide } from '../delta/types.js';
import { instructionText, truncate } from '../text.js';
import { formatBytes, formatDelta, formatLimitPercent, formatPercent, formatTolerance } from '../units.js';
import type { Thresholds } from './config.js';
import { filesAndPackagesFindings } from './files-packages.js';

export type FindingRule =
  | 'max-growth'
  | 'max-growth-bytes'
  | 'max-layer-growth'
  | 'max-new-layer-bytes'
  | 'max-binary-growth'
  | 'max-binary-growth-bytes'
  | 'max-savable-bytes'
  | 'significant-layer-growth'
  | 'binaries-not-analysed'
  | 'max-wasted-bytes'
  | 'max-package-growth'
  | 'files-not-read'
  | 'stored-sizes-not-comparable'
  | 'advice-not-computed';

export interface Finding {
  /** `error` fails the check; `warning` is reported (and annotated) only. */
  severity: 'error' | 'warning';
  rule: FindingRule;
  /** One line for people: what, how much, against which limit. */
  message: string;
  /** The measured value: bytes, or a fraction for percentage rules (absent for growth from 0 bytes). */
  actual?: number;
  /** The limit: bytes, or a fraction for percentage rules. */
  limit?: number;
  /** Layer index in the new image (old image for removed layers). */
  layer?: number;
  /** Binary path, for binary rules. */
  path?: string;
}

export interface CheckResult {
  passed: boolean;
  thresholds: Thresholds;
  /** The sizes the size thresholds judged (docs/design.md §3.4): the delta's `judgedSizes`. */
  sizes: 'compressed' | 'uncompressed';
  findings: Finding[];
}

function layerLabel(change: LayerChange): string {
  const side = change.new ?? change.old!;
  const instruction = instructionText(side.createdBy);
  return `layer ${side.index}${instruction ? ` (${truncate(instruction, 80)})` : ''}`;
}

/** Growth above a percentage limit; an old size of 0 grown to anything counts as infinite growth. */
function ratio(delta: number, oldSize: number): number {
  if (oldSize === 0) return delta > 0 ? Number.POSITIVE_INFINITY : 0;
  return delta / oldSize;
}

function percentText(fraction: number): string {
  return Number.isFinite(fraction) ? formatPercent(fraction) : 'from 0 B';
}

/** A layer side's size in the judged encoding (uncompressed falls back to compressed when unknown). */
function judged(side: LayerSide, sizes: CheckResult['sizes']): number {
  return sizes === 'uncompressed' ? (side.uncompressedSize ?? side.size) : side.size;
}

/**
 * The image's growth in the judged sizes: compressed growth leaves re-encoded (recompressed) layers
 * out, since their content did not change (docs/design.md §3.1).
 */
function imageGrowth(delta: ImageDelta): { bytes: number; oldSize: number; note: string } {
  if (delta.judgedSizes === 'uncompressed') {
    return { bytes: delta.totals.uncompressedDelta ?? 0, oldSize: delta.old.uncompressedSize ?? 0, note: '' };
  }
  const { count, storedDelta } = delta.totals.recompressed;
  const note = count > 0 ? `, not counting ${count} recompressed layer${count === 1 ? '' : 's'}` : '';
  return { bytes: delta.totals.compressedDelta - storedDelta, oldSize: delta.old.compressedSize, note };
}

/** Every threshold crossed (errors) and every notable growth within them (warnings). */
export function evaluateThresholds(delta: ImageDelta, thresholds: Thresholds): CheckResult {
  const findings = [
    ...imageFindings(delta, thresholds),
    ...layerFindings(delta, thresholds),
    ...binaryFindings(delta, thresholds),
    ...filesAndPackagesFindings(delta, thresholds),
    ...adviceFindings(delta, thresholds),
  ];
  // Growth from 0 bytes has no finite ratio; JSON would turn Infinity into null, so leave it out.
  for (const f of findings) if (f.actual !== undefined && !Number.isFinite(f.actual)) delete f.actual;
  return {
    passed: !findings.some((f) => f.severity === 'error'),
    thresholds,
    sizes: delta.judgedSizes,
    findings,
  };
}

/**
 * max-growth and max-growth-bytes: the whole image in the judged sizes; a warning when stored sizes
 * do not compare but have to be judged (the layers were not read).
 */
function imageFindings(delta: ImageDelta, thresholds: Thresholds): Finding[] {
  const findings: Finding[] = [];
  const sizes = delta.judgedSizes;
  const growth = imageGrowth(delta);
  const image = growth.bytes;
  const imageRatio = ratio(image, growth.oldSize);

  if (!delta.storedSizes.comparable && sizes === 'compressed') {
    findings.push({
      severity: 'warning',
      rule: 'stored-sizes-not-comparable',
      message: `stored sizes are not comparable (old layers ${delta.storedSizes.old.join('/')}, new ${delta.storedSizes.new.join('/')}) and the layers were not read, so size thresholds judged stored sizes`,
    });
  }
  if (thresholds.maxGrowth !== undefined && image > 0 && imageRatio > thresholds.maxGrowth) {
    findings.push({
      severity: 'error',
      rule: 'max-growth',
      message: `image grew ${formatDelta(image)} (${percentText(imageRatio)}) ${sizes}${growth.note}, above max-growth ${formatLimitPercent(thresholds.maxGrowth)}`,
      actual: imageRatio,
      limit: thresholds.maxGrowth,
    });
  }
  if (thresholds.maxGrowthBytes !== undefined && image > thresholds.maxGrowthBytes) {
    findings.push({
      severity: 'error',
      rule: 'max-growth-bytes',
      message: `image grew ${formatDelta(image)} ${sizes}${growth.note}, above max-growth-bytes ${formatBytes(thresholds.maxGrowthBytes)}`,
      actual: image,
      limit: thresholds.maxGrowthBytes,
    });
  }
  return findings;
}

/**
 * max-layer-growth for changed layers (a grown layer within the limit but beyond the tolerance is a
 * warning), max-new-layer-bytes for new ones: a new layer is judged as new (docs/design.md §3), and so
 * is a layer paired only by order.
 */
function layerFindings(delta: ImageDelta, thresholds: Thresholds): Finding[] {
  const findings: Finding[] = [];
  const sizes = delta.judgedSizes;
  for (const change of delta.layers) {
    if (change.status === 'changed') {
      const before = judged(change.old!, sizes);
      const growthBytes = judged(change.new!, sizes) - before;
      const layerRatio = ratio(growthBytes, before);
      const limit = thresholds.maxLayerGrowth;
      if (growthBytes > 0 && limit !== undefined && layerRatio > limit) {
        findings.push({
          severity: 'error',
          rule: 'max-layer-growth',
          message: `${layerLabel(change)} grew ${formatDelta(growthBytes)} (${percentText(layerRatio)}) ${sizes}, above max-layer-growth ${formatLimitPercent(limit)}`,
          actual: layerRatio,
          limit,
          layer: change.new!.index,
        });
      } else if (growthBytes > 0 && change.significant) {
        findings.push({
          severity: 'warning',
          rule: 'significant-layer-growth',
          message: `${layerLabel(change)} grew ${formatDelta(growthBytes)} (${percentText(layerRatio)}) ${sizes}, beyond the ${formatTolerance(delta.tolerance)} tolerance`,
          actual: layerRatio,
          limit: delta.tolerance,
          layer: change.new!.index,
        });
      }
    }
    // A layer paired only by order may be unrelated to its old partner: it is judged as new too,
    // so no pairing can hide a new layer from max-new-layer-bytes (docs/design.md §3.5).
    const asNew = change.status === 'new' || (change.status === 'changed' && change.evidence === 'order');
    const newLimit = thresholds.maxNewLayerBytes;
    const newSize = change.new && judged(change.new, sizes);
    if (asNew && newLimit !== undefined && newSize !== undefined && newSize > newLimit) {
      const what = change.status === 'new' ? 'new' : 'changed (paired only by order)';
      findings.push({
        severity: 'error',
        rule: 'max-new-layer-bytes',
        message: `${what} ${layerLabel(change)} is ${formatBytes(newSize)} ${sizes}, above max-new-layer-bytes ${formatBytes(newLimit)}`,
        actual: newSize,
        limit: newLimit,
        layer: change.new!.index,
      });
    }
  }
  return findings;
}

/** max-binary-growth (changed binaries) and max-binary-growth-bytes (an added binary counts whole). */
function binaryFindings(delta: ImageDelta, thresholds: Thresholds): Finding[] {
  const findings: Finding[] = [];
  const binaryRules =
    thresholds.maxBinaryGrowth !== undefined || thresholds.maxBinaryGrowthBytes !== undefined;
  if (binaryRules && delta.binaries === undefined) {
    findings.push({
      severity: 'warning',
      rule: 'binaries-not-analysed',
      message:
        'Go binaries were not analysed, so max-binary-growth and max-binary-growth-bytes were not applied',
    });
  }
  for (const binary of delta.binaries ?? []) {
    if (binary.delta <= 0 || binary.status === 'removed') continue;
    const oldSize = binary.old?.size ?? 0;
    const binaryRatio = ratio(binary.delta, oldSize);
    const pct = thresholds.maxBinaryGrowth;
    if (pct !== undefined && binary.status === 'changed' && binaryRatio > pct) {
      findings.push({
        severity: 'error',
        rule: 'max-binary-growth',
        message: `Go binary ${binary.path} grew ${formatDelta(binary.delta)} (${percentText(binaryRatio)}), above max-binary-growth ${formatLimitPercent(pct)}`,
        actual: binaryRatio,
        limit: pct,
        path: binary.path,
      });
    }
    const bytes = thresholds.maxBinaryGrowthBytes;
    if (bytes !== undefined && binary.delta > bytes) {
      const verb = binary.status === 'added' ? 'was added with' : 'grew';
      findings.push({
        severity: 'error',
        rule: 'max-binary-growth-bytes',
        message: `Go binary ${binary.path} ${verb} ${formatDelta(binary.delta)}, above max-binary-growth-bytes ${formatBytes(bytes)}`,
        actual: binary.delta,
        limit: bytes,
        path: binary.path,
      });
    }
  }
  return findings;
}

/** max-savable-bytes: what the advice says could be removed from the new image (file bytes). */
function adviceFindings(delta: ImageDelta, thresholds: Thresholds): Finding[] {
  const limit = thresholds.maxSavableBytes;
  if (limit === undefined) return [];
  if (delta.advice === undefined) {
    return [
      {
        severity: 'warning',
        rule: 'advice-not-computed',
        message:
          'the advice was not computed (--no-advice or --no-binaries), so max-savable-bytes was not applied',
      },
    ];
  }
  const savable = savableBytes(delta.advice);
  if (savable <= limit) return [];
  const largest = delta.advice[0]!;
  return [
    {
      severity: 'error',
      rule: 'max-savable-bytes',
      message: `${formatBytes(savable)} could be removed from the new image (file bytes), above max-savable-bytes ${formatBytes(limit)}; largest: ${largest.title}`,
      actual: savable,
      limit,
    },
  ];
}
