/**
 * A registry full of repositories that share layers, for the scan tests and bench/scan.ts. Pushed over
 * raw HTTP (test/support/registry.ts), so what is stored is known independently of the client under test.
 *
 * - `shared/svc-NN` (count given): [base, app] at 1.0.0 and [base, bigger app] at 1.1.0, plus a
 *   non-semver `latest` on 1.1.0. Every other one also carries the shared `runtime` layer.
 * - `go/app-N` (4): [base, Go binary app-v1 | app-v2 (stripped, go 1.23) at /app/server, per-repo file]:
 *   the binary layers are shared by all four.
 * - `odd/versions`: tags 1.2.0, 1.9.0, v1.10.0, latest, build-7 (precedence must beat string order), and
 *   1.10.0 on the same image as v1.10.0 (the predecessor must be another image: 1.9.0).
 * - `dated/app`: 1.0.0, 2.0.0, 1.5.0 created in March, January, February 2025 (created order ≠ semver),
 *   plus a cosign-style signature tag (an OCI artifact, not an image).
 * - `solo/one-tag`: only 1.0.0 → skipped.
 * - `broken/blob`: like a shared repository, but its 1.1.0 app layer is deleted from storage → failed.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fixtureBinary, fixturePath } from '../support/fixtures.js';
import { type PushedImage, pushImage, pushRawManifest, sha256, tarLayer } from '../support/registry.js';

export interface SeededImage {
  tag: string;
  pushed: PushedImage;
  /** Uncompressed tar length of each layer, in manifest order. */
  uncompressed: number[];
}

export interface SeededRepository {
  name: string;
  images: SeededImage[];
  /** What the scan must pick, or undefined when it must skip or fail. */
  expectedPair?: { older: string; newer: string };
  expect: 'compared' | 'skipped' | 'failed';
}

export interface SeededRegistry {
  repositories: SeededRepository[];
  /** Go binaries at /app/server: file sizes of the older and newer build. */
  goBinary: { oldFile: string; newFile: string };
  /** The layer deleted from storage (broken/blob 1.1.0). */
  deletedLayer: string;
}

/** Deterministic filler: `n` bytes that compress poorly, so sizes differ visibly after gzip. */
function filler(seed: string, n: number): Buffer {
  const out = Buffer.alloc(n);
  let x = 2166136261;
  for (const ch of seed) x = Math.imul(x ^ ch.charCodeAt(0), 16777619);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

async function pushWithSizes(
  target: { url: string },
  repository: string,
  tag: string,
  layers: Buffer[],
  created?: string,
): Promise<SeededImage> {
  // With `created`, the config pushImage would write, with that creation time.
  const config = created && {
    os: 'linux',
    architecture: 'amd64',
    created,
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256(gunzipSync(l))) },
    history: layers.map((_, i) => ({ created, created_by: `layer ${i}` })),
  };
  const pushed = await pushImage(target, repository, tag, { layers, ...(config ? { config } : {}) });
  return { tag, pushed, uncompressed: layers.map((l) => gunzipSync(l).length) };
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export async function seedRegistry(registry: { url: string }, sharedCount = 50): Promise<SeededRegistry> {
  const base = await tarLayer({ 'etc/os-release': filler('base', 64 * 1024) });
  const runtime = await tarLayer({ 'usr/lib/runtime.so': filler('runtime', 32 * 1024) });
  const oldFile = fixturePath(
    fixtureBinary({ program: 'app-v1', go: '1.23', goarch: 'amd64', stripped: true }).file,
  );
  const newFile = fixturePath(
    fixtureBinary({ program: 'app-v2', go: '1.23', goarch: 'amd64', stripped: true }).file,
  );
  const goOld = await tarLayer({ 'app/server': readFileSync(oldFile) });
  const goNew = await tarLayer({ 'app/server': readFileSync(newFile) });

  const repositories: SeededRepository[] = [];
  const shared = Array.from({ length: sharedCount }, (_, i) => `shared/svc-${String(i).padStart(2, '0')}`);
  await inBatches(shared, 8, async (name) => {
    const i = Number(name.slice(-2));
    const extra = i % 2 === 0 ? [runtime] : [];
    const app1 = await tarLayer({ [`srv/${name}.dat`]: filler(`${name}-1`, 8 * 1024) });
    // Every third repository grows a lot (significant), the others by a few bytes (within 5%).
    const grow = i % 3 === 0 ? 6 * 1024 : 64;
    const app2 = await tarLayer({ [`srv/${name}.dat`]: filler(`${name}-2`, 8 * 1024 + grow) });
    const older = await pushWithSizes(registry, name, '1.0.0', [base, ...extra, app1]);
    const newer = await pushWithSizes(registry, name, '1.1.0', [base, ...extra, app2]);
    await pushImage(registry, name, 'latest', { layers: [base, ...extra, app2] });
    repositories.push({
      name,
      images: [older, newer],
      expectedPair: { older: '1.0.0', newer: '1.1.0' },
      expect: 'compared',
    });
  });

  await inBatches([0, 1, 2, 3], 4, async (i) => {
    const name = `go/app-${i}`;
    const own = await tarLayer({ [`etc/${name}.conf`]: `repository ${name}\n` });
    const older = await pushWithSizes(registry, name, 'v2.0.0', [base, goOld, own]);
    const newer = await pushWithSizes(registry, name, 'v2.1.0', [base, goNew, own]);
    repositories.push({
      name,
      images: [older, newer],
      expectedPair: { older: 'v2.0.0', newer: 'v2.1.0' },
      expect: 'compared',
    });
  });

  {
    const name = 'odd/versions';
    const images: SeededImage[] = [];
    const layersOf: Record<string, Buffer[]> = {};
    for (const [n, tag] of ['1.2.0', '1.9.0', 'v1.10.0', 'latest', 'build-7'].entries()) {
      const app = await tarLayer({ 'srv/odd.dat': filler(`odd-${n}`, 4 * 1024 + n * 100) });
      layersOf[tag] = [base, app];
      images.push(await pushWithSizes(registry, name, tag, [base, app]));
    }
    // A second tag of the newest image (1.10.0 = v1.10.0): tags/list gives no digests, so only a
    // look at the manifests keeps the scan from comparing that image with itself.
    const twin = await pushWithSizes(registry, name, '1.10.0', layersOf['v1.10.0']!);
    if (twin.pushed.manifestDigest !== images[2]!.pushed.manifestDigest) {
      throw new Error('seed: 1.10.0 should be the same image as v1.10.0');
    }
    images.push(twin);
    repositories.push({
      name,
      images,
      expectedPair: { older: '1.9.0', newer: 'v1.10.0' },
      expect: 'compared',
    });
  }

  {
    // Creation times disagree with the versions: `--pair created` and `--pair semver` pick differently.
    const name = 'dated/app';
    const images: SeededImage[] = [];
    for (const [tag, created] of [
      ['1.0.0', '2025-03-01T00:00:00Z'],
      ['2.0.0', '2025-01-01T00:00:00Z'],
      ['1.5.0', '2025-02-01T00:00:00Z'],
    ] as const) {
      const app = await tarLayer({ 'srv/dated.dat': filler(`dated-${tag}`, 4 * 1024) });
      images.push(await pushWithSizes(registry, name, tag, [base, app], created));
    }
    // A cosign-style signature tag: an OCI artifact, not an image (unknown config media type). `--pair
    // created` must leave it out rather than fail the repository. Its blobs are ones already pushed.
    const signed = images[0]!.pushed;
    const artifact = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
          digest: signed.layers[1]!.digest,
          size: signed.layers[1]!.size,
        },
        layers: [],
      }),
    );
    const signatureTag = `sha256-${signed.manifestDigest.slice(7)}.sig`;
    await pushRawManifest(
      registry,
      name,
      signatureTag,
      artifact,
      'application/vnd.oci.image.manifest.v1+json',
    );
    repositories.push({ name, images, expectedPair: { older: '1.5.0', newer: '2.0.0' }, expect: 'compared' });
  }

  {
    const name = 'solo/one-tag';
    const app = await tarLayer({ 'srv/solo.dat': filler('solo', 4 * 1024) });
    repositories.push({
      name,
      images: [await pushWithSizes(registry, name, '1.0.0', [base, app])],
      expect: 'skipped',
    });
  }

  const name = 'broken/blob';
  const app1 = await tarLayer({ 'srv/broken.dat': filler('broken-1', 4 * 1024) });
  const app2 = await tarLayer({ 'srv/broken.dat': filler('broken-2', 4 * 1024) });
  const older = await pushWithSizes(registry, name, '1.0.0', [base, app1]);
  const newer = await pushWithSizes(registry, name, '1.1.0', [base, app2]);
  const deletedLayer = newer.pushed.layers[1]!.digest;
  const deleted = await fetch(`${registry.url}/v2/${name}/blobs/${deletedLayer}`, { method: 'DELETE' });
  if (deleted.status !== 202) throw new Error(`deleting ${deletedLayer} answered ${deleted.status}`);
  repositories.push({ name, images: [older, newer], expect: 'failed' });

  repositories.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { repositories, goBinary: { oldFile, newFile }, deletedLayer };
}
