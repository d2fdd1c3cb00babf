/**
 * The package delta between two images (docs/design.md §11): packages added, removed, upgraded,
 * downgraded (each ecosystem's version order) or rebuilt (same version, other size), and the bytes of
 * the final filesystem's files per owning package, with what no package owns as its own row.
 */
import { compare } from '../files/rollup.js';
import { isCounted, rollupBytes } from '../files/state.js';
import type { ImageRead } from '../pipeline/layer-reader.js';
import { readImagePackages } from './read.js';
import {
  type ImagePackages,
  NOT_FROM_A_PACKAGE,
  type PackageBytes,
  type PackageChange,
  type PackagesDelta,
  type PackagesSide,
} from './types.js';
import { compareVersions } from './versions.js';

/** Undefined when neither image has a package database. */
export async function diffPackages(
  oldImage: ImageRead,
  newImage: ImageRead,
): Promise<PackagesDelta | undefined> {
  const [before, after] = await Promise.all([
    readImagePackages(oldImage.scans, oldImage.filesystem),
    readImagePackages(newImage.scans, newImage.filesystem),
  ]);
  if (before.databases.length === 0 && after.databases.length === 0) return undefined;
  const oldBytes = bytesByOwner(oldImage, before);
  const newBytes = bytesByOwner(newImage, after);
  const oldSide = side(before, oldBytes);
  const newSide = side(after, newBytes);
  return {
    old: oldSide,
    new: newSide,
    changes: packageChanges(before, after),
    fileBytes: bytesDelta(oldBytes, newBytes),
    packageCountDelta: newSide.packageCount - oldSide.packageCount,
    installedBytesDelta: newSide.installedBytes - oldSide.installedBytes,
  };
}

function packageChanges(before: ImagePackages, after: ImagePackages): PackageChange[] {
  const changes: PackageChange[] = [];
  for (const key of new Set([...before.packages.keys(), ...after.packages.keys()])) {
    const o = before.packages.get(key);
    const n = after.packages.get(key);
    const oldInstalledSize = o?.installedSize ?? 0;
    const newInstalledSize = n?.installedSize ?? 0;
    let change: PackageChange['change'];
    if (!o) change = 'added';
    else if (!n) change = 'removed';
    else {
      const order = compareVersions(n.ecosystem, o.version, n.version);
      if (order < 0) change = 'upgraded';
      else if (order > 0) change = 'downgraded';
      else if (oldInstalledSize !== newInstalledSize || o.architecture !== n.architecture) change = 'rebuilt';
      else continue;
    }
    const pkg = (n ?? o)!;
    changes.push({
      key,
      ecosystem: pkg.ecosystem,
      change,
      ...(o ? { oldVersion: o.version } : {}),
      ...(n ? { newVersion: n.version } : {}),
      architecture: pkg.architecture,
      oldInstalledSize,
      newInstalledSize,
      installedSizeDelta: newInstalledSize - oldInstalledSize,
    });
  }
  return changes.sort(
    (a, b) => Math.abs(b.installedSizeDelta) - Math.abs(a.installedSizeDelta) || compare(a.key, b.key),
  );
}

/** File bytes of the final filesystem by owning package key (NOT_FROM_A_PACKAGE for the rest). */
function bytesByOwner(image: ImageRead, packages: ImagePackages): Map<string, number> {
  const bytes = new Map<string, number>();
  for (const [path, file] of image.filesystem.files) {
    if (!isCounted(file)) continue;
    const owner = packages.owners.get(path) ?? NOT_FROM_A_PACKAGE;
    bytes.set(owner, (bytes.get(owner) ?? 0) + rollupBytes(file));
  }
  return bytes;
}

function side(packages: ImagePackages, bytes: Map<string, number>): PackagesSide {
  let installedBytes = 0;
  for (const p of packages.packages.values()) installedBytes += p.installedSize;
  const otherFileBytes = bytes.get(NOT_FROM_A_PACKAGE) ?? 0;
  let total = 0;
  for (const value of bytes.values()) total += value;
  return {
    databases: packages.databases,
    packageCount: packages.packages.size,
    installedBytes,
    packageFileBytes: total - otherFileBytes,
    otherFileBytes,
  };
}

function bytesDelta(before: Map<string, number>, after: Map<string, number>): PackageBytes[] {
  const rows: PackageBytes[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const oldBytes = before.get(name) ?? 0;
    const newBytes = after.get(name) ?? 0;
    if (oldBytes !== newBytes) rows.push({ name, oldBytes, newBytes, delta: newBytes - oldBytes });
  }
  return rows.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || compare(a.name, b.name));
}
