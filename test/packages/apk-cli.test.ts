/**
 * apk packages through the built CLI. apk does not run on Debian, so the installed database is written
 * here in Alpine's documented format (https://wiki.alpinelinux.org/wiki/Apk_spec, "Installed Database":
 * `X:value` lines, records apart by a blank line; P name, V version, A arch, I installed size, F a
 * directory, R a file in it), next to the files it lists, in two root filesystems (v2 upgrades, downgrades,
 * removes and adds packages) that become layers as a builder would make them. Ground truth for the file
 * bytes per package: `du --apparent-size` of each package's files in the root filesystem.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filler, LayoutWriter, type TarEntry } from '../../fixtures/oci-writer.js';
import { layerEntries } from '../../fixtures/rootfs-layers.js';
import type { ImageDelta } from '../../src/delta/types.js';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { schemaErrors } from '../report/schema.js';

interface ApkPackage {
  name: string;
  version: string;
  /** Path (no leading slash) → size. */
  files: Record<string, number>;
}

const V1: ApkPackage[] = [
  { name: 'ld-base', version: '1.0_rc1-r0', files: { 'bin/ld-base': 4000, 'etc/ld-base.conf': 120 } },
  {
    name: 'ld-gone',
    version: '2.1_p1-r2',
    files: { 'usr/share/ld-gone/a': 2500, 'usr/share/ld-gone/b': 300 },
  },
  { name: 'ld-down', version: '3.0-r1', files: { 'usr/lib/ld-down.so': 1000 } },
];
const V2: ApkPackage[] = [
  { name: 'ld-base', version: '1.0-r0', files: { 'bin/ld-base': 6000, 'etc/ld-base.conf': 120 } },
  { name: 'ld-down', version: '3.0_alpha1-r1', files: { 'usr/lib/ld-down.so': 800 } },
  { name: 'ld-new', version: '0.1-r0', files: { 'usr/bin/ld-new': 1500 } },
];

let dir: string;
let layout: string;
const roots = { v1: '', v2: '' };

/** The installed database of `packages`, with a record's files grouped under their directory's F line. */
function installedDatabase(packages: ApkPackage[]): string {
  return packages
    .map((p) => {
      const installed = Object.values(p.files).reduce((a, b) => a + b, 0);
      const lines = [
        'C:Q1' + Buffer.from(p.name).toString('base64'),
        `P:${p.name}`,
        `V:${p.version}`,
        'A:x86_64',
        `S:${Math.ceil(installed / 2)}`,
        `I:${installed}`,
        `T:${p.name} test package`,
        'U:https://example.org',
        'L:MIT',
        `o:${p.name}`,
        't:1700000000',
      ];
      const byDir = new Map<string, string[]>();
      for (const path of Object.keys(p.files).sort()) {
        const d = posix.dirname(path);
        byDir.set(d, [...(byDir.get(d) ?? []), posix.basename(path)]);
      }
      for (const [d, names] of byDir) {
        lines.push(`F:${d}`);
        for (const name of names) lines.push(`R:${name}`, 'Z:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
      }
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}

function writeRoot(root: string, packages: ApkPackage[], extra: Record<string, number> = {}): void {
  const write = (path: string, bytes: number) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), filler(path + bytes, bytes));
  };
  for (const p of packages) for (const [path, bytes] of Object.entries(p.files)) write(path, bytes);
  for (const [path, bytes] of Object.entries(extra)) write(path, bytes);
  mkdirSync(join(root, 'lib/apk/db'), { recursive: true });
  writeFileSync(join(root, 'lib/apk/db/installed'), installedDatabase(packages));
}

function du(root: string, paths: string[]): number {
  const out = execFileSync('du', ['--apparent-size', '-bc', ...paths.map((p) => join(root, p))], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
  return Number(out[out.length - 1]!.split('\t')[0]);
}

const run = (...args: string[]) => runCli(args, { timeoutMs: 240_000 });
const ref = (tag: string) => `oci:${layout}:${tag}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'layerdelta-apk-'));
  roots.v1 = join(dir, 'v1');
  roots.v2 = join(dir, 'v2');
  writeRoot(roots.v1, V1);
  writeRoot(roots.v2, V2, { 'app/data': 10_000 });
  layout = join(dir, 'layout');
  const writer = new LayoutWriter(layout);
  const image = (steps: Array<{ createdBy: string; entries: TarEntry[] }>) =>
    writer.image({
      platform: { os: 'linux', architecture: 'amd64' },
      created: '2024-01-01T00:00:00Z',
      steps,
    });
  const base = { createdBy: 'apk add ld-base ld-gone ld-down', entries: layerEntries(undefined, roots.v1) };
  const step = {
    createdBy: 'apk upgrade; apk del ld-gone; apk add ld-new',
    entries: layerEntries(roots.v1, roots.v2),
  };
  writer.tag(await image([base]), 'v1');
  writer.tag(await image([base, step]), 'v2');
  writer.finish();
  await ensureBuilt();
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('compare with apk databases', () => {
  let delta: ImageDelta;
  beforeAll(async () => {
    const result = await run('compare', ref('v1'), ref('v2'), '--json', '--no-advice');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    delta = JSON.parse(result.stdout) as ImageDelta;
  }, 300_000);

  it("names the packages upgraded, downgraded, removed and added by apk's version order", () => {
    const changes = Object.fromEntries(
      delta.packages!.changes.map((c) => [c.key, [c.change, c.oldVersion, c.newVersion, c.architecture]]),
    );
    // apk-tools' test data: 1.1_alpha1 < 1.1 (a pre-release suffix sorts before the release).
    expect(changes).toEqual({
      'ld-base': ['upgraded', '1.0_rc1-r0', '1.0-r0', 'x86_64'],
      'ld-down': ['downgraded', '3.0-r1', '3.0_alpha1-r1', 'x86_64'],
      'ld-gone': ['removed', '2.1_p1-r2', undefined, 'x86_64'],
      'ld-new': ['added', undefined, '0.1-r0', 'x86_64'],
    });
    const installed = (p: ApkPackage | undefined) => Object.values(p?.files ?? {}).reduce((a, b) => a + b, 0);
    for (const c of delta.packages!.changes) {
      const o = V1.find((p) => p.name === c.key);
      const n = V2.find((p) => p.name === c.key);
      expect([c.key, c.oldInstalledSize, c.newInstalledSize]).toEqual([c.key, installed(o), installed(n)]);
    }
    expect(delta.packages!.new.databases).toEqual([
      { ecosystem: 'apk', path: '/lib/apk/db/installed', status: 'read', packageCount: 3 },
    ]);
  });

  it("attributes file bytes to packages by the database's F/R lines, as du measures the files", () => {
    for (const name of ['ld-base', 'ld-gone', 'ld-down', 'ld-new']) {
      const files = (packages: ApkPackage[], root: string) => {
        const p = packages.find((q) => q.name === name);
        return p ? du(root, Object.keys(p.files)) : 0;
      };
      const row = delta.packages!.fileBytes.find((r) => r.name === name);
      expect([name, row?.oldBytes, row?.newBytes]).toEqual([name, files(V1, roots.v1), files(V2, roots.v2)]);
    }
    const other = delta.packages!.fileBytes.find((r) => r.name === '(not from a package)');
    // The database file itself and /app/data belong to no package.
    expect(other?.newBytes).toBe(du(roots.v2, ['app/data', 'lib/apk/db/installed']));
  });

  it('fits the JSON schema', () => {
    expect(schemaErrors(delta)).toEqual([]);
  });

  it('says it in Markdown', async () => {
    const result = await run('compare', ref('v1'), ref('v2'), '--output', 'markdown', '--no-advice');
    expect(result.stderr).toBe('');
    // Markdown escapes `_` in versions.
    expect(result.stdout).toContain(
      '| <code>ld-down</code> | downgraded | 3.0-r1 | 3.0\\_alpha1-r1 | -200 B |',
    );
    expect(result.stdout).toContain('apk /lib/apk/db/installed');
  }, 300_000);
});
