/**
 * The rpm reader on databases without packages or that it cannot read: rpm's own empty database (`rpm
 * --initdb`), a file that is not sqlite, and an sqlite file without rpm's Packages table. The unreadable
 * ones are reported "not read" with SQLite's reason; nothing throws.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { expect, it } from 'vitest';
import { readRpm } from '../../src/packages/rpm.js';

it('reports an unreadable rpmdb.sqlite as not read, with the reason', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerdelta-rpmdb-'));
  try {
    execFileSync('rpm', ['--root', dir, '--dbpath', '/var/lib/rpm', '--initdb']);
    const empty = readFileSync(join(dir, 'var/lib/rpm/rpmdb.sqlite'));
    const SQL = await initSqlJs();
    const other = new SQL.Database();
    other.run('CREATE TABLE Names (name TEXT)');
    const noPackagesTable = Buffer.from(other.export());
    other.close();
    const read = await readRpm(
      new Map([
        ['/var/lib/rpm/rpmdb.sqlite', empty],
        [
          '/usr/lib/sysimage/rpm/rpmdb.sqlite',
          Buffer.from('this is not an sqlite database, but long enough'.repeat(20)),
        ],
      ]),
    );
    const noTable = await readRpm(new Map([['/var/lib/rpm/rpmdb.sqlite', noPackagesTable]]));
    expect(noTable?.databases).toEqual([
      {
        ecosystem: 'rpm',
        path: '/var/lib/rpm/rpmdb.sqlite',
        status: 'not read',
        reason: 'no such table: Packages',
        packageCount: 0,
      },
    ]);
    expect(read?.packages).toEqual([]);
    expect(read?.databases).toEqual([
      { ecosystem: 'rpm', path: '/var/lib/rpm/rpmdb.sqlite', status: 'read', packageCount: 0 },
      {
        ecosystem: 'rpm',
        path: '/usr/lib/sysimage/rpm/rpmdb.sqlite',
        status: 'not read',
        reason: 'file is not a database',
        packageCount: 0,
      },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
