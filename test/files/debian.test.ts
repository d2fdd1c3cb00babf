/**
 * The file, wasted-bytes and package views on real Debian images (fixtures/debian.ts: mmdebstrap
 * minbase; + tzdata; + curl and `rm -rf /usr/share/doc`), checked against independent tools on the root
 * filesystems the layers were made from: dpkg-query for packages, du/find for directory bytes, GNU tar's
 * listing of the layer blobs for wasted bytes.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DebianFixture, debianFixture } from '../../fixtures/debian.js';
import { settingsFromFlags } from '../../src/cli/check-flags.js';
import type { ImageDelta } from '../../src/delta/types.js';
import { topDirectories } from '../../src/files/delta.js';
import { evaluateThresholds } from '../../src/policy/evaluate.js';
import { renderInspectText } from '../../src/report/inspect.js';
import type { ScannedInspectReport } from '../../src/report/inspect-binaries.js';
import { filesSection, type InspectFiles } from '../../src/report/inspect-files.js';
import { renderReport } from '../../src/report/render.js';
import { escapeStrings } from '../../src/terminal-text.js';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { schemaErrors } from '../report/schema.js';
import { duBytes as duUncached } from '../support/du.js';
import { memoize } from '../support/memo.js';

let fixture: DebianFixture;
let cacheDir: string;
let delta: ImageDelta;
/** The metrics file the one compare wrote (with --top 5, which bounds metrics and text, not the JSON). */
let metrics: string;
const ref = (tag: string) => `oci:${fixture.layout}:${tag}`;

beforeAll(async () => {
  // Cold: mmdebstrap runs (minutes); warm: a marker file is read.
  fixture = await debianFixture();
  await ensureBuilt();
  cacheDir = mkdtempSync(join(tmpdir(), 'layerdelta-debian-'));
  // One compare whose JSON and metrics every test reads; the other runs hit the layer cache it filled.
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
    { timeoutMs: 240_000 },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  delta = JSON.parse(result.stdout) as ImageDelta;
  metrics = readFileSync(file, 'utf8');
}, 45 * 60_000);

afterAll(() => {
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

interface DpkgRow {
  version: string;
  architecture: string;
  installedSize: number;
}

const duAnswers = new Map<string, number>();

/** du's bytes of a directory, asked once per directory (the compare and inspect tests share some). */
function duBytes(dir: string): number {
  if (!duAnswers.has(dir)) duAnswers.set(dir, duUncached(dir));
  return duAnswers.get(dir)!;
}

const dpkgViews = new Map<string, Map<string, DpkgRow>>();

/** dpkg-query's view of a root filesystem: the packages whose files are on disk (asked once per root). */
function dpkgQuery(rootfs: string): Map<string, DpkgRow> {
  if (!dpkgViews.has(rootfs)) dpkgViews.set(rootfs, dpkgQueryUncached(rootfs));
  return dpkgViews.get(rootfs)!;
}

function dpkgQueryUncached(rootfs: string): Map<string, DpkgRow> {
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

  it("counts the bytes a later layer hides as wasted, as GNU tar's listing of the layers says", async () => {
    const listings = (await Promise.all(fixture.layers.v2.map(gunzipAndList))).map((l) => l.entries);
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

  it('check exits 1 when wasted bytes or package growth cross a limit (flags and .layerdelta.yml), 0 at the limits', {
    timeout: 300_000,
  }, async () => {
    const wasted = delta.files!.new.wasted.bytes;
    const growth = delta.packages!.installedBytesDelta;
    // Both runs start in a directory whose .layerdelta.yml sets max-wasted-bytes just below the waste.
    const dir = mkdtempSync(join(tmpdir(), 'layerdelta-debian-yml-'));
    const check = async (args: string[]) =>
      await runCli(
        ['check', ref('v2'), '--baseline', ref('v1'), '--cache-dir', cacheDir, '--json', ...args],
        {
          cwd: dir,
        },
      );
    try {
      writeFileSync(join(dir, '.layerdelta.yml'), `max-wasted-bytes: ${wasted - 1}\n`);
      // The file's limit and the flag's, each crossed by one byte: both findings.
      const crossed = await check(['--max-package-growth', `${growth - 1}`]);
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
      // Flags win over the file; a limit equal to the value is not crossed.
      const atLimits = await check([
        '--max-wasted-bytes',
        String(wasted),
        '--max-package-growth',
        String(growth),
      ]);
      expect(atLimits.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('max-package-growth as a percentage of the old installed bytes: crossed below the growth, not above', () => {
    // The flag's parsing and the verdict check makes from it, in-process on the compare's report (the
    // byte limits above go through the CLI and its exit codes).
    const growth = delta.packages!.installedBytesDelta;
    const percent = (100 * growth) / delta.packages!.old.installedBytes;
    const errors = (limit: string) =>
      evaluateThresholds(delta, settingsFromFlags({ 'max-package-growth': limit }).thresholds)
        .findings.filter((f) => f.severity === 'error')
        .map((f) => f.rule);
    expect(errors(`${(percent * 0.9).toFixed(3)}%`)).toEqual(['max-package-growth']);
    expect(errors(`${(percent * 1.1).toFixed(3)}%`)).toEqual([]);
  });

  it('metrics: wasted bytes, package counts and installed bytes as in the JSON; package deltas bounded by --top', () => {
    const sample = (name: string, labels: string) =>
      metrics
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
    const rows = metrics.split('\n').filter((l) => l.startsWith('layerdelta_os_package_delta_bytes{'));
    expect(rows).toHaveLength(6);
    expect(rows.filter((l) => l.includes('package="other"'))).toHaveLength(1);
    const sum = rows.reduce((total, l) => total + Number(l.split(' ').at(-1)), 0);
    expect(sum).toBe(delta.packages!.changes.reduce((total, c) => total + c.installedSizeDelta, 0));
  });

  it('the text and Markdown reports name the packages, versions and directories', () => {
    // Rendered from the compare's report as compare renders it (the format flag is tested elsewhere).
    const curl = dpkgQuery(fixture.rootfs.v2).get('curl')!.version;
    for (const format of ['text', 'markdown'] as const) {
      const report = renderReport(delta, format, { top: 10 });
      expect(report).toMatch(new RegExp(`curl.*added.*${curl.replace(/[.+]/g, '\\$&')}`));
      expect(report).toMatch(/usr\/share\/doc.*removed/);
      expect(report).toContain('Wasted');
    }
  });
});

interface Listed {
  type: string;
  size: number;
}

interface Unpacked {
  /** GNU tar's `-tv` listing: path (absolute) → type letter and size. */
  entries: Map<string, Listed>;
  /** The length of what `gzip -dc` wrote: the layer's uncompressed size. */
  length: number;
}

/** `gzip -dc` of one layer blob into `tar -tv`, counting gzip's bytes on the way: one decompression for both. */
const gunzipAndList = memoize(async (blob: string): Promise<Unpacked> => {
  const gzip = spawn('gzip', ['-dc', blob], { stdio: ['ignore', 'pipe', 'inherit'] });
  const tar = spawn('tar', ['-tv', '--numeric-owner', '-f', '-'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let length = 0;
  gzip.stdout.on('data', (chunk: Buffer) => {
    length += chunk.length;
  });
  gzip.stdout.pipe(tar.stdin);
  let out = '';
  tar.stdout.setEncoding('utf8').on('data', (text: string) => {
    out += text;
  });
  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  expect(await Promise.all([exited(gzip), exited(tar)]), blob).toEqual([0, 0]);
  const entries = new Map<string, Listed>();
  for (const line of out.split('\n')) {
    const match = /^(\S)\S*\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.*)$/.exec(line);
    if (!match) continue;
    const name = match[3]!.replace(/ (->|link to) .*$/, '').replace(/\/$/, '');
    entries.set(`/${name.replace(/^\.?\//, '')}`, { type: match[1]!, size: Number(match[2]) });
  }
  return { entries, length };
});

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
    const report = JSON.parse(result.stdout) as ScannedInspectReport & { files: InspectFiles };
    // Uncompressed size = the length of the gunzipped blob.
    const lengths = (await Promise.all(fixture.layers.v2.map(gunzipAndList))).map((l) => l.length);
    expect(report.layers.map((l) => l.uncompressedSize)).toEqual(lengths);
    expect(report.files.biggestDirectories).toHaveLength(8);
    expect(report.files.biggestDirectories.map((d) => d.path)).toContain('/usr/lib/x86_64-linux-gnu');
    for (const d of [...report.files.biggestDirectories, { path: '/', bytes: report.files.bytes }]) {
      const du = duBytes(join(fixture.rootfs.v2, d.path));
      expect(Math.abs(d.bytes - du), `${d.path} ${d.bytes} vs du ${du}`).toBeLessThanOrEqual(du * 0.01);
    }
    expect(report.files.wasted.bytes).toBe(delta.files!.new.wasted.bytes);
    // The text of the same report, rendered in-process (inspect's text output is tested in test/inspect/).
    const text = renderInspectText(escapeStrings(report), [filesSection]);
    expect(text).toContain('Biggest directories');
    expect(text).toMatch(/UNCOMPRESSED\s+WASTED/);
  });
});
