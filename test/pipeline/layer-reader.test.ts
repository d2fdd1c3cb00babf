import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskLayerCache, openLayerCache } from '../../src/cache/layer-cache.js';
import { diffBinaries, uncompressedSizes } from '../../src/delta/binaries.js';
import type { LayerdeltaError } from '../../src/errors.js';
import { LayerReader, type ReadProgress } from '../../src/pipeline/layer-reader.js';
import { openSource } from '../../src/source/open.js';
import { BIGGER_SOURCE, buildGoProgram, goVersionM, HELLO_SOURCE, type TarItem } from '../layer/support.js';
import { CountingSource, layerBlobs, writeLayout } from './support.js';

let work: string;
let layout: string;
let helloPath: string;
let biggerPath: string;
let distinctLayers: Array<{ digest: string; size: number }>;

const exe = (name: string, file: string): TarItem => ({ name, data: readFileSync(file), mode: 0o755 });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'layerdelta-pipeline-'));
  helloPath = buildGoProgram(work, 'hello', HELLO_SOURCE);
  biggerPath = buildGoProgram(work, 'bigger', BIGGER_SOURCE);
  const [base, appV1, appV2] = await layerBlobs([
    // Shared by both images: a Go binary that does not change.
    {
      items: [exe('usr/bin/keep', helloPath), { name: 'etc/os-release', data: 'ID=test\n' }],
      compression: 'gzip',
    },
    { items: [exe('usr/bin/hello', helloPath), exe('app/bin/server', biggerPath)], compression: 'zstd' },
    {
      // hello grows (replaced by a bigger program), server moves to /srv, a new tool appears.
      items: [
        exe('usr/bin/hello', biggerPath),
        { name: 'app/bin/.wh.server', data: '' },
        exe('srv/server', biggerPath),
        exe('usr/bin/tool', helloPath),
      ],
      compression: 'none',
    },
  ]);
  layout = join(work, 'layout');
  // v2 is v1 plus a layer: every layer of v1 is reused.
  writeLayout(layout, { v1: [base!, appV1!], v2: [base!, appV1!, appV2!] });
  const v1 = await openSource(`oci:${layout}:v1`);
  const v2 = await openSource(`oci:${layout}:v2`);
  const layers = [...(await v1.resolve()).layers, ...(await v2.resolve()).layers];
  distinctLayers = [...new Map(layers.map((l) => [l.descriptor.digest, l.descriptor])).values()];
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

async function sources() {
  const old = new CountingSource(await openSource(`oci:${layout}:v1`));
  const neu = new CountingSource(await openSource(`oci:${layout}:v2`));
  return {
    old,
    neu,
    items: [
      { source: old, image: await old.resolve() },
      { source: neu, image: await neu.resolve() },
    ],
  };
}

const opened = (...sources: CountingSource[]) => sources.reduce((n, s) => n + s.totalOpened(), 0);

describe('LayerReader', () => {
  it('opens every distinct blob once across both images, then the warm cache opens none', async () => {
    const cacheDir = join(work, 'cache-warm');
    const cold = await sources();
    const progress: ReadProgress[] = [];
    const layerReader = new LayerReader({
      cache: openLayerCache({ cacheDir }),
      onProgress: (p) => progress.push(p),
    });
    const [oldScan, newScan] = await layerReader.readImages(cold.items);
    expect(distinctLayers).toHaveLength(3);
    for (const { digest } of distinctLayers) {
      expect((cold.old.opened.get(digest) ?? 0) + (cold.neu.opened.get(digest) ?? 0)).toBe(1);
    }
    expect(layerReader.stats).toMatchObject({ downloads: 3, cacheHits: 0 });
    expect(oldScan?.scans).toHaveLength(2);
    expect(newScan?.scans).toHaveLength(3);
    const total = distinctLayers.reduce((n, l) => n + l.size, 0);
    expect(progress.at(-1)).toEqual({ bytesDone: total, bytesTotal: total, layersDone: 3, layersTotal: 3 });

    const warm = await sources();
    const warmScanner = new LayerReader({ cache: openLayerCache({ cacheDir }) });
    const warmResult = await warmScanner.readImages(warm.items);
    expect(opened(warm.old, warm.neu)).toBe(0);
    expect(warmScanner.stats).toMatchObject({ downloads: 0, cacheHits: 3 });
    expect(warmResult.map((r) => r.scans)).toEqual([oldScan?.scans, newScan?.scans]);
    expect([...(warmResult[1]?.filesystem.goBinaries.keys() ?? [])]).toEqual([
      ...(newScan?.filesystem.goBinaries.keys() ?? []),
    ]);
  });

  it('without a cache still opens each blob once per layerReader, even when the same image is asked for twice', async () => {
    const { old } = await sources();
    const image = await old.resolve();
    const layerReader = new LayerReader();
    await layerReader.readImages([
      { source: old, image },
      { source: old, image },
    ]);
    await layerReader.readImage(old, image);
    expect([...old.opened.values()]).toEqual([1, 1]);
  });

  it('a corrupt cache entry is ignored, its blob read again, and the entry rewritten', async () => {
    const cacheDir = join(work, 'cache-corrupt');
    const first = await sources();
    await new LayerReader({ cache: openLayerCache({ cacheDir }) }).readImages(first.items);
    const victim = distinctLayers[1]!.digest;
    const entry = new DiskLayerCache(cacheDir).pathFor(victim)!;
    writeFileSync(entry, readFileSync(entry).subarray(0, 100));

    const second = await sources();
    const cache = openLayerCache({ cacheDir });
    await new LayerReader({ cache }).readImages(second.items);
    expect(opened(second.old, second.neu)).toBe(1);
    expect((second.old.opened.get(victim) ?? 0) + (second.neu.opened.get(victim) ?? 0)).toBe(1);
    expect((await cache.get(victim))?.digest).toBe(victim);
  });

  it('keeps to the concurrency bound', async () => {
    const { old, neu, items } = await sources();
    await new LayerReader({ concurrency: 1 }).readImages(items);
    expect(Math.max(old.maxOpenAtOnce, neu.maxOpenAtOnce)).toBe(1);
    expect(opened(old, neu)).toBe(3);
  });

  it('pairs the Go binaries of the two images by path', async () => {
    const { items } = await sources();
    const [oldScan, newScan] = await new LayerReader().readImages(items);
    const deltas = diffBinaries(oldScan!.filesystem, newScan!.filesystem);
    const helloSize = statSync(helloPath).size;
    const biggerSize = statSync(biggerPath).size;
    expect(deltas.map((d) => [d.path, d.status, d.delta])).toEqual(
      [
        ['/app/bin/server', 'removed', -biggerSize],
        ['/srv/server', 'added', biggerSize],
        ['/usr/bin/hello', 'changed', biggerSize - helloSize],
        ['/usr/bin/tool', 'added', helloSize],
        ['/usr/bin/keep', 'unchanged', 0],
      ].sort(
        (a, b) =>
          Math.abs(b[2] as number) - Math.abs(a[2] as number) || String(a[0]).localeCompare(String(b[0])),
      ),
    );
    const hello = deltas.find((d) => d.path === '/usr/bin/hello')!;
    expect(hello).toMatchObject({ oldLayer: 1, newLayer: 2 });
    expect(hello.goVersion).toEqual({
      old: goVersionM(helloPath).goVersion,
      new: goVersionM(biggerPath).goVersion,
    });
    expect(hello.new?.buildInfo.path).toBe(goVersionM(biggerPath).path);
    const sizes = uncompressedSizes(newScan!.scans);
    expect([...sizes.keys()]).toEqual(newScan!.scans.map((s) => s.digest));
  });
});

describe('LayerReader on a broken image', () => {
  it('a config diff_id that does not match the layer is a DIGEST_MISMATCH (exit 3)', async () => {
    const dir = join(work, 'bad-diffid');
    const [layer] = await layerBlobs([{ items: [{ name: 'a', data: 'a' }] }]);
    writeLayout(dir, { v1: [{ ...layer!, diffId: `sha256:${'0'.repeat(64)}` }] });
    const source = await openSource(`oci:${dir}:v1`);
    const error = await new LayerReader().readImage(source, await source.resolve()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'DIGEST_MISMATCH', exitCode: 3 });
    expect((error as LayerdeltaError).oneLine()).toMatch(
      /decompresses to sha256:[0-9a-f]{64}, but the image config says/,
    );
  });

  it('a truncated blob fails the whole image with the layer named, and caches nothing for it', async () => {
    const dir = join(work, 'truncated');
    const [good, bad] = await layerBlobs([
      { items: [{ name: 'a', data: 'a' }] },
      { items: [exe('bin/hello', helloPath)], compression: 'zstd' },
    ]);
    writeLayout(dir, { v1: [good!, bad!] });
    const source = await openSource(`oci:${dir}:v1`);
    const image = await source.resolve();
    const badDigest = image.layers[1]!.descriptor.digest;
    const blobFile = join(dir, 'blobs', 'sha256', badDigest.slice(7));
    writeFileSync(blobFile, readFileSync(blobFile).subarray(0, 5000));
    const cacheDir = join(work, 'cache-truncated');
    const error = await new LayerReader({ cache: openLayerCache({ cacheDir }) })
      .readImage(source, image)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ code: 'SIZE_MISMATCH', exitCode: 3 });
    expect((error as LayerdeltaError).oneLine()).toContain(badDigest);
    expect(await openLayerCache({ cacheDir }).get(badDigest)).toBeUndefined();
  });
});
