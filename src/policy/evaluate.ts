/** Thresholds against an image delta → findings → verdict (exit code 1 when any error finding). */
import { savableBytes } from '../advice/rules.js';
import type { ImageDelta, LayerChange } from '../delta/types.js';
import { instructionText, truncate } from '../text.js';
import { formatBytes, formatDelta, formatLimitPercent, formatPercent, formatTolerance } from '../units.js';
import type { Thresholds } from './config.js';

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

/** Every threshold crossed (errors) and every notable growth within them (warnings). */
export function evaluateThresholds(delta: ImageDelta, thresholds: Thresholds): CheckResult {
  const findings = [
    ...imageFindings(delta, thresholds),
    ...layerFindings(delta, thresholds),
    ...binaryFindings(delta, thresholds),
    ...adviceFindings(delta, thresholds),
  ];
  // Growth from 0 bytes has no finite ratio; JSON would turn Infinity into null, so leave it out.
  for (const f of findings) if (f.actual !== undefined && !Number.isFinite(f.actual)) delete f.actual;
  return { passed: !findings.some((f) => f.severity === 'error'), thresholds, findings };
}

/** max-growth and max-growth-bytes: the whole image, compressed. */
function imageFindings(delta: ImageDelta, thresholds: Thresholds): Finding[] {
  const findings: Finding[] = [];
  const image = delta.totals.compressedDelta;
  const imageRatio = ratio(image, delta.old.compressedSize);
  if (thresholds.maxGrowth !== undefined && image > 0 && imageRatio > thresholds.maxGrowth) {
    findings.push({
      severity: 'error',
      rule: 'max-growth',
      message: `image grew ${formatDelta(image)} (${percentText(imageRatio)}) compressed, above max-growth ${formatLimitPercent(thresholds.maxGrowth)}`,
      actual: imageRatio,
      limit: thresholds.maxGrowth,
    });
  }
  if (thresholds.maxGrowthBytes !== undefined && image > thresholds.maxGrowthBytes) {
    findings.push({
      severity: 'error',
      rule: 'max-growth-bytes',
      message: `image grew ${formatDelta(image)} compressed, above max-growth-bytes ${formatBytes(thresholds.maxGrowthBytes)}`,
      actual: image,
      limit: thresholds.maxGrowthBytes,
    });
  }
  return findings;
}

/**
 * max-layer-growth for changed layers (a grown layer within the limit but beyond the tolerance is a
 * warning), max-new-layer-bytes for new ones: a new layer is judged as new (docs/design.md §3).
 */
function layerFindings(delta: ImageDelta, thresholds: Thresholds): Finding[] {
  const findings: Finding[] = [];
  for (const change of delta.layers) {
    if (change.status === 'changed' && change.delta > 0) {
      const layerRatio = ratio(change.delta, change.old!.size);
      const limit = thresholds.maxLayerGrowth;
      if (limit !== undefined && layerRatio > limit) {
        findings.push({
          severity: 'error',
          rule: 'max-layer-growth',
          message: `${layerLabel(change)} grew ${formatDelta(change.delta)} (${percentText(layerRatio)}) compressed, above max-layer-growth ${formatLimitPercent(limit)}`,
          actual: layerRatio,
          limit,
          layer: change.new!.index,
        });
      } else if (change.significant) {
        findings.push({
          severity: 'warning',
          rule: 'significant-layer-growth',
          message: `${layerLabel(change)} grew ${formatDelta(change.delta)} (${percentText(layerRatio)}) compressed, beyond the ${formatTolerance(delta.tolerance)} tolerance`,
          actual: layerRatio,
          limit: delta.tolerance,
          layer: change.new!.index,
        });
      }
    }
    const newLimit = thresholds.maxNewLayerBytes;
    if (change.status === 'new' && newLimit !== undefined && change.new!.size > newLimit) {
      findings.push({
        severity: 'error',
        rule: 'max-new-layer-bytes',
        message: `new ${layerLabel(change)} is ${formatBytes(change.new!.size)} compressed, above max-new-layer-bytes ${formatBytes(newLimit)}`,
        actual: change.new!.size,
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
