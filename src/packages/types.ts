/** OS packages of one image and their delta between two images (docs/design.md §11). */

export type PackageEcosystem = 'dpkg' | 'apk' | 'rpm';

export interface OsPackage {
  ecosystem: PackageEcosystem;
  name: string;
  version: string;
  architecture: string;
  /** What the database declares, in bytes (dpkg's Installed-Size is KiB: × 1024). */
  installedSize: number;
}

/** One package database found in the final filesystem. */
export interface PackageDatabase {
  ecosystem: PackageEcosystem;
  /** The database file (dpkg status.d: the directory). */
  path: string;
  /** `read`; `not read` with the reason (Berkeley DB / ndb rpm databases, files over the size limit). */
  status: 'read' | 'not read';
  reason?: string;
  packageCount: number;
}

/** What one image holds: its databases, its packages, and the owner of each file the databases list. */
export interface ImagePackages {
  databases: PackageDatabase[];
  /** By key (`name`, or `name:architecture` where one name is installed for several architectures). */
  packages: Map<string, OsPackage>;
  /** Package key by absolute path, for the files the databases list. */
  owners: Map<string, string>;
}

export type PackageChangeKind = 'added' | 'removed' | 'upgraded' | 'downgraded' | 'rebuilt';

export interface PackageChange {
  /** `name`, or `name:architecture` where one name is installed for several architectures. */
  key: string;
  ecosystem: PackageEcosystem;
  change: PackageChangeKind;
  oldVersion?: string;
  newVersion?: string;
  architecture: string;
  /** Declared installed size, bytes. */
  oldInstalledSize: number;
  newInstalledSize: number;
  installedSizeDelta: number;
}

/** Bytes of the final filesystem's files owned by one package (or by none). */
export interface PackageBytes {
  /** Package key, or NOT_FROM_A_PACKAGE. */
  name: string;
  oldBytes: number;
  newBytes: number;
  delta: number;
}

export const NOT_FROM_A_PACKAGE = '(not from a package)';

export interface PackagesSide {
  databases: PackageDatabase[];
  packageCount: number;
  /** Sum of the declared installed sizes. */
  installedBytes: number;
  /** Bytes of files that a package database lists (regular files and symlinks of the final filesystem). */
  packageFileBytes: number;
  /** Bytes of files no database lists. */
  otherFileBytes: number;
}

export interface PackagesDelta {
  old: PackagesSide;
  new: PackagesSide;
  /** Added, removed, upgraded, downgraded, rebuilt (same version, other size); by |size delta|. */
  changes: PackageChange[];
  /** File bytes per owning package, every package whose bytes differ, NOT_FROM_A_PACKAGE too; by |delta|. */
  fileBytes: PackageBytes[];
  packageCountDelta: number;
  installedBytesDelta: number;
}
