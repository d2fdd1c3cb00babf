/**
 * `--platform all` on compare, check and inspect (issue 15, point 4), through the built CLI: the
 * fixture `multi` index (linux/amd64, linux/arm64/v8 and a BuildKit attestation) from an OCI layout
 * and pushed to a real registry with skopeo. Ground truth: skopeo's view of the index; the blob GETs
 * a counting proxy saw; markdown-it for the Markdown sections.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import MarkdownIt from 'markdown-it';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformsJsonReport } from '../../src/report/platforms.js';
import { fixtureLayout, pushLayout } from '../support/fixtures.js';
import { memoize } from '../support/memo.js';
import {
  type RegistryProxy,
  skopeoInspectRaw,
  startProxy,
  startRegistry,
  type TestRegistry,
} from '../support/registry.js';
import { renderPlatformsAs } from '../support/reports.js';
import { ensureBuilt, ROOT, runCli } from './cli.js';

/** docs/schema/platforms.v1.json, its per-platform reports checked against image-delta.v1.json. */
function platformsSchemaErrors(data: unknown): string[] {
  const ajv = new Ajv2020({ allErrors: true });
  const read = (name: string) =>
    JSON.parse(readFileSync(join(ROOT, 'docs', 'schema', name), 'utf8')) as object;
  ajv.addSchema(read('image-delta.v1.json'));
  const validate = ajv.compile(read('platforms.v1.json'));
  return validate(data) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

interface Index {
  manifests: Array<{
    digest: string;
    platform?: { os: string; architecture: string; variant?: string };
    annotations?: Record<string, string>;
  }>;
}
interface Manifest {
  layers: Array<{ digest: string }>;
}

let registry: TestRegistry;
let proxy: RegistryProxy;
let dir: string;
const multi = () => fixtureLayout('multi').dir;
const basic = () => fixtureLayout('basic').dir;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'layerdelta-platform-all-'));
  [registry] = await Promise.all([startRegistry(), ensureBuilt()]);
  for (const tag of ['v1', 'v2'])
    await pushLayout(multi(), tag, registry.host, 'multi', { all: true, exact: true });
  proxy = await startProxy(registry.url);
}, 240_000);

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * `compare --platform all` of the layout pair without reading layers, as JSON with a metrics file:
 * read by the Markdown, HTML (rendered in-process by the CLI's renderer, test/support/reports.ts)
 * and metrics tests. Text goes through the CLI in its own run.
 */
const layoutPair = memoize(async () => {
  const metricsFile = join(dir, 'metrics.txt');
  const result = await runCli([
    'compare',
    `oci:${multi()}:v1`,
    `oci:${multi()}:v2`,
    '--platform',
    'all',
    '--no-binaries',
    '--json',
    '--metrics-file',
    metricsFile,
  ]);
  expect(result.status, result.stderr).toBe(0);
  const report = JSON.parse(result.stdout) as PlatformsJsonReport;
  expect(platformsSchemaErrors(report)).toEqual([]);
  return { report, metricsFile };
});

/** The image entries of a pushed index as skopeo reads it: platform → manifest digest (attestations out). */
const imagesOf = memoize(async (tag: string): Promise<Map<string, string>> => {
  const index = JSON.parse((await skopeoInspectRaw(registry, `multi:${tag}`)).toString()) as Index;
  const images = index.manifests.filter((m) => m.annotations?.['vnd.docker.reference.type'] === undefined);
  return new Map(
    images.map((m) => {
      const p = m.platform!;
      return [`${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`, m.digest];
    }),
  );
});

describe('compare --platform all', () => {
  it('from a registry: one report per platform, attestation skipped, shared blobs fetched once', async () => {
    const result = await runCli(
      [
        'compare',
        `${proxy.host}/multi:v1`,
        `${proxy.host}/multi:v2`,
        '--platform',
        'all',
        '--json',
        '--no-cache',
      ],
      { timeoutMs: 180_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as PlatformsJsonReport;
    expect(platformsSchemaErrors(report)).toEqual([]);
    const [oldImages, newImages] = await Promise.all([imagesOf('v1'), imagesOf('v2')]);
    expect(newImages.size).toBe(2);
    expect(report.platforms.map((p) => p.platform)).toEqual([...newImages.keys()]);
    for (const { platform, report: delta } of report.platforms) {
      expect(delta.schemaVersion).toBe(1);
      expect(delta.old.manifestDigest).toBe(oldImages.get(platform));
      expect(delta.new.manifestDigest).toBe(newImages.get(platform));
      expect(delta.binaries?.length).toBeGreaterThan(0);
    }
    expect(report.added).toEqual([]);
    expect(report.removed).toEqual([]);

    // Every layer blob of the four images, each fetched at most once; the base layer all four share, once.
    const layerDigests = new Set<string>();
    for (const images of [oldImages, newImages]) {
      for (const digest of images.values()) {
        const manifest = JSON.parse(
          (await skopeoInspectRaw(registry, `multi@${digest}`)).toString(),
        ) as Manifest;
        for (const layer of manifest.layers) layerDigests.add(layer.digest);
      }
    }
    const counts = [...layerDigests].map((d) => proxy.blobGets(d));
    expect(counts.every((n) => n === 1)).toBe(true);
    // 4 images × 2 layers, the base shared by all: 5 distinct layer blobs, 5 GETs.
    expect(layerDigests.size).toBe(5);
  });

  it('from an OCI layout, in text, Markdown and HTML: one section per platform', async () => {
    const refs = [`oci:${multi()}:v1`, `oci:${multi()}:v2`];
    const text = await runCli(['compare', ...refs, '--platform', 'all', '--no-cache']);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Platforms: 2 compared \(linux\/amd64, linux\/arm64\/v8\);/);
    expect(text.stdout.match(/^=== Platform .* ===$/gm)).toEqual([
      '=== Platform linux/amd64 ===',
      '=== Platform linux/arm64/v8 ===',
    ]);
    expect(text.stdout).not.toContain('unknown/unknown');

    const { report } = await layoutPair();
    const headings = new MarkdownIt()
      .parse(renderPlatformsAs(report, 'markdown'), {})
      .filter(
        (t, i, all) => t.type === 'inline' && all[i - 1]?.type === 'heading_open' && all[i - 1]?.tag === 'h2',
      )
      .map((t) => t.content)
      .filter((c) => c.startsWith('Platform'));
    expect(headings).toEqual(['Platform `linux/amd64`', 'Platform `linux/arm64/v8`']);

    expect(renderPlatformsAs(report, 'html').match(/<section id="platform-[^"]+">/g)).toEqual([
      '<section id="platform-linux-amd64">',
      '<section id="platform-linux-arm64-v8">',
    ]);
  });

  it('a platform only one side has is reported as added or removed', async () => {
    // basic is a single linux/amd64 image; multi:v2 adds linux/arm64/v8.
    const result = await runCli([
      'compare',
      `oci:${basic()}:v1`,
      `oci:${multi()}:v2`,
      '--platform',
      'all',
      '--no-binaries',
      '--json',
    ]);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as PlatformsJsonReport;
    expect(report.platforms.map((p) => p.platform)).toEqual(['linux/amd64']);
    expect(report.added).toEqual(['linux/arm64/v8']);
    expect(report.removed).toEqual([]);
    const back = await runCli([
      'compare',
      `oci:${multi()}:v2`,
      `oci:${basic()}:v1`,
      '--platform',
      'all',
      '--no-binaries',
    ]);
    expect(back.stdout).toContain('added (only in new): none; removed (only in old): linux/arm64/v8');
  });

  it('writes one metric label value per platform', async () => {
    const metrics = readFileSync((await layoutPair()).metricsFile, 'utf8');
    const values = new Set([...metrics.matchAll(/platform="([^"]+)"/g)].map((m) => m[1]));
    expect(values).toEqual(new Set(['linux/amd64', 'linux/arm64/v8']));
    // Every series of the run carries it.
    const series = metrics.split('\n').filter((l) => l.startsWith('layerdelta_'));
    expect(series.length).toBeGreaterThan(0);
    expect(series.every((l) => l.includes('platform="'))).toBe(true);
  });
});

describe('check --platform all', () => {
  it('judges each platform: exit 1 when one crosses, and says which', async () => {
    // amd64's app layer grows by 1.54 MB (compressed), arm64's by 1.41 MB: 1.5MB splits them.
    const args = ['check', `oci:${multi()}:v2`, '--baseline', `oci:${multi()}:v1`, '--platform', 'all'];
    const json = await runCli([...args, '--no-binaries', '--max-growth-bytes', '1.5MB', '--json']);
    expect(json.status, json.stderr).toBe(1);
    const report = JSON.parse(json.stdout) as PlatformsJsonReport;
    expect(report.check).toEqual({ passed: false, failedPlatforms: ['linux/amd64'] });
    expect(platformsSchemaErrors(report)).toEqual([]);
    expect(report.platforms.map((p) => p.report.check?.passed)).toEqual([false, true]);
    // The text of that verdict, from the CLI's renderer; the passing run below is text through the CLI.
    expect(renderPlatformsAs(report, 'text').split('\n')[0]).toMatch(/check failed on linux\/amd64$/);

    const passed = await runCli([...args, '--no-binaries', '--max-growth-bytes', '2MB']);
    expect(passed.status, passed.stderr).toBe(0);
    expect(passed.stdout.split('\n')[0]).toMatch(/check passed on every platform$/);
  });
});

describe('inspect --platform all', () => {
  it('one section per image platform of the index', async () => {
    const result = await runCli([
      'inspect',
      `oci:${multi()}:v2`,
      '--platform',
      'all',
      '--json',
      '--no-binaries',
    ]);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      platforms: Array<{ platform: string; report: { manifest: { digest: string } } }>;
    };
    const images = await imagesOf('v2');
    expect(report.platforms.map((p) => p.platform)).toEqual([...images.keys()]);
    // The layout's index is what was pushed (--preserve-digests): the same manifest digests.
    expect(report.platforms.map((p) => p.report.manifest.digest)).toEqual([...images.values()]);
    const text = await runCli(['inspect', `oci:${multi()}:v2`, '--platform', 'all', '--no-binaries']);
    expect(text.stdout.match(/^=== Platform .* ===$/gm)).toHaveLength(2);
  });
});
