/**
 * The "done" check: images pushed into a real registry with skopeo (an OCI image, a Docker
 * schema 2 image, a two-platform index), inspected through the built CLI, must report exactly the
 * layer digests and sizes that `skopeo inspect --raw` shows.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInspectReport, type InspectReport, renderInspectJson } from '../../src/report/inspect.js';
import { openSource } from '../../src/source/open.js';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { forPlatform, TestLayout } from '../source/layout-builder.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';

interface RawDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
}
interface RawManifest {
  mediaType: string;
  config: RawDescriptor;
  layers: RawDescriptor[];
  manifests?: RawDescriptor[];
}

let root: string;
let registry: TestRegistry;

function skopeo(args: string[]): Buffer {
  return execFileSync('skopeo', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** skopeo without blocking this process: the token server answering it lives here. */
async function skopeoAsync(args: string[]): Promise<Buffer> {
  const { stdout } = await promisify(execFile)('skopeo', args, { encoding: 'buffer', maxBuffer: 1 << 26 });
  return stdout;
}

function push(layoutRef: string, target: string, extra: string[] = []): void {
  skopeo([
    'copy',
    '-q',
    '--dest-tls-verify=false',
    ...extra,
    layoutRef,
    `docker://${registry.host}/${target}`,
  ]);
}

const rawAnswers = new Map<string, { bytes: Buffer; json: RawManifest }>();

/** Ground truth: the raw manifest bytes skopeo fetches from the registry (asked once per target). */
function raw(target: string): { bytes: Buffer; json: RawManifest } {
  if (!rawAnswers.has(target)) {
    const bytes = skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/${target}`]);
    rawAnswers.set(target, { bytes, json: JSON.parse(bytes.toString('utf8')) as RawManifest });
  }
  return rawAnswers.get(target)!;
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** The manifest-level report (layers are read and checked in test/inspect/binaries.test.ts). */
async function inspectJson(args: string[]): Promise<InspectReport> {
  const result = await runCli(['inspect', ...args, '--json', '--no-binaries']);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as InspectReport;
}

/**
 * The same report made in this process by the functions `inspect --no-binaries --json` calls (open,
 * resolve the platform, build, render): for the cases that differ from a CLI case only in the reference
 * or the platform default.
 */
async function inspectInProcess(reference: string): Promise<InspectReport> {
  const source = await openSource(reference);
  try {
    const image = await source.resolve(undefined);
    const report = buildInspectReport(image, { source: source.description, platformRequested: false });
    return JSON.parse(renderInspectJson(report)) as InspectReport;
  } finally {
    await source.close();
  }
}

function layersOf(report: InspectReport) {
  return report.layers.map((l) => ({ digest: l.digest, size: l.compressedSize, mediaType: l.mediaType }));
}

function rawLayers(manifest: RawManifest) {
  return manifest.layers.map((l) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType }));
}

beforeAll(async () => {
  await ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'layerdelta-inspect-'));
  registry = await startRegistry();
  const layout = new TestLayout(join(root, 'layout'));
  const single = await layout.image({
    layers: [
      {
        files: { 'etc/os-release': 'ID=test\n', 'bin/tool': 'tool'.repeat(4000) },
        createdBy: 'ADD rootfs.tar /',
      },
      { files: { 'etc/app.conf': 'x=1\n' }, createdBy: 'COPY app.conf /etc/' },
      { files: { 'usr/bin/app': 'app binary '.repeat(900) }, createdBy: 'COPY app /usr/bin/' },
    ],
    emptySteps: { 1: 'ENV A=1' },
    config: { Entrypoint: ['/usr/bin/app'], Env: ['PATH=/usr/bin'], Labels: { team: 'x', tier: 'y' } },
  });
  layout.tag(single, 'single');
  const amd = await layout.image({ layers: [{ files: { a: 'amd64 '.repeat(300) } }, { files: { b: 'b' } }] });
  const arm = await layout.image({
    architecture: 'arm64',
    variant: 'v8',
    layers: [{ files: { a: 'arm64 '.repeat(500) }, createdBy: 'ADD arm64 /' }],
  });
  layout.tag(
    layout.index([forPlatform(amd, 'linux', 'amd64'), forPlatform(arm, 'linux', 'arm64', 'v8')]),
    'multi',
  );
  layout.finish();
  push(`oci:${layout.dir}:single`, 'test/oci:v1');
  push(`oci:${layout.dir}:single`, 'test/docker:v1', ['--format', 'v2s2']);
  push(`oci:${layout.dir}:multi`, 'test/multi:v1', ['--all']);
});

afterAll(async () => {
  await registry?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('inspect against a real registry', { timeout: 180_000 }, () => {
  it('an OCI image: layer digests, sizes and media types as skopeo inspect --raw shows them', async () => {
    const truth = raw('test/oci:v1');
    expect(truth.json.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    const report = await inspectJson([`${registry.host}/test/oci:v1`]);
    expect(report.schemaVersion).toBe(1);
    expect(report.reference).toBe(`${registry.host}/test/oci:v1`);
    expect(report.manifest).toEqual({ digest: sha256(truth.bytes), mediaType: truth.json.mediaType });
    expect(report.config.digest).toBe(truth.json.config.digest);
    expect(report.config.size).toBe(truth.json.config.size);
    expect(layersOf(report)).toEqual(rawLayers(truth.json));
    expect(report.totals).toEqual({
      layerCount: truth.json.layers.length,
      compressedSize: truth.json.layers.reduce((s, l) => s + l.size, 0),
    });
    expect(report.layers.map((l) => l.createdBy)).toEqual([
      'ADD rootfs.tar /',
      'COPY app.conf /etc/',
      'COPY app /usr/bin/',
    ]);
    expect(report.config).toMatchObject({ entrypoint: ['/usr/bin/app'], envCount: 1, labelsCount: 2 });
    expect(report.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(report.index).toBeUndefined();
  });

  it('a Docker schema 2 image', async () => {
    const truth = raw('test/docker:v1');
    expect(truth.json.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const report = await inspectJson([`${registry.host}/test/docker:v1`]);
    expect(report.manifest).toEqual({ digest: sha256(truth.bytes), mediaType: truth.json.mediaType });
    expect(report.config.mediaType).toBe('application/vnd.docker.container.image.v1+json');
    expect(layersOf(report)).toEqual(rawLayers(truth.json));
    expect(
      report.layers.every((l) => l.mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip'),
    ).toBe(true);
  });

  it('a two-platform index with --platform linux/arm64, and by digest', async () => {
    const index = raw('test/multi:v1');
    const armEntry = index.json.manifests?.find((m) => m.platform?.architecture === 'arm64');
    expect(armEntry).toBeDefined();
    const truth = raw(`test/multi@${armEntry!.digest}`);
    const report = await inspectJson([`${registry.host}/test/multi:v1`, '--platform', 'linux/arm64']);
    expect(report.index).toEqual({ digest: sha256(index.bytes), mediaType: index.json.mediaType });
    expect(report.manifest.digest).toBe(armEntry!.digest);
    expect(report.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(report.platformChoice).toBe('requested');
    expect(report.availablePlatforms).toEqual(index.json.manifests?.map((m) => m.platform));
    expect(layersOf(report)).toEqual(rawLayers(truth.json));
    expect(report.layers[0]?.createdBy).toBe('ADD arm64 /');

    const byDigest = await inspectInProcess(`${registry.host}/test/multi@${armEntry!.digest}`);
    expect(layersOf(byDigest)).toEqual(rawLayers(truth.json));
    const byDefault = await inspectInProcess(`${registry.host}/test/multi:v1`);
    expect(byDefault.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(byDefault.platformChoice).toBe('default');
  });

  it('through bearer-token auth, with the login from DOCKER_CONFIG', async () => {
    const tokenRegistry = await startRegistry({ auth: 'token' });
    try {
      const creds = `${tokenRegistry.username}:${tokenRegistry.password}`;
      await skopeoAsync([
        'copy',
        '-q',
        '--dest-tls-verify=false',
        '--dest-creds',
        creds,
        `oci:${join(root, 'layout')}:single`,
        `docker://${tokenRegistry.host}/team/app:v1`,
      ]);
      const truth = JSON.parse(
        (
          await skopeoAsync([
            'inspect',
            '--raw',
            '--tls-verify=false',
            '--creds',
            creds,
            `docker://${tokenRegistry.host}/team/app:v1`,
          ])
        ).toString('utf8'),
      ) as RawManifest;
      const configDir = join(root, 'token-docker-config');
      mkdirSync(configDir, { recursive: true });
      writeFileSync(
        join(configDir, 'config.json'),
        JSON.stringify({ auths: { [tokenRegistry.host]: { auth: Buffer.from(creds).toString('base64') } } }),
      );
      const result = await runCli(['inspect', `${tokenRegistry.host}/team/app:v1`, '--json'], {
        env: { DOCKER_CONFIG: configDir },
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(layersOf(JSON.parse(result.stdout) as InspectReport)).toEqual(rawLayers(truth));
    } finally {
      await tokenRegistry.stop();
    }
  });

  it('prints a readable text table with every layer digest and the totals', async () => {
    const truth = raw('test/multi@' + raw('test/multi:v1').json.manifests![1]!.digest);
    const result = await runCli(['inspect', `${registry.host}/test/multi:v1`, '-p', 'linux/arm64/v8']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /^Platform +linux\/arm64\/v8 \(requested; also available: linux\/amd64\)$/m,
    );
    for (const layer of truth.json.layers) expect(result.stdout).toContain(layer.digest);
    expect(result.stdout).toMatch(/^Total: 1 layer, \d+ B compressed$/m);
    const sizeLine = result.stdout.split('\n').find((l) => l.includes(truth.json.layers[0]!.digest));
    expect(sizeLine).toMatch(new RegExp(`  ${truth.json.layers[0]!.size} B  `));
  });
});
