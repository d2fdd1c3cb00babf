/** Version ordering per package ecosystem: each one's own rules (docs/design.md §11). */
import { compareApkVersions } from './apk-version.js';
import { compareDebianVersions } from './dpkg-version.js';
import { compareRpmVersions } from './rpm-version.js';
import type { PackageEcosystem } from './types.js';

const COMPARATORS: Record<PackageEcosystem, (a: string, b: string) => number> = {
  dpkg: compareDebianVersions,
  apk: compareApkVersions,
  rpm: compareRpmVersions,
};

export function compareVersions(ecosystem: PackageEcosystem, a: string, b: string): number {
  return COMPARATORS[ecosystem](a, b);
}
