/**
 * apk's database of installed packages, `lib/apk/db/installed`: one record per package, records apart
 * by a blank line, each line `X:value` (https://wiki.alpinelinux.org/wiki/Apk_spec, "Installed
 * Database"): P name, V version, A architecture, I installed size in bytes; an `F:` line names a directory
 * (relative to /) and the `R:` lines after it name the package's files in that directory.
 */
import { APK_INSTALLED } from './database-files.js';
import type { DatabaseReading } from './read.js';
import type { OsPackage } from './types.js';

/** Reads the installed database from the final filesystem's files; undefined when absent. */
export function readApk(files: Map<string, Buffer>): DatabaseReading | undefined {
  const content = files.get(APK_INSTALLED);
  if (!content) return undefined;
  const packages: OsPackage[] = [];
  const lists = new Map<string, string[]>();
  for (const record of content.toString('utf8').split(/\n\s*\n/)) {
    let name = '';
    let version = '';
    let architecture = '';
    let installedSize = 0;
    let dir = '';
    const paths: string[] = [];
    for (const line of record.split('\n')) {
      if (line.length < 2 || line.charAt(1) !== ':') continue;
      const value = line.slice(2);
      switch (line.charAt(0)) {
        case 'P':
          name = value;
          break;
        case 'V':
          version = value;
          break;
        case 'A':
          architecture = value;
          break;
        case 'I': {
          const bytes = Number.parseInt(value, 10);
          installedSize = Number.isFinite(bytes) && bytes > 0 ? bytes : 0;
          break;
        }
        case 'F':
          dir = value.replace(/^\/+|\/+$/g, '');
          break;
        case 'R':
          paths.push(dir === '' ? `/${value}` : `/${dir}/${value}`);
          break;
      }
    }
    if (!name || !version) continue;
    packages.push({ ecosystem: 'apk', name, version, architecture, installedSize });
    // Keyed name:arch, as read.ts matches lists to packages (the bare name unless a name repeats).
    lists.set(`${name}:${architecture}`, paths);
  }
  return {
    databases: [{ ecosystem: 'apk', path: APK_INSTALLED, status: 'read', packageCount: packages.length }],
    packages,
    lists,
  };
}
