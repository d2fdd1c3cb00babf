/** Thresholds on wasted bytes and OS package growth (docs/design.md §11). */
import type { ImageDelta } from '../delta/types.js';
import { formatBytes, formatDelta, formatLimitPercent, formatPercent } from '../units.js';
import type { Thresholds } from './config.js';
import type { Finding } from './evaluate.js';

export function filesAndPackagesFindings(delta: ImageDelta, thresholds: Thresholds): Finding[] {
  const findings: Finding[] = [];
  const wastedLimit = thresholds.maxWastedBytes;
  const packageRules =
    thresholds.maxPackageGrowth !== undefined || thresholds.maxPackageGrowthBytes !== undefined;
  if (wastedLimit !== undefined || packageRules) {
    if (!delta.files) {
      findings.push({
        severity: 'warning',
        rule: 'files-not-read',
        message: 'layers were not read, so max-wasted-bytes and max-package-growth were not applied',
      });
      return findings;
    }
  }
  const files = delta.files;
  if (wastedLimit !== undefined && files && files.new.wasted.bytes > wastedLimit) {
    const worst = [...files.new.wasted.byLayer].sort((a, b) => b.bytes - a.bytes)[0];
    findings.push({
      severity: 'error',
      rule: 'max-wasted-bytes',
      message: `new image wastes ${formatBytes(files.new.wasted.bytes)} (${formatDelta(files.wastedDelta)}; most written by layer ${worst?.index} and hidden later), above max-wasted-bytes ${formatBytes(wastedLimit)}`,
      actual: files.new.wasted.bytes,
      limit: wastedLimit,
      ...(worst ? { layer: worst.index } : {}),
    });
  }
  const packages = delta.packages;
  if (packages && packageRules) {
    const growth = packages.installedBytesDelta;
    const old = packages.old.installedBytes;
    const ratio = old === 0 ? (growth > 0 ? Number.POSITIVE_INFINITY : 0) : growth / old;
    const top = packages.changes
      .filter((c) => c.installedSizeDelta > 0)
      .slice(0, 3)
      .map((c) => `${c.key} ${formatDelta(c.installedSizeDelta)}`)
      .join(', ');
    const what = `OS packages grew ${formatDelta(growth)} installed (${Number.isFinite(ratio) ? formatPercent(ratio) : 'from 0 B'}${top ? `; ${top}` : ''})`;
    const pct = thresholds.maxPackageGrowth;
    if (pct !== undefined && growth > 0 && ratio > pct) {
      findings.push({
        severity: 'error',
        rule: 'max-package-growth',
        message: `${what}, above max-package-growth ${formatLimitPercent(pct)}`,
        actual: ratio,
        limit: pct,
      });
    }
    const bytes = thresholds.maxPackageGrowthBytes;
    if (bytes !== undefined && growth > bytes) {
      findings.push({
        severity: 'error',
        rule: 'max-package-growth',
        message: `${what}, above max-package-growth ${formatBytes(bytes)}`,
        actual: growth,
        limit: bytes,
      });
    }
  }
  return findings;
}
