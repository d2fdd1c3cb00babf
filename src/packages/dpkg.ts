/**
 * dpkg's database: `var/lib/dpkg/status` (deb822 stanzas, dpkg(1) "FILES"), the one-stanza-per-file
 * `var/lib/dpkg/status.d/` that distroless images keep instead, and `var/lib/dpkg/info/PKG[:ARCH].list`
 * (one path per line: the files each package installed).
 */

import { DPKG_INFO, DPKG_STATUS, DPKG_STATUS_D } from './database-files.js';
import { parseStanzas } from './deb822.js';
import type { OsPackage, PackageDatabase } from './types.js';

/** Status states (the third word of `Status:`) in which a package's files are not on disk. */
const NOT_ON_DISK = new Set(['not-installed', 'config-files']);

export interface DpkgResult {
  databases: PackageDatabase[];
  packages: OsPackage[];
  /** `.list` files: package name as in the file name (`name` or `name:arch`) → listed paths. */
  lists: Map<string, string[]>;
}

/** Reads dpkg's database from the final filesystem's files (absolute path → content); undefined when absent. */
export function readDpkg(files: Map<string, Buffer>): DpkgResult | undefined {
  const databases: PackageDatabase[] = [];
  const packages: OsPackage[] = [];
  const status = files.get(DPKG_STATUS);
  if (status) {
    const found = packagesOf(status.toString('utf8'), true);
    databases.push({ ecosystem: 'dpkg', path: DPKG_STATUS, status: 'read', packageCount: found.length });
    packages.push(...found);
  }
  const statusD = [...files.keys()].filter((p) => p.startsWith(DPKG_STATUS_D) && !p.endsWith('.md5sums'));
  if (statusD.length > 0) {
    const found = statusD.sort().flatMap((p) => packagesOf(files.get(p)!.toString('utf8'), false));
    const path = DPKG_STATUS_D.slice(0, -1);
    databases.push({ ecosystem: 'dpkg', path, status: 'read', packageCount: found.length });
    packages.push(...found);
  }
  if (databases.length === 0) return undefined;
  const lists = new Map<string, string[]>();
  for (const [path, content] of files) {
    if (!path.startsWith(DPKG_INFO) || !path.endsWith('.list')) continue;
    const name = path.slice(DPKG_INFO.length, -'.list'.length);
    lists.set(
      name,
      content
        .toString('utf8')
        .split('\n')
        .filter((line) => line.startsWith('/')),
    );
  }
  return { databases, packages, lists };
}

/** `withStatus`: the status file records removed packages too; status.d stanzas have no Status field. */
function packagesOf(text: string, withStatus: boolean): OsPackage[] {
  const packages: OsPackage[] = [];
  for (const stanza of parseStanzas(text)) {
    const name = stanza.get('package');
    const version = stanza.get('version');
    if (!name || !version) continue;
    if (withStatus) {
      const state = stanza.get('status')?.split(/\s+/)[2];
      if (state === undefined || NOT_ON_DISK.has(state)) continue;
    }
    const kib = Number.parseInt(stanza.get('installed-size') ?? '0', 10);
    packages.push({
      ecosystem: 'dpkg',
      name,
      version,
      architecture: stanza.get('architecture') ?? '',
      installedSize: Number.isFinite(kib) && kib > 0 ? kib * 1024 : 0,
    });
  }
  return packages;
}
