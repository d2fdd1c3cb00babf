/**
 * `compare` and `check` on the shipped fixture pairs (fixtures/build.sh): `basic` v1 → v2 pushed to a
 * real registry as OCI and as Docker schema 2 (skopeo --format v2s2), the multi-platform `multi` pair,
 * and the same pair read from the OCI layout and from docker archives. Ground truth: skopeo's view of
 * the stored manifests and configs.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageDelta, LayerChange } from '../../src/delta/types.js';
import { schemaErrors } from '../report/schema.js';
import { fixtureLayout, fixturePath, loadFixtureManifest, pushLayout } from '../support/fixtures.js';
import { memoize } from '../support/memo.js';
import { sha256, skopeoInspectRaw, startRegistry, type TestRegistry } from '../support/registry.js';
import { ensureBuilt, ROOT, runCli } from './cli.js';

/** What docs/design.md §3 must make of `basic` v1 → v2, by the history instruction of each layer. */
const EXPECTED: Record<string, { status: LayerChange['status']; significant?: boolean }> = {
  'ADD rootfs.tar.gz / # base': { status: 'reused' },
  'RUN /bin/sh -c install-legacy-tools': { status: 'removed' },
  'RUN /bin/sh -c apk add --no-cache ca-certificates': { status: 'reused' },
  'COPY hello /usr/bin/hello': { status: 'reused' },
  'COPY motd /etc/motd': { status: 'reused' },
  'COPY config.json /etc/app/config.json': { status: 'changed', significant: false },
  'COPY app /usr/local/bin/app': { status: 'changed', significant: true },
  'COPY static /srv/static': { status: 'new' },
};

interface Manifest {
  mediaType?: string;
  layers: Array<{ digest: string; size: number; mediaType: string }>;
  manifests?: Array<{ digest: string; platform?: { os: string; architecture: string; variant?: string } }>;
}

interface Config {
  history?: Array<{ created_by?: string; empty_layer?: boolean }>;
}

let registry: TestRegistry;

beforeAll(async () => {
  loadFixtureManifest();
  await ensureBuilt();
  registry = await startRegistry();
  const basic = fixtureLayout('basic').dir;
  const multi = fixtureLayout('multi').dir;
  // One push at a time: concurrent pushes of blobs shared between tags make docker-registry answer 500.
  for (const tag of ['v1', 'v2']) {
    await pushLayout(basic, tag, registry.host, 'basic-oci', { format: 'oci' });
    await pushLayout(basic, tag, registry.host, 'basic-docker', { format: 'v2s2' });
    await pushLayout(multi, tag, registry.host, 'multi', { format: 'oci', all: true });
  }
});

afterAll(async () => {
  await registry?.stop();
});

// skopeo's answers, asked once per image.
const rawManifestOf = memoize(async (image: string) => await skopeoInspectRaw(registry, image));
const manifestOf = async (image: string) => JSON.parse((await rawManifestOf(image)).toString()) as Manifest;

const histories = new Map<string, string[]>();
function historyOf(image: string): string[] {
  const known = histories.get(image);
  if (known) return known;
  const raw = execFileSync('skopeo', [
    'inspect',
    '--config',
    '--raw',
    '--tls-verify=false',
    `docker://${registry.host}/${image}`,
  ]);
  const config = JSON.parse(raw.toString()) as Config;
  const history = (config.history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by ?? '');
  histories.set(image, history);
  return history;
}

/** Each layer's status and significance keyed by its instruction. */
function byInstruction(report: ImageDelta) {
  return Object.fromEntries(
    report.layers.map((l) => [
      (l.new ?? l.old)!.createdBy,
      l.significant === undefined ? { status: l.status } : { status: l.status, significant: l.significant },
    ]),
  );
}

describe.each([
  ['OCI', 'basic-oci', 'application/vnd.oci.image.manifest.v1+json'],
  ['Docker schema 2', 'basic-docker', 'application/vnd.docker.distribution.manifest.v2+json'],
])('basic v1 → v2 from a registry (%s)', (_name, repo, mediaType) => {
  const args = () => ['check', `${registry.host}/${repo}:v2`, '--baseline', `${registry.host}/${repo}:v1`];
  /** check within loose thresholds, `-o json`: the comparison and a passing verdict in one run. */
  const loose = memoize(
    async () =>
      await runCli([...args(), '--max-growth', '500%', '--max-layer-growth', '1000%', '-o', 'json']),
  );

  it('classifies every layer as docs/design.md §3 says, with the registry’s digests, sizes and history', async () => {
    const result = await loose();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as ImageDelta;
    expect(schemaErrors(report)).toEqual([]);

    const oldManifest = await manifestOf(`${repo}:v1`);
    const newManifest = await manifestOf(`${repo}:v2`);
    expect(newManifest.mediaType).toBe(mediaType);
    expect(report.new.manifestDigest).toBe(sha256(await rawManifestOf(`${repo}:v2`)));
    const oldHistory = historyOf(`${repo}:v1`);
    const newHistory = historyOf(`${repo}:v2`);
    for (const change of report.layers) {
      for (const [side, manifest, history] of [
        [change.old, oldManifest, oldHistory],
        [change.new, newManifest, newHistory],
      ] as const) {
        if (!side) continue;
        const stored = manifest.layers[side.index]!;
        expect({ digest: side.digest, size: side.size, createdBy: side.createdBy }).toEqual({
          digest: stored.digest,
          size: stored.size,
          createdBy: history[side.index],
        });
      }
    }
    expect(report.old.layerCount).toBe(oldManifest.layers.length);
    expect(report.new.layerCount).toBe(newManifest.layers.length);
    const total = (m: Manifest) => m.layers.reduce((s, l) => s + l.size, 0);
    expect(report.totals.compressedDelta).toBe(total(newManifest) - total(oldManifest));
    expect(byInstruction(report)).toEqual(EXPECTED);
    expect(new Set(report.layers.map((l) => l.status))).toEqual(
      new Set(['new', 'removed', 'reused', 'changed']),
    );
  });

  it('check: exit 0 within the thresholds, 1 beyond them', async () => {
    const passed = await loose();
    expect(passed.status).toBe(0);
    expect((JSON.parse(passed.stdout) as { check: { passed: boolean } }).check.passed).toBe(true);
    const tight = await runCli([...args(), '--max-growth', '50%', '--max-new-layer-bytes', '10kB']);
    expect(tight.status).toBe(1);
    expect(tight.stdout).toMatch(/error: image grew .* above max-growth 50%/);
    expect(tight.stdout).toMatch(
      /error: new layer \d+ \(COPY static \/srv\/static\) is .* above max-new-layer-bytes 10 kB/,
    );
  });
});

describe('multi-platform index', () => {
  it('--platform linux/arm64 compares the arm64 images', async () => {
    const result = await runCli([
      'compare',
      `${registry.host}/multi:v1`,
      `${registry.host}/multi:v2`,
      '--platform',
      'linux/arm64',
      '--json',
    ]);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as ImageDelta;
    expect(schemaErrors(report)).toEqual([]);
    for (const [side, tag] of [
      [report.old, 'v1'],
      [report.new, 'v2'],
    ] as const) {
      const index = await manifestOf(`multi:${tag}`);
      const arm = index.manifests!.find((m) => m.platform?.architecture === 'arm64')!;
      expect(side.manifestDigest).toBe(arm.digest);
      expect(side.platform.architecture).toBe('arm64');
      const manifest = await manifestOf(`multi@${arm.digest}`);
      expect(side.compressedSize).toBe(manifest.layers.reduce((s, l) => s + l.size, 0));
    }
  });

  it('an absent platform exits 2 with one line naming what is available', async () => {
    const result = await runCli([
      'compare',
      `${registry.host}/multi:v1`,
      `${registry.host}/multi:v2`,
      '--platform',
      'linux/s390x',
    ]);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('s390x');
    expect(result.stderr).toContain('linux/arm64/v8');
  });
});

describe('local sources give the same classification', () => {
  it('OCI layout', async () => {
    const dir = fixturePath(fixtureLayout('basic').dir);
    const result = await runCli(['compare', `oci:${dir}:v1`, `oci:${dir}:v2`, '--json']);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as ImageDelta;
    expect(schemaErrors(report)).toEqual([]);
    expect(byInstruction(report)).toEqual(EXPECTED);
  });

  it('HTML output is one self-contained page', async () => {
    const dir = fixturePath(fixtureLayout('basic').dir);
    const result = await runCli(['compare', `oci:${dir}:v1`, `oci:${dir}:v2`, '--output', 'html']);
    expect(result.status).toBe(0);
    expect(result.stdout.trimStart().toLowerCase().startsWith('<!doctype html>')).toBe(true);
    expect(result.stdout).toContain(`oci:${dir}:v2`);
    expect(result.stdout).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });

  it('docker archives', async () => {
    const archives = loadFixtureManifest().archives;
    const file = (tag: string) => fixturePath(archives.find((a) => a.tag === tag)!.file);
    const result = await runCli([
      'compare',
      `docker-archive:${file('basic:v1')}`,
      `docker-archive:${file('basic:v2')}`,
      '--json',
    ]);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as ImageDelta;
    expect(schemaErrors(report)).toEqual([]);
    expect(byInstruction(report)).toEqual(EXPECTED);
  });
});

describe('colour', () => {
  /** Run the CLI on a pseudo-terminal (util-linux `script`), as a person would. */
  function onTerminal(env: NodeJS.ProcessEnv): string {
    const dir = fixturePath(fixtureLayout('basic').dir);
    const command = `'${process.execPath}' '${join(ROOT, 'bin', 'run.js')}' compare 'oci:${dir}:v1' 'oci:${dir}:v2'`;
    return execFileSync('script', ['-qec', command, '/dev/null'], {
      env: { ...process.env, NO_COLOR: '', ...env },
      encoding: 'utf8',
    });
  }

  it('is used on a terminal', () => {
    const output = onTerminal({});
    expect(output).toContain('\u001b[1m+');
    expect(output).toMatch(/\u001b\[31mgrown/);
  });

  it('is never used with NO_COLOR, not even on a terminal', () => {
    const output = onTerminal({ NO_COLOR: '1' });
    expect(output).toContain('COPY app /usr/local/bin/app');
    // No SGR (colour) sequence; the progress bar's line erase (ESC [K) is not colour.
    expect(output).not.toMatch(/\u001b\[[\d;]*m/);
    expect(output).toMatch(/\u001b\[K/);
  });
});
