/**
 * The package database files the layer scan buffers (docs/design.md §11): only these few small files
 * are kept whole; every other file's content flows through. Paths are normalised absolute paths.
 */

/** Text databases (dpkg status, status.d stanzas, .list files, apk installed) above this are not kept. */
export const MAX_TEXT_DATABASE_BYTES = 16 * 1024 * 1024;
/** An rpm sqlite database of a large distribution is tens of MB; above this it is not kept. */
export const MAX_SQLITE_DATABASE_BYTES = 128 * 1024 * 1024;

export const DPKG_STATUS = '/var/lib/dpkg/status';
export const DPKG_STATUS_D = '/var/lib/dpkg/status.d/';
export const DPKG_INFO = '/var/lib/dpkg/info/';
export const APK_INSTALLED = '/lib/apk/db/installed';
/** Where rpm keeps its sqlite database: the classic place and the one of newer Fedora/openSUSE. */
export const RPM_SQLITE = ['/var/lib/rpm/rpmdb.sqlite', '/usr/lib/sysimage/rpm/rpmdb.sqlite'] as const;
/** Berkeley DB (`Packages`) and ndb (`Packages.db`) databases: reported as present, not read. */
export const RPM_OTHER = [
  '/var/lib/rpm/Packages',
  '/var/lib/rpm/Packages.db',
  '/usr/lib/sysimage/rpm/Packages',
  '/usr/lib/sysimage/rpm/Packages.db',
] as const;

/** The size limit for buffering `path`, or undefined when it is not a package database file. */
export function databaseFileLimit(path: string): number | undefined {
  if ((RPM_SQLITE as readonly string[]).includes(path)) return MAX_SQLITE_DATABASE_BYTES;
  if (path === DPKG_STATUS || path === APK_INSTALLED) return MAX_TEXT_DATABASE_BYTES;
  if (isDirectChild(path, DPKG_STATUS_D)) return MAX_TEXT_DATABASE_BYTES;
  if (isDirectChild(path, DPKG_INFO) && path.endsWith('.list')) return MAX_TEXT_DATABASE_BYTES;
  return undefined;
}

function isDirectChild(path: string, dir: string): boolean {
  return path.startsWith(dir) && path.length > dir.length && !path.includes('/', dir.length);
}
