/**
 * What the text and Markdown reports show per layer and for a check, computed once; each renderer only
 * decides how a value looks (padding, `-` or an empty cell for an absent side, escaping, truncation).
 */
import type { LayerChange } from '../delta/types.js';
import type { CheckResult } from '../policy/evaluate.js';
import { instructionText, truncate } from '../text.js';
import { changeRatio, formatBytes, formatDelta, formatPercent } from '../units.js';
import { shortDigest } from './format.js';
import { type LayerLabel, layerLabel } from './summary.js';

/** One layer row; an undefined field is a side the layer does not have. */
export interface LayerRow {
  label: LayerLabel;
  oldDigest?: string;
  newDigest?: string;
  oldSize?: string;
  newSize?: string;
  delta: string;
  /** Change as a percentage of the old size, when the layer is on both sides. */
  percent?: string;
  /** The history instruction, normalised, untruncated ('' without history). */
  instruction: string;
  /** A changed pair's old instruction, when it differs from the new one. */
  oldInstruction?: string;
  /** What paired a changed layer: instruction, content or order. */
  evidence?: string;
  /** A side was not downloaded (a foreign layer): its content and uncompressed size are unknown. */
  notDownloaded?: true;
}

export function layerRow(change: LayerChange): LayerRow {
  const oldSize = change.old?.size;
  const newSize = change.new?.size;
  // A recompressed layer's stored difference is not growth: no percentage next to its 0 B delta.
  const ratio =
    oldSize !== undefined && newSize !== undefined && !change.recompressed
      ? changeRatio(oldSize, newSize)
      : undefined;
  const instruction = instructionText((change.new ?? change.old)?.createdBy);
  const before = change.status === 'changed' ? instructionText(change.old?.createdBy) : instruction;
  return {
    label: layerLabel(change),
    ...(change.old ? { oldDigest: shortDigest(change.old.digest) } : {}),
    ...(change.new ? { newDigest: shortDigest(change.new.digest) } : {}),
    ...(oldSize !== undefined ? { oldSize: formatBytes(oldSize) } : {}),
    ...(newSize !== undefined ? { newSize: formatBytes(newSize) } : {}),
    delta: formatDelta(change.delta),
    ...(ratio !== undefined ? { percent: formatPercent(ratio) } : {}),
    instruction,
    ...(before !== instruction ? { oldInstruction: before } : {}),
    ...(change.evidence ? { evidence: change.evidence } : {}),
    ...(change.old?.notDownloaded !== undefined || change.new?.notDownloaded !== undefined
      ? { notDownloaded: true as const }
      : {}),
  };
}

/** The instruction cell: the new instruction, and the old one when it differs (`max` characters each). */
export function instructionCell(row: LayerRow, max: number): string {
  if (row.oldInstruction === undefined) return truncate(row.instruction, max);
  const name = (text: string) => truncate(text || '(no history)', max);
  return `${name(row.instruction)} (was: ${name(row.oldInstruction)})`;
}

/** A check result as the reports list it: errors first, then warnings. */
export interface CheckLines {
  passed: boolean;
  errors: string[];
  warnings: string[];
  /** No threshold was set at all (the check passes trivially; say so). */
  noThresholds: boolean;
}

export function checkLines(check: CheckResult): CheckLines {
  return {
    passed: check.passed,
    errors: check.findings.filter((f) => f.severity === 'error').map((f) => f.message),
    warnings: check.findings.filter((f) => f.severity === 'warning').map((f) => f.message),
    noThresholds: Object.keys(check.thresholds).length === 0,
  };
}
