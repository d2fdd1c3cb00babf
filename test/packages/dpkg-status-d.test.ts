/**
 * Distroless images keep one stanza file per package in var/lib/dpkg/status.d/ (no Status field). Made
 * here from the real status file of the Debian fixture, split per package as distroless does; the
 * packages read must be what dpkg-query says of the original database.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { debianFixture } from '../../fixtures/debian.js';
import { readDpkg } from '../../src/packages/dpkg.js';

it('reads status.d stanza files as dpkg-query reads the status file', { timeout: 45 * 60_000 }, async () => {
  const fixture = await debianFixture();
  const admin = join(fixture.rootfs.v2, 'var/lib/dpkg');
  const stanzas = readFileSync(join(admin, 'status'), 'utf8')
    .split(/\n\n+/)
    .filter((s) => s.trim() !== '');
  const files = new Map<string, Buffer>();
  for (const stanza of stanzas) {
    const name = /^Package: (.+)$/m.exec(stanza)![1]!;
    // distroless writes no Status field, and an md5sums file next to each stanza (not a package).
    files.set(`/var/lib/dpkg/status.d/${name}`, Buffer.from(stanza.replace(/^Status: .*\n/m, '')));
    files.set(`/var/lib/dpkg/status.d/${name}.md5sums`, Buffer.from('d41d8cd98f00b204e9800998ecf8427e  x\n'));
  }
  const read = readDpkg(files)!;
  const expected = execFileSync(
    'dpkg-query',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} syntax
    [`--admindir=${admin}`, '-W', '-f', '${Package}\t${Version}\t${Architecture}\t${Installed-Size}\n'],
    { encoding: 'utf8' },
  )
    .trim()
    .split('\n')
    .sort();
  const ours = read.packages
    .map((p) => `${p.name}\t${p.version}\t${p.architecture}\t${p.installedSize / 1024}`)
    .sort();
  expect(ours).toEqual(expected);
  expect(ours.length).toBeGreaterThan(50);
  expect(read.databases).toEqual([
    { ecosystem: 'dpkg', path: '/var/lib/dpkg/status.d', status: 'read', packageCount: expected.length },
  ]);
});
