/**
 * rpm's sqlite database (`rpmdb.sqlite`, rpm ≥ 4.16): table `Packages(hnum, blob)`, one header blob per
 * installed package (rpm-header.ts). sql.js (SQLite compiled to WebAssembly: no native build, no install
 * script) reads it; it is loaded only when an image has such a database: loading it costs ~150 ms of CPU
 * and ~11 MB of memory.
 * Berkeley DB and ndb databases are reported "present, not read" (read.ts).
 */
import { RPM_SQLITE } from './database-files.js';
import type { DatabaseReading } from './read.js';
import { RpmHeader, TAG } from './rpm-header.js';
import type { OsPackage, PackageDatabase } from './types.js';

type SqlJs = Awaited<ReturnType<typeof import('sql.js').default>>;
let sqlJs: Promise<SqlJs> | undefined;

function loadSqlJs(): Promise<SqlJs> {
  sqlJs ??= import('sql.js').then((module) => module.default());
  return sqlJs;
}

/** One installed package from its header: the package and the absolute paths of its files. */
export function packageOfHeader(blob: Buffer): { pkg: OsPackage; files: string[] } | undefined {
  const header = new RpmHeader(blob);
  const name = header.string(TAG.name);
  const version = header.string(TAG.version);
  if (!name || !version) return undefined;
  const release = header.string(TAG.release);
  const epoch = header.numbers(TAG.epoch)?.[0];
  const size = header.numbers(TAG.longSize)?.[0] ?? header.numbers(TAG.size)?.[0] ?? 0;
  const baseNames = header.strings(TAG.baseNames) ?? [];
  const dirNames = header.strings(TAG.dirNames) ?? [];
  const dirIndexes = header.numbers(TAG.dirIndexes) ?? [];
  const files = baseNames.map((base, i) => `${dirNames[dirIndexes[i] ?? -1] ?? ''}${base}`);
  return {
    pkg: {
      ecosystem: 'rpm',
      name,
      // rpm's %{EVR}: the epoch only when the package declares one.
      version: `${epoch === undefined ? '' : `${epoch}:`}${version}${release ? `-${release}` : ''}`,
      // A source-less package (gpg-pubkey) has no ARCH: rpm prints "(none)".
      architecture: header.string(TAG.arch) ?? '(none)',
      installedSize: size,
    },
    files: files.filter((f) => f.startsWith('/')),
  };
}

/** Reads the sqlite rpm databases among the final filesystem's files; undefined when there is none. */
export async function readRpm(files: Map<string, Buffer>): Promise<DatabaseReading | undefined> {
  const present = RPM_SQLITE.filter((path) => files.has(path));
  if (present.length === 0) return undefined;
  let SQL: SqlJs;
  try {
    SQL = await loadSqlJs();
  } catch (error) {
    sqlJs = undefined;
    const reason = `sql.js did not load: ${error instanceof Error ? error.message : String(error)}`;
    const databases = present.map(
      (path): PackageDatabase => ({ ecosystem: 'rpm', path, status: 'not read', reason, packageCount: 0 }),
    );
    return { databases, packages: [], lists: new Map() };
  }
  const databases: PackageDatabase[] = [];
  const packages: OsPackage[] = [];
  const lists = new Map<string, string[]>();
  for (const path of present) {
    let db: import('sql.js').Database | undefined;
    try {
      db = new SQL.Database(files.get(path)!);
      const statement = db.prepare('SELECT blob FROM Packages');
      const found: Array<{ pkg: OsPackage; files: string[] }> = [];
      try {
        while (statement.step()) {
          const blob = statement.get()[0];
          if (!(blob instanceof Uint8Array)) continue;
          const read = packageOfHeader(Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength));
          if (read) found.push(read);
        }
      } finally {
        statement.free();
      }
      for (const { pkg, files: paths } of found) {
        packages.push(pkg);
        lists.set(`${pkg.name}:${pkg.architecture}`, paths);
      }
      databases.push({ ecosystem: 'rpm', path, status: 'read', packageCount: found.length });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      databases.push({ ecosystem: 'rpm', path, status: 'not read', reason, packageCount: 0 });
    } finally {
      db?.close();
    }
  }
  return { databases, packages, lists };
}
