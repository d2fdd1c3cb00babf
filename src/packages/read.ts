/**
 * The OS packages of one image, from the package database files of its final filesystem (the layer scan
 * kept their content: docs/design.md §11), and the owner of every file the databases list.
 */
import { resolveParents } from '../files/resolve.js';
import type { ImageFilesystem } from '../layer/filesystem.js';
import type { LayerRead } from '../layer/types.js';
import { readApk } from './apk.js';
import { databaseFileLimit, RPM_OTHER } from './database-files.js';
import { readDpkg } from './dpkg.js';
import { readRpm } from './rpm.js';
import type { ImagePackages, OsPackage, PackageDatabase } from './types.js';

/** One ecosystem's reading: its databases, packages, and listed files by package (name or name:arch). */
export interface DatabaseReading {
  databases: PackageDatabase[];
  packages: OsPackage[];
  lists: Map<string, string[]>;
}

/** Undefined when the ecosystem's databases are absent; the rpm reader is async (it loads sql.js). */
export type DatabaseReader = (
  files: Map<string, Buffer>,
) => DatabaseReading | undefined | Promise<DatabaseReading | undefined>;

export const DATABASE_READERS: DatabaseReader[] = [readDpkg, readApk, readRpm];

/** The package database files of the final filesystem with the content the layer scan kept. */
export function databaseFiles(scans: LayerRead[], fs: ImageFilesystem): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  scans.forEach((scan, layer) => {
    for (const [path, content] of Object.entries(scan.packageFiles ?? {})) {
      const file = fs.files.get(path);
      if (file?.layer === layer && file.entry.type === 'file')
        files.set(path, Buffer.from(content, 'base64'));
    }
  });
  return files;
}

/** Readings already made, by filesystem: the package delta, advice and the report each ask for them. */
const readings = new WeakMap<ImageFilesystem, Promise<ImagePackages>>();

export function readImagePackages(
  scans: LayerRead[],
  fs: ImageFilesystem,
  readers: DatabaseReader[] = DATABASE_READERS,
): Promise<ImagePackages> {
  if (readers !== DATABASE_READERS) return readPackages(scans, fs, readers);
  let reading = readings.get(fs);
  if (!reading) {
    reading = readPackages(scans, fs, readers);
    readings.set(fs, reading);
  }
  return reading;
}

async function readPackages(
  scans: LayerRead[],
  fs: ImageFilesystem,
  readers: DatabaseReader[],
): Promise<ImagePackages> {
  const files = databaseFiles(scans, fs);
  const result: ImagePackages = { databases: notRead(fs, files), packages: new Map(), owners: new Map() };
  const found = (await Promise.all(readers.map((read) => read(files)))).flatMap((r) => r ?? []);
  const all = found.flatMap((r) => r.packages);
  const nameCount = new Map<string, number>();
  for (const p of all) nameCount.set(p.name, (nameCount.get(p.name) ?? 0) + 1);
  const keyOf = (p: OsPackage) => ((nameCount.get(p.name) ?? 0) > 1 ? `${p.name}:${p.architecture}` : p.name);
  for (const p of all) result.packages.set(keyOf(p), p);
  for (const reading of found) {
    result.databases.push(...reading.databases);
    for (const [listName, paths] of reading.lists) {
      // Lists are named `name:arch` (dpkg: Multi-Arch: same packages; apk, rpm: always); the key is
      // the bare name unless a name is installed for several architectures.
      const key = result.packages.has(listName) ? listName : listName.split(':')[0]!;
      if (!result.packages.has(key)) continue;
      for (const path of paths) {
        const resolved = resolveParents(fs, path);
        if (!result.owners.has(resolved)) result.owners.set(resolved, key);
      }
    }
  }
  return result;
}

/** Databases present in the filesystem whose content was not kept: too large, or a format not read. */
function notRead(fs: ImageFilesystem, kept: Map<string, Buffer>): PackageDatabase[] {
  const databases: PackageDatabase[] = [];
  for (const path of RPM_OTHER) {
    if (fs.files.get(path)?.entry.type !== 'file') continue;
    databases.push({
      ecosystem: 'rpm',
      path,
      status: 'not read',
      reason: 'Berkeley DB / ndb rpm database: present, not read',
      packageCount: 0,
    });
  }
  for (const [path, file] of fs.files) {
    if (file.entry.type !== 'file' || kept.has(path) || path.endsWith('.list')) continue;
    const limit = databaseFileLimit(path);
    if (limit === undefined || file.entry.size <= limit) continue;
    databases.push({
      ecosystem: path.includes('/rpm/') ? 'rpm' : path.includes('/apk/') ? 'apk' : 'dpkg',
      path,
      status: 'not read',
      reason: `larger than ${limit} bytes`,
      packageCount: 0,
    });
  }
  return databases;
}
