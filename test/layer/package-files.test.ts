/** The layer scan keeps the package database files, and only them (docs/design.md §11). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLayer } from '../../src/layer/read.js';
import {
  databaseFileLimit,
  MAX_SQLITE_DATABASE_BYTES,
  MAX_TEXT_DATABASE_BYTES,
} from '../../src/packages/database-files.js';
import { compress, tarOf, writeBlob } from './support.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'layerdelta-pkgfiles-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const KEPT = {
  '/var/lib/dpkg/status': 'Package: curl\nStatus: install ok installed\nVersion: 7.88.1-10\n',
  '/var/lib/dpkg/status.d/base-files': 'Package: base-files\nVersion: 12.4\n',
  '/var/lib/dpkg/info/curl.list': '/.\n/usr\n/usr/bin/curl\n',
  '/var/lib/dpkg/info/libc6:amd64.list': '/usr/lib/x86_64-linux-gnu/libc.so.6\n',
  '/lib/apk/db/installed': 'P:musl\nV:1.2.4-r2\n',
  '/var/lib/rpm/rpmdb.sqlite': Buffer.from([0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0, 1, 2, 255]),
  '/usr/lib/sysimage/rpm/rpmdb.sqlite': Buffer.from([1, 2, 3]),
};
const NOT_KEPT = {
  '/var/lib/dpkg/info/curl.md5sums': 'abc  usr/bin/curl\n',
  '/var/lib/dpkg/status-old': 'Package: old\n',
  '/var/lib/dpkg/status.d/nested/x': 'Package: nested\n',
  '/etc/os-release': 'ID=debian\n',
  '/var/lib/rpm/Packages': 'berkeley',
};

describe('package database files in the layer scan', () => {
  it.each([true, false])('keeps exactly the database files, byte for byte (analyze: %s)', async (analyze) => {
    const items = Object.entries({ ...KEPT, ...NOT_KEPT }).map(([path, data]) => ({
      name: `.${path}`,
      data: typeof data === 'string' ? Buffer.from(data) : data,
    }));
    const blob = writeBlob(work, `layer-${analyze}`, compress(await tarOf(items), 'gzip'), 'gzip');
    const scan = await readLayer(blob.open(), blob.descriptor, { analyze });
    const kept = Object.fromEntries(
      Object.entries(scan.packageFiles).map(([path, b64]) => [path, Buffer.from(b64, 'base64')]),
    );
    const expected = Object.fromEntries(
      Object.entries(KEPT).map(([path, data]) => [path, typeof data === 'string' ? Buffer.from(data) : data]),
    );
    expect(kept).toEqual(expected);
    // Every entry is still listed, kept or not.
    expect(scan.entries.map((e) => e.path).sort()).toEqual(Object.keys({ ...KEPT, ...NOT_KEPT }).sort());
  });

  it('bounds what it keeps: text databases and sqlite databases each have a size limit', () => {
    expect(databaseFileLimit('/var/lib/dpkg/status')).toBe(MAX_TEXT_DATABASE_BYTES);
    expect(databaseFileLimit('/var/lib/rpm/rpmdb.sqlite')).toBe(MAX_SQLITE_DATABASE_BYTES);
    expect(databaseFileLimit('/var/lib/dpkg/info/curl.md5sums')).toBeUndefined();
    expect(databaseFileLimit('/usr/bin/curl')).toBeUndefined();
  });
});
