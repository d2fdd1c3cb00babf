/** Version ordering per package ecosystem: each one's own rules (docs/design.md §11). */
import { compareDebianVersions } from './dpkg-version.js';
import type { PackageEcosystem } from './types.js';

const COMPARATORS: Record<PackageEcosystem, (a: string, b: string) => number> = {
  dpkg: compareDebianVersions,
  apk: compareDebianVersions,
  rpm: compareDebianVersions,
};

export function compareVersions(ecosystem: PackageEcosystem, a: string, b: string): number {
  return COMPARATORS[ecosystem](a, b);
}
