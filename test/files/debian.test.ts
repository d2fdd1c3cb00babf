/**
 * The file, wasted-bytes and package views on real Debian images (fixtures/debian.ts: mmdebstrap
 * minbase; + tzdata; + curl and `rm -rf /usr/share/doc`), checked against independent tools on the root
 * filesystems the layers were made from: dpkg-query for packages, du/find for directory bytes, GNU tar's
 * listing of the layer blobs for wasted bytes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DebianFixture, debianFixture } from '../../fixtures/debian.js';
import type { ImageDelta } from '../../src/delta/types.js';
import { topDirectories } from '../../src/files/delta.js';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { schemaErrors } from '../report/schema.js';
import { duBytes } from '../support/du.js';

let fixture: DebianFixture;
let cacheDir: string;
let delta: ImageDelta;
const ref = (tag: string) => `oci:${fixture.layout}:${tag}`;

beforeAll(async () => {
  // Cold: mmdebstrap runs (minutes); warm: a marker file is read.
  fixture = await debianFixture();
  await ensureBuilt();
  cacheDir = mkdtempSync(join(tmpdir(), 'layerdelta-debian-'));
  const result = await runCli(['compare', ref('v1'), ref('v2'), '--json', '--cache-dir', cacheDir], {
    timeoutMs: 240_000,
  });
  expect(result.stderr).toBe('');
  delta = JSON.parse(result.stdout) as ImageDelta;
}, 45 * 60_000);

afterAll(() => {
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

interface DpkgRow {
  version: string;
  architecture: string;
  installedSize: number;
}

/** dpkg-query's view of a root filesystem: the packages whose files are on disk. */
function dpkgQuery(rootfs: string): Map<string, DpkgRow> {
  const out = execFileSync(
    'dpkg-query',
    [
      `--admindir=${join(rootfs, 'var/lib/dpkg')}`,
      '-W',
      '-f',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} syntax
      '${db:Status-Status}\t${Package}\t${Architecture}\t${Version}\t${Installed-Size}\n',
    ],
    { encoding: 'utf8' },
  );
  const rows = new Map<string, DpkgRow>();
  for (const line of out.trim().split('\n')) {
    const [status, name, architecture, version, kib] = line.split('\t');
    if (status === 'not-installed' || status === 'config-files') continue;
    rows.set(name!, {
      version: version!,
      architecture: architecture!,
      installedSize: Number(kib || 0) * 1024,
    });
  }
  return rows;
}

describe('compare on a real Debian pair', () => {
  it('names the packages that came and went with their versions and sizes, as dpkg-query does', () => {
    const before = dpkgQuery(fixture.rootfs.v1);
    const after = dpkgQuery(fixture.rootfs.v2);
    const expected = [...new Set([...before.keys(), ...after.keys()])]
      .filter((name) => before.get(name)?.version !== after.get(name)?.version)
      .map((name) => ({
        key: name,
        change: !before.has(name) ? 'added' : !after.has(name) ? 'removed' : 'changed version',
        ...(before.has(name) ? { oldVersion: before.get(name)!.version } : {}),
        ...(after.has(name) ? { newVersion: after.get(name)!.version } : {}),
        installedSizeDelta: (after.get(name)?.installedSize ?? 0) - (before.get(name)?.installedSize ?? 0),
      }))
      .sort((a, b) => a.key.localeCompare(b.key));
    const ours = delta
      .packages!.changes.map((c) => ({
        key: c.key,
        change: c.change === 'upgraded' || c.change === 'downgraded' ? 'changed version' : c.change,
        ...(c.oldVersion ? { oldVersion: c.oldVersion } : {}),
        ...(c.newVersion ? { newVersion: c.newVersion } : {}),
        installedSizeDelta: c.installedSizeDelta,
      }))
      .sort((a, b) => a.key.localeCompare(b.key));
    expect(ours).toEqual(expected);
    expect(ours.map((c) => c.key)).toContain('curl');
    expect(delta.packages!.old.packageCount).toBe(before.size);
    expect(delta.packages!.new.packageCount).toBe(after.size);
  });

  it("says which directories grew or vanished with du's apparent bytes (±1%)", () => {
    const files = delta.files!;
    const top = topDirectories(files.directories, 10);
    const doc = files.directories.find((d) => d.path === '/usr/share/doc');
    expect(doc).toMatchObject({ change: 'removed', newBytes: 0 });
    expect(top.map((d) => d.path)).toContain('/usr/share/doc');
    expect(top.map((d) => d.path)).toContain('/usr/lib/x86_64-linux-gnu');
    for (const d of [...top, files.directories.find((x) => x.path === '/')!]) {
      const oldDu = duBytes(join(fixture.rootfs.v1, d.path));
      const newDu = duBytes(join(fixture.rootfs.v2, d.path));
      expect(Math.abs(d.oldBytes - oldDu), `${d.path} old ${d.oldBytes} vs du ${oldDu}`).toBeLessThanOrEqual(
        oldDu * 0.01,
      );
      expect(Math.abs(d.newBytes - newDu), `${d.path} new ${d.newBytes} vs du ${newDu}`).toBeLessThanOrEqual(
        newDu * 0.01,
      );
    }
  });

  it("counts the bytes a later layer hides as wasted, as GNU tar's listing of the layers says", () => {
    const listings = fixture.layers.v2.map((blob) => tarListing(blob));
    const expected = listings.map((entries, index) => {
      const later = listings.slice(index + 1);
      let bytes = 0;
      for (const [path, entry] of entries) {
        if (entry.type !== '-') continue;
        if (later.some((layer) => hides(layer, path))) bytes += entry.size;
      }
      return bytes;
    });
    expect(delta.files!.new.wasted.byLayer.map((l) => l.bytes)).toEqual(expected);
    // The `rm -rf /usr/share/doc` of the last step wastes at least the documentation the base wrote.
    expect(expected[0]).toBeGreaterThan(duBytes(join(fixture.rootfs.base, 'usr/share/doc')));
    expect(delta.files!.old.wasted.bytes).toBeLessThan(delta.files!.new.wasted.bytes);
    expect(delta.files!.wastedDelta).toBe(delta.files!.new.wasted.bytes - delta.files!.old.wasted.bytes);
  });

  it('the JSON report follows the published schema', () => {
    expect(schemaErrors(delta)).toEqual([]);
  });

  it('check exits 1 when wasted bytes or package growth cross a limit (flags and .layerdelta.yml), 0 below', {
    timeout: 300_000,
  }, async () => {
    const wasted = delta.files!.new.wasted.bytes;
    const growth = delta.packages!.installedBytesDelta;
    const check = async (args: string[], cwd?: string) =>
      await runCli(
        ['check', ref('v2'), '--baseline', ref('v1'), '--cache-dir', cacheDir, '--json', ...args],
        {
          ...(cwd ? { cwd } : {}),
        },
      );
    const crossed = await check([
      '--max-wasted-bytes',
      String(wasted - 1),
      '--max-package-growth',
      `${growth - 1}`,
    ]);
    expect(crossed.status).toBe(1);
    const report = JSON.parse(crossed.stdout) as {
      check: { findings: Array<{ rule: string; severity: string }> };
    };
    expect(schemaErrors(report)).toEqual([]);
    expect(
      report.check.findings
        .filter((f) => f.severity === 'error')
        .map((f) => f.rule)
        .sort(),
    ).toEqual(['max-package-growth', 'max-wasted-bytes']);
    const percent = (100 * growth) / delta.packages!.old.installedBytes;
    expect((await check(['--max-package-growth', `${(percent * 0.9).toFixed(3)}%`])).status).toBe(1);
    expect((await check(['--max-package-growth', `${(percent * 1.1).toFixed(3)}%`])).status).toBe(0);
    expect(
      (await check(['--max-wasted-bytes', String(wasted), '--max-package-growth', String(growth)])).status,
    ).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'layerdelta-debian-yml-'));
    try {
      writeFileSync(join(dir, '.layerdelta.yml'), `max-wasted-bytes: ${wasted - 1}\n`);
      expect((await check([], dir)).status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('metrics: wasted bytes, package counts and installed bytes as in the JSON; package deltas bounded by --top', async () => {
    const file = join(cacheDir, 'metrics.txt');
    const result = await runCli(
      [
        'compare',
        ref('v1'),
        ref('v2'),
        '--json',
        '--cache-dir',
        cacheDir,
        '--metrics-file',
        file,
        '--top',
        '5',
      ],
      { timeoutMs: 120_000 },
    );
    expect(result.status).toBe(0);
    const text = readFileSync(file, 'utf8');
    const sample = (name: string, labels: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith(`${name}{`) && l.includes(labels))
        .map((l) => Number(l.split(' ').at(-1)));
    expect(sample('layerdelta_wasted_bytes', 'side="new"')).toEqual([delta.files!.new.wasted.bytes]);
    expect(sample('layerdelta_wasted_bytes', 'side="old"')).toEqual([delta.files!.old.wasted.bytes]);
    expect(sample('layerdelta_os_packages', 'side="new"')).toEqual([delta.packages!.new.packageCount]);
    expect(sample('layerdelta_os_package_installed_bytes', 'side="new"')).toEqual([
      delta.packages!.new.installedBytes,
    ]);
    expect(sample('layerdelta_wasted_delta_bytes', '')).toEqual([delta.files!.wastedDelta]);
    const rows = text.split('\n').filter((l) => l.startsWith('layerdelta_os_package_delta_bytes{'));
    expect(rows).toHaveLength(6);
    expect(rows.filter((l) => l.includes('package="other"'))).toHaveLength(1);
    const sum = rows.reduce((total, l) => total + Number(l.split(' ').at(-1)), 0);
    expect(sum).toBe(delta.packages!.changes.reduce((total, c) => total + c.installedSizeDelta, 0));
  });

  it('the text and Markdown reports name the packages, versions and directories', {
    timeout: 120_000,
  }, async () => {
    const curl = dpkgQuery(fixture.rootfs.v2).get('curl')!.version;
    for (const format of ['text', 'markdown']) {
      const result = await runCli([
        'compare',
        ref('v1'),
        ref('v2'),
        '--output',
        format,
        '--cache-dir',
        cacheDir,
      ]);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`curl.*added.*${curl.replace(/[.+]/g, '\\$&')}`));
      expect(result.stdout).toMatch(/usr\/share\/doc.*removed/);
      expect(result.stdout).toContain('Wasted');
    }
  });
});

interface Listed {
  type: string;
  size: number;
}

/** `tar -tvz` of one layer blob: path (absolute) → type letter and size. */
function tarListing(blob: string): Map<string, Listed> {
  const out = execFileSync('tar', ['-tvzf', blob, '--numeric-owner'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const entries = new Map<string, Listed>();
  for (const line of out.split('\n')) {
    const match = /^(\S)\S*\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.*)$/.exec(line);
    if (!match) continue;
    const name = match[3]!.replace(/ (->|link to) .*$/, '').replace(/\/$/, '');
    entries.set(`/${name.replace(/^\.?\//, '')}`, { type: match[1]!, size: Number(match[2]) });
  }
  return entries;
}

/** Whether a later layer's listing hides `path`: it writes the path again, or whites it (or a parent) out. */
function hides(layer: Map<string, Listed>, path: string): boolean {
  if (layer.has(path)) return true;
  const parts = path.split('/');
  for (let i = parts.length; i > 1; i--) {
    const parent = parts.slice(0, i - 1).join('/');
    if (layer.has(`${parent}/.wh.${parts[i - 1]}`) || layer.has(`${parent}/.wh..wh..opq`)) return true;
  }
  return false;
}

describe('inspect on a real Debian image', () => {
  it("shows each layer's uncompressed size and the biggest directories with du's bytes (±1%)", {
    timeout: 120_000,
  }, async () => {
    const result = await runCli(['inspect', ref('v2'), '--json', '--cache-dir', cacheDir, '--top', '8'], {
      timeoutMs: 120_000,
    });
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as {
      layers: Array<{ uncompressedSize: number }>;
      files: {
        bytes: number;
        wasted: { bytes: number };
        biggestDirectories: Array<{ path: string; bytes: number }>;
      };
    };
    // Uncompressed size = the length of the gunzipped blob.
    const lengths = fixture.layers.v2.map((blob) =>
      Number(execFileSync('sh', ['-c', `gzip -dc '${blob}' | wc -c`], { encoding: 'utf8' }).trim()),
    );
    expect(report.layers.map((l) => l.uncompressedSize)).toEqual(lengths);
    expect(report.files.biggestDirectories).toHaveLength(8);
    expect(report.files.biggestDirectories.map((d) => d.path)).toContain('/usr/lib/x86_64-linux-gnu');
    for (const d of [...report.files.biggestDirectories, { path: '/', bytes: report.files.bytes }]) {
      const du = duBytes(join(fixture.rootfs.v2, d.path));
      expect(Math.abs(d.bytes - du), `${d.path} ${d.bytes} vs du ${du}`).toBeLessThanOrEqual(du * 0.01);
    }
    expect(report.files.wasted.bytes).toBe(delta.files!.new.wasted.bytes);
    const text = await runCli(['inspect', ref('v2'), '--cache-dir', cacheDir, '--top', '8'], {
      timeoutMs: 120_000,
    });
    expect(text.stdout).toContain('Biggest directories');
    expect(text.stdout).toMatch(/UNCOMPRESSED\s+WASTED/);
  });
});
