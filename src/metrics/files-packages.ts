/**
 * Metrics of the file and OS package views (docs/design.md §11): wasted bytes, package counts and
 * installed bytes per side, and the top N package size changes plus `other` (at most N + 1 series).
 */
import type { Gauge } from 'prom-client';
import type { ImageDelta } from '../delta/types.js';

type GaugeFactory = (name: string, help: string, labelNames?: string[]) => Gauge;
type Setter = (g: Gauge, labels: Record<string, string>, value: number) => void;
type TopByChange = (deltas: Array<{ name: string; delta: number }>, n: number) => Array<[string, number]>;

export function filesAndPackagesGauges(gauge: GaugeFactory) {
  return {
    wasted: gauge(
      'layerdelta_wasted_bytes',
      'Bytes written by a layer and hidden by a later one (overwritten, deleted, under an opaque directory), per image side.',
      ['side'],
    ),
    wastedDelta: gauge('layerdelta_wasted_delta_bytes', 'New minus old wasted bytes.'),
    osPackages: gauge('layerdelta_os_packages', 'Number of OS packages (dpkg, apk, rpm) per image side.', [
      'side',
    ]),
    osPackageBytes: gauge(
      'layerdelta_os_package_installed_bytes',
      'Sum of the installed sizes the package databases declare, per image side.',
      ['side'],
    ),
    osPackageDelta: gauge(
      'layerdelta_os_package_delta_bytes',
      'Installed size change of an OS package added, removed, upgraded or downgraded (top N by absolute change, the rest as other).',
      ['package'],
    ),
  };
}

export function recordFilesAndPackages(
  g: ReturnType<typeof filesAndPackagesGauges>,
  set: Setter,
  delta: ImageDelta,
  topN: number,
  topByChange: TopByChange,
): void {
  if (delta.files) {
    set(g.wasted, { side: 'old' }, delta.files.old.wasted.bytes);
    set(g.wasted, { side: 'new' }, delta.files.new.wasted.bytes);
    set(g.wastedDelta, {}, delta.files.wastedDelta);
  }
  const packages = delta.packages;
  if (!packages) return;
  set(g.osPackages, { side: 'old' }, packages.old.packageCount);
  set(g.osPackages, { side: 'new' }, packages.new.packageCount);
  set(g.osPackageBytes, { side: 'old' }, packages.old.installedBytes);
  set(g.osPackageBytes, { side: 'new' }, packages.new.installedBytes);
  const changes = packages.changes.map((c) => ({ name: c.key, delta: c.installedSizeDelta }));
  for (const [name, bytes] of topByChange(changes, topN)) set(g.osPackageDelta, { package: name }, bytes);
}
