/**
 * rpm packages through the built CLI, from real rpm databases: tiny packages built with `rpmbuild`,
 * installed with Debian's `rpm` into root filesystems (v1; v2 upgrades one, removes one, adds one),
 * turned into layers as a builder would (fixtures/rootfs-layers.ts). Ground truth: `rpm --root … -qa`
 * (name, EVR, arch, size) and `du --apparent-size` of the files `rpm -ql` lists.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayoutWriter, type TarEntry } from '../../fixtures/oci-writer.js';
import { layerEntries } from '../../fixtures/rootfs-layers.js';
import type { ImageDelta } from '../../src/delta/types.js';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { schemaErrors } from '../report/schema.js';

let dir: string;
let layout: string;
const roots = { v1: '', v2: '', sysimage: '' };
const DBPATH = '/var/lib/rpm';

/** A spec whose main package and subpackages each install one file of `bytes` zero bytes. */
function spec(main: Pkg, subpackages: Pkg[]): string {
  const header = (p: Pkg) =>
    `${p.epoch === undefined ? '' : `Epoch: ${p.epoch}\n`}Version: ${p.version}\nRelease: ${p.release}\n`;
  const install = [main, ...subpackages]
    .map(
      (p) =>
        `mkdir -p %{buildroot}/usr/share/${p.name}\nhead -c ${p.bytes} /dev/zero > %{buildroot}/usr/share/${p.name}/data\n`,
    )
    .join('');
  return [
    `Name: ${main.name}\n${header(main)}Summary: test\nLicense: MIT\nBuildArch: noarch\n%description\ntest\n`,
    ...subpackages.map(
      (p) => `%package -n ${p.name}\n${header(p)}Summary: test\n%description -n ${p.name}\ntest\n`,
    ),
    `%install\n${install}`,
    `%files\n/usr/share/${main.name}\n`,
    ...subpackages.map((p) => `%files -n ${p.name}\n/usr/share/${p.name}\n`),
  ].join('\n');
}

interface Pkg {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  bytes: number;
}

function rpmbuild(name: string, text: string): string {
  const top = join(dir, `build-${name}`);
  mkdirSync(top, { recursive: true });
  writeFileSync(join(top, `${name}.spec`), text);
  execFileSync(
    'rpmbuild',
    [
      '--define',
      `_topdir ${top}`,
      '--define',
      '__os_install_post %{nil}',
      '--define',
      'debug_package %{nil}',
      '--quiet',
      '-bb',
      join(top, `${name}.spec`),
    ],
    { stdio: 'pipe' },
  );
  return join(top, 'RPMS', 'noarch');
}

function rpm(root: string, dbpath: string, args: string[]): string {
  return execFileSync('rpm', ['--root', root, '--dbpath', dbpath, ...args], {
    encoding: 'utf8',
    stdio: 'pipe',
  });
}

interface RpmRow {
  evr: string;
  arch: string;
  size: number;
}

function rpmQuery(root: string, dbpath = DBPATH): Map<string, RpmRow> {
  const rows = new Map<string, RpmRow>();
  for (const line of rpm(root, dbpath, ['-qa', '--queryformat', '%{NAME} %{EVR} %{ARCH} %{SIZE}\n'])
    .trim()
    .split('\n')) {
    const [name, evr, arch, size] = line.split(' ');
    rows.set(name!, { evr: evr!, arch: arch!, size: Number(size) });
  }
  return rows;
}

/** `du --apparent-size -bc` of the regular files rpm lists for `name` in `root`. */
function duOfPackage(root: string, name: string): number {
  const files = rpm(root, DBPATH, ['-ql', name])
    .trim()
    .split('\n')
    .map((f) => join(root, f))
    .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile());
  if (files.length === 0) return 0;
  const out = execFileSync('du', ['--apparent-size', '-bc', ...files], { encoding: 'utf8' })
    .trim()
    .split('\n');
  return Number(out[out.length - 1]!.split('\t')[0]);
}

const run = (...args: string[]) => runCli(args, { timeoutMs: 240_000 });
const ref = (tag: string) => `oci:${layout}:${tag}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'layerdelta-rpm-'));
  const v1Rpms = rpmbuild(
    'v1',
    spec({ name: 'ld-tool', version: '1.0', release: '1', bytes: 3000 }, [
      { name: 'ld-old', version: '0.9', release: '3', bytes: 5000 },
    ]),
  );
  const v2Rpms = rpmbuild(
    'v2',
    spec({ name: 'ld-tool', version: '1.0^git2', release: '1', bytes: 9000 }, [
      { name: 'ld-new', epoch: 1, version: '2.0', release: '1', bytes: 7000 },
    ]),
  );
  roots.v1 = join(dir, 'v1');
  roots.v2 = join(dir, 'v2');
  roots.sysimage = join(dir, 'sysimage');
  mkdirSync(roots.v1);
  rpm(roots.v1, DBPATH, ['--initdb']);
  rpm(roots.v1, DBPATH, [
    '-i',
    '--nodeps',
    '--noscripts',
    join(v1Rpms, 'ld-tool-1.0-1.noarch.rpm'),
    join(v1Rpms, 'ld-old-0.9-3.noarch.rpm'),
  ]);
  // v2: what a later RUN step does to v1's filesystem.
  cpSync(roots.v1, roots.v2, { recursive: true });
  rpm(roots.v2, DBPATH, ['-U', '--nodeps', '--noscripts', join(v2Rpms, 'ld-tool-1.0^git2-1.noarch.rpm')]);
  rpm(roots.v2, DBPATH, ['-e', '--nodeps', '--noscripts', 'ld-old']);
  rpm(roots.v2, DBPATH, ['-i', '--nodeps', '--noscripts', join(v2Rpms, 'ld-new-2.0-1.noarch.rpm')]);
  // Newer Fedora/openSUSE keep the database in /usr/lib/sysimage/rpm; beside it an old Berkeley DB file.
  mkdirSync(join(roots.sysimage, 'var/lib/rpm'), { recursive: true });
  rpm(roots.sysimage, '/usr/lib/sysimage/rpm', ['--initdb']);
  rpm(roots.sysimage, '/usr/lib/sysimage/rpm', [
    '-i',
    '--nodeps',
    '--noscripts',
    join(v2Rpms, 'ld-new-2.0-1.noarch.rpm'),
  ]);
  const bdb = Buffer.alloc(4096);
  bdb.writeUInt32LE(0x00061561, 12); // Berkeley DB hash magic
  writeFileSync(join(roots.sysimage, 'var/lib/rpm/Packages'), bdb);

  layout = join(dir, 'layout');
  const writer = new LayoutWriter(layout);
  const image = (steps: Array<{ createdBy: string; entries: TarEntry[] }>) =>
    writer.image({
      platform: { os: 'linux', architecture: 'amd64' },
      created: '2024-01-01T00:00:00Z',
      steps,
    });
  const base = { createdBy: 'rpm -i ld-tool ld-old', entries: layerEntries(undefined, roots.v1) };
  const step = {
    createdBy: 'rpm -U ld-tool; rpm -e ld-old; rpm -i ld-new',
    entries: layerEntries(roots.v1, roots.v2),
  };
  writer.tag(await image([base]), 'v1');
  writer.tag(await image([base, step]), 'v2');
  writer.tag(
    await image([{ createdBy: 'rpm -i ld-new', entries: layerEntries(undefined, roots.sysimage) }]),
    'sysimage',
  );
  writer.finish();
  await ensureBuilt();
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('compare with rpm databases', () => {
  let delta: ImageDelta;
  beforeAll(async () => {
    const result = await run('compare', ref('v1'), ref('v2'), '--json', '--no-advice');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    delta = JSON.parse(result.stdout) as ImageDelta;
  }, 300_000);

  it('names the packages added, removed and upgraded with what rpm -qa says of them', () => {
    const before = rpmQuery(roots.v1);
    const after = rpmQuery(roots.v2);
    const row = (key: string, change: string) => {
      const o = before.get(key);
      const n = after.get(key);
      return {
        key,
        ecosystem: 'rpm',
        change,
        ...(o ? { oldVersion: o.evr } : {}),
        ...(n ? { newVersion: n.evr } : {}),
        architecture: (n ?? o)!.arch,
        oldInstalledSize: o?.size ?? 0,
        newInstalledSize: n?.size ?? 0,
        installedSizeDelta: (n?.size ?? 0) - (o?.size ?? 0),
      };
    };
    // 1.0^git2 sorts after 1.0 (rpm's caret); ld-new carries an epoch (EVR 1:2.0-1).
    const expected = [row('ld-tool', 'upgraded'), row('ld-new', 'added'), row('ld-old', 'removed')];
    const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key);
    expect([...delta.packages!.changes].sort(byKey)).toEqual(expected.sort(byKey));
    expect(after.get('ld-new')!.evr).toBe('1:2.0-1');
    expect(delta.packages!.old.packageCount).toBe(before.size);
    expect(delta.packages!.new.packageCount).toBe(after.size);
    expect(delta.packages!.new.databases).toEqual([
      { ecosystem: 'rpm', path: '/var/lib/rpm/rpmdb.sqlite', status: 'read', packageCount: after.size },
    ]);
  });

  it("attributes file bytes to packages by rpm's file lists, as du measures them", () => {
    for (const name of ['ld-tool', 'ld-old', 'ld-new']) {
      const row = delta.packages!.fileBytes.find((r) => r.name === name);
      const oldBytes = rpmQuery(roots.v1).has(name) ? duOfPackage(roots.v1, name) : 0;
      const newBytes = rpmQuery(roots.v2).has(name) ? duOfPackage(roots.v2, name) : 0;
      expect({ name, oldBytes: row?.oldBytes, newBytes: row?.newBytes }).toEqual({
        name,
        oldBytes,
        newBytes,
      });
    }
    // The rpm database itself is no package's file.
    expect(delta.packages!.fileBytes.some((r) => r.name === '(not from a package)')).toBe(true);
  });

  it('fits the JSON schema', () => {
    expect(schemaErrors(delta)).toEqual([]);
  });

  it('says it in text', async () => {
    const result = await run('compare', ref('v1'), ref('v2'), '--no-advice');
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/ld-tool\s+upgraded\s+1\.0-1\s+1\.0\^git2-1\s+\+6 kB/);
    expect(result.stdout).toMatch(/ld-old\s+removed\s+0\.9-3\s+-\s+-5 kB/);
    expect(result.stdout).toMatch(/ld-new\s+added\s+-\s+1:2\.0-1\s+\+7 kB/);
    expect(result.stdout).toContain(
      'databases old: rpm /var/lib/rpm/rpmdb.sqlite; new: rpm /var/lib/rpm/rpmdb.sqlite',
    );
  }, 300_000);
});

it('reads the database in /usr/lib/sysimage/rpm and says a Berkeley DB is present, not read', async () => {
  const result = await run('inspect', ref('sysimage'), '--json');
  expect(result.stderr).toBe('');
  const report = JSON.parse(result.stdout) as {
    files: { packages: { count: number; databases: unknown[] } };
  };
  const expected = rpmQuery(roots.sysimage, '/usr/lib/sysimage/rpm');
  expect(report.files.packages.count).toBe(expected.size);
  expect(report.files.packages.databases).toEqual([
    {
      ecosystem: 'rpm',
      path: '/var/lib/rpm/Packages',
      status: 'not read',
      reason: 'Berkeley DB / ndb rpm database: present, not read',
      packageCount: 0,
    },
    {
      ecosystem: 'rpm',
      path: '/usr/lib/sysimage/rpm/rpmdb.sqlite',
      status: 'read',
      packageCount: expected.size,
    },
  ]);
}, 300_000);
