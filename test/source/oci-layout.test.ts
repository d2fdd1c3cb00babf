import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { openSource } from '../../src/source/open.js';
import { parsePlatform } from '../../src/source/platform.js';
import type { ImageSource, ResolvedImage } from '../../src/source/types.js';
import { failure, readAll } from '../support/streams.js';
import { forPlatform, OCI_MANIFEST, sha256Hex, TestLayout } from './layout-builder.js';

interface RawManifest {
  mediaType?: string;
  config: { digest: string; size: number; mediaType: string };
  layers: Array<{ digest: string; size: number; mediaType: string }>;
  manifests?: Array<{ digest: string; platform?: { architecture: string } }>;
}

/** The independent ground truth: what skopeo reads from the layout. */
function skopeoRaw(ref: string): { bytes: Buffer; json: RawManifest } {
  const bytes = execFileSync('skopeo', ['inspect', '--raw', ref]);
  return { bytes, json: JSON.parse(bytes.toString('utf8')) as RawManifest };
}

function skopeoConfig(ref: string): { rootfs: { diff_ids: string[] } } {
  return JSON.parse(execFileSync('skopeo', ['inspect', '--config', '--raw', ref], { encoding: 'utf8' }));
}

async function resolve(ref: string, platform?: string): Promise<ResolvedImage> {
  const source = await openSource(ref);
  try {
    return await source.resolve(platform === undefined ? undefined : parsePlatform(platform));
  } finally {
    await source.close();
  }
}

async function readLayer(source: ImageSource, image: ResolvedImage, i: number): Promise<Buffer> {
  return await readAll(await source.openBlob(image.layers[i]!.descriptor));
}

let root: string;
let dir: string;
let arm64Digest: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'layerdelta-oci-'));
  dir = join(root, 'layout');
  const layout = new TestLayout(dir);
  const single = await layout.image({
    layers: [
      { files: { 'etc/os-release': 'ID=test\n' }, compression: 'gzip', createdBy: 'ADD rootfs /' },
      { files: { 'etc/app.conf': 'x=1\n' }, compression: 'none', createdBy: 'COPY app.conf /etc/' },
      {
        files: { 'usr/bin/app': 'binary'.repeat(100) },
        compression: 'zstd',
        createdBy: 'COPY app /usr/bin/',
      },
    ],
    emptySteps: { 1: 'ENV X=1', 2: 'WORKDIR /' },
  });
  layout.tag(single, 'single');
  const amd = await layout.image({ layers: [{ files: { a: 'amd64' } }, { files: { b: 'amd64 b' } }] });
  const arm = await layout.image({
    architecture: 'arm64',
    variant: 'v8',
    layers: [{ files: { a: 'arm64' } }],
  });
  arm64Digest = arm.digest;
  const att = await layout.image({
    os: 'unknown',
    architecture: 'unknown',
    layers: [{ files: { sbom: '{}' } }],
  });
  const attestation = forPlatform(att, 'unknown', 'unknown', undefined, {
    'vnd.docker.reference.type': 'attestation-manifest',
    'vnd.docker.reference.digest': amd.digest,
  });
  const multi = layout.index([
    forPlatform(amd, 'linux', 'amd64'),
    forPlatform(arm, 'linux', 'arm64', 'v8'),
    attestation,
  ]);
  layout.tag(multi, 'multi');
  const inner = layout.index([forPlatform(arm, 'linux', 'arm64', 'v8'), forPlatform(amd, 'linux', 'amd64')]);
  layout.tag(layout.index([inner]), 'nested');
  const docker = await layout.image({ docker: true, layers: [{ files: { d: 'docker' } }] });
  layout.tag(docker, 'docker');
  layout.finish();
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('OCI layout source', () => {
  it('reports exactly the manifest skopeo reads, with diff_ids and history lined up', async () => {
    const ref = `oci:${dir}:single`;
    const image = await resolve(ref);
    const raw = skopeoRaw(ref);
    expect(image.manifestDigest).toBe(`sha256:${sha256Hex(raw.bytes)}`);
    expect(image.manifestMediaType).toBe(OCI_MANIFEST);
    expect(image.index).toBeUndefined();
    expect(image.configDescriptor.digest).toBe(raw.json.config.digest);
    expect(image.layers.map((l) => l.descriptor)).toEqual(
      raw.json.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    );
    expect(image.layers.map((l) => l.diffId)).toEqual(skopeoConfig(ref).rootfs.diff_ids);
    expect(image.layers.map((l) => l.createdBy)).toEqual([
      'ADD rootfs /',
      'COPY app.conf /etc/',
      'COPY app /usr/bin/',
    ]);
    expect(image.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(image.availablePlatforms).toEqual([{ os: 'linux', architecture: 'amd64' }]);
    expect(image.config.config?.Env).toHaveLength(2);
    expect(image.reference).toEqual({ transport: 'oci', path: dir, tag: 'single' });
  });

  it('streams each layer blob byte for byte as stored', async () => {
    const source = await openSource(`oci:${dir}:single`);
    const image = await source.resolve();
    for (const [i, layer] of image.layers.entries()) {
      const stored = readFileSync(join(dir, 'blobs', 'sha256', layer.descriptor.digest.slice(7)));
      expect((await readLayer(source, image, i)).equals(stored)).toBe(true);
    }
    await source.close();
  });

  it('picks linux/amd64 from an index by default, skipping the attestation', async () => {
    const image = await resolve(`oci:${dir}:multi`);
    const raw = skopeoRaw(`oci:${dir}:multi`);
    expect(image.index).toEqual({
      digest: `sha256:${sha256Hex(raw.bytes)}`,
      mediaType: 'application/vnd.oci.image.index.v1+json',
    });
    expect(image.manifestDigest).toBe(raw.json.manifests?.[0]?.digest);
    expect(image.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(image.availablePlatforms).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    expect(image.layers).toHaveLength(2);
  });

  it('picks linux/arm64 when asked, also through a nested index', async () => {
    for (const tag of ['multi', 'nested']) {
      const image = await resolve(`oci:${dir}:${tag}`, 'linux/arm64');
      expect(image.manifestDigest).toBe(arm64Digest);
      expect(image.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
      expect(image.config.architecture).toBe('arm64');
    }
  });

  it('reads a manifest named by digest, and Docker schema 2 media types', async () => {
    const byDigest = await resolve(`oci:${dir}@${arm64Digest}`);
    expect(byDigest.manifestDigest).toBe(arm64Digest);
    const docker = await resolve(`oci:${dir}:docker`);
    expect(docker.manifestMediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(docker.layers[0]?.descriptor.mediaType).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip');
  });

  it('fails with the choices listed when the tag or platform is not there', async () => {
    const missingTag = await failure(resolve(`oci:${dir}:nope`));
    expect(missingTag).toMatchObject({ code: 'MANIFEST_UNKNOWN', exitCode: 2 });
    expect(missingTag.message).toMatch(
      /tag "nope" not found in oci:.*; available: single, multi, nested, docker/,
    );
    const noTag = await failure(resolve(`oci:${dir}`));
    expect(noTag.message).toMatch(/available: single, multi/);
    const platform = await failure(resolve(`oci:${dir}:multi`, 'linux/s390x'));
    expect(platform).toMatchObject({ code: 'NOT_AN_IMAGE_OF_PLATFORM', exitCode: 2 });
    expect(platform.message).toMatch(/linux\/s390x not found .*available: linux\/amd64, linux\/arm64\/v8$/);
    const single = await failure(resolve(`oci:${dir}:single`, 'linux/arm64'));
    expect(single.message).toMatch(/available: linux\/amd64/);
  });
});

describe('OCI layout source: bad input', () => {
  async function layoutWith(
    mutate: (layout: TestLayout) => Promise<void> | void,
  ): Promise<{ dir: string; layout: TestLayout }> {
    const d = mkdtempSync(join(root, 'bad-'));
    const layout = new TestLayout(d);
    await mutate(layout);
    layout.finish();
    return { dir: d, layout };
  }

  it('a missing directory or a directory that is no layout is a usage error', async () => {
    const missing = await failure(resolve(`oci:${join(root, 'does-not-exist')}`));
    expect(missing).toMatchObject({ code: 'SOURCE_INVALID', exitCode: 2 });
    expect(missing.message).toMatch(/does not exist/);
    const empty = mkdtempSync(join(root, 'empty-'));
    expect((await failure(resolve(`oci:${empty}`))).message).toMatch(/no oci-layout file/);
  });

  it('a corrupted layer blob fails the stream with a digest mismatch', async () => {
    let layerPath = '';
    const { dir: d } = await layoutWith(async (layout) => {
      const img = await layout.image({ layers: [{ files: { f: 'hello world' } }] });
      layout.tag(img, 'v1');
      layerPath = join(layout.dir, 'blobs', 'sha256', img.layers[0]!.digest.slice(7));
    });
    const bytes = readFileSync(layerPath);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5]! + 1) & 0xff;
    writeFileSync(layerPath, bytes);
    const source = await openSource(`oci:${d}:v1`);
    const image = await source.resolve();
    const error = await failure(readLayer(source, image, 0));
    expect(error).toMatchObject({ code: 'DIGEST_MISMATCH', exitCode: 3 });
    expect(error.message).toMatch(/digest mismatch: expected sha256:[a-f0-9]{64}, got sha256:[a-f0-9]{64}/);
  });

  it('a corrupted config is a digest mismatch at resolve', async () => {
    const { dir: d } = await layoutWith(async (layout) => {
      const img = await layout.image({ layers: [{ files: { f: 'x' } }] });
      layout.tag(img, 'v1');
      const path = join(layout.dir, 'blobs', 'sha256', img.config.digest.slice(7));
      writeFileSync(path, readFileSync(path, 'utf8').replace('amd64', 'AMD64'));
    });
    const error = await failure(resolve(`oci:${d}:v1`));
    expect(error).toMatchObject({ code: 'DIGEST_MISMATCH', exitCode: 3 });
    expect(error.message).toMatch(/image config sha256:.* digest mismatch/);
  });

  it('unknown media types, malformed JSON and schema 1 are usage errors', async () => {
    const cases: Array<[string, (layout: TestLayout) => Promise<void> | void, RegExp]> = [
      [
        'manifest media type',
        (layout) => {
          layout.tag(
            layout.json({ schemaVersion: 2, mediaType: 'application/x-strange' }, 'application/x-strange'),
            'v1',
          );
        },
        /unsupported manifest media type "application\/x-strange"/,
      ],
      [
        'layer media type',
        (layout) => {
          const config = layout.json(
            { os: 'linux', architecture: 'amd64', rootfs: { type: 'layers', diff_ids: [] } },
            'application/vnd.oci.image.config.v1+json',
          );
          const layer = layout.blob(Buffer.from('x'), 'application/vnd.example.weird');
          // With a tar layer beside it: only tar layers (or none) make it an artifact, not an image.
          const tar = layout.blob(Buffer.from('y'), 'application/vnd.oci.image.layer.v1.tar');
          layout.tag(
            layout.json(
              { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [tar, layer] },
              OCI_MANIFEST,
            ),
            'v1',
          );
        },
        /unsupported layer media type "application\/vnd.example.weird"/,
      ],
      [
        'config media type',
        (layout) => {
          const config = layout.json({}, 'application/vnd.cncf.helm.config.v1+json');
          layout.tag(
            layout.json({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [] }, OCI_MANIFEST),
            'v1',
          );
        },
        /^not an image: manifest sha256:[0-9a-f]{64} in .* is an OCI artifact of type application\/vnd.cncf.helm.config.v1\+json$/,
      ],
      [
        'malformed config',
        (layout) => {
          const config = layout.blob(
            Buffer.from('{"os": "linux",'),
            'application/vnd.oci.image.config.v1+json',
          );
          layout.tag(
            layout.json({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [] }, OCI_MANIFEST),
            'v1',
          );
        },
        /malformed image config sha256:[a-f0-9]{64} in oci layout .*: not JSON/,
      ],
      [
        'config without rootfs',
        (layout) => {
          const config = layout.json(
            { os: 'linux', architecture: 'amd64' },
            'application/vnd.oci.image.config.v1+json',
          );
          layout.tag(
            layout.json({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [] }, OCI_MANIFEST),
            'v1',
          );
        },
        /malformed image config .*: no rootfs.diff_ids/,
      ],
      [
        'schema 1',
        (layout) => {
          layout.tag(layout.json({ schemaVersion: 1, name: 'x', fsLayers: [] }, OCI_MANIFEST), 'v1');
        },
        /Docker schema 1 manifest/,
      ],
    ];
    for (const [name, mutate, message] of cases) {
      const { dir: d } = await layoutWith(mutate);
      const error = await failure(resolve(`oci:${d}:v1`));
      expect(error, name).toBeInstanceOf(UsageError);
      expect(error.message, name).toMatch(message);
    }
  });

  it('a blob missing from the layout is reported as such', async () => {
    const { dir: d } = await layoutWith(async (layout) => {
      const img = await layout.image({ layers: [{ files: { f: 'x' } }] });
      layout.tag(img, 'v1');
      rmSync(join(layout.dir, 'blobs', 'sha256', img.config.digest.slice(7)));
    });
    const error = await failure(resolve(`oci:${d}:v1`));
    expect(error).toMatchObject({ code: 'BLOB_UNKNOWN', exitCode: 3 });
    expect(error.message).toMatch(/blob sha256:[a-f0-9]{64} is missing from oci layout/);
  });
});
