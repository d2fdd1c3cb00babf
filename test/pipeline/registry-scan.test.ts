/**
 * Download-once against a real registry: blob GETs counted by the test proxy in front of it, across
 * two repositories that share a base layer.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLayerCache } from '../../src/cache/layer-cache.js';
import { LayerdeltaError } from '../../src/errors.js';
import { LayerReader } from '../../src/pipeline/layer-reader.js';
import { openSource } from '../../src/source/open.js';
import { buildGoProgram, compress, HELLO_SOURCE, tarOf } from '../layer/support.js';
import {
  type PushedImage,
  pushImage,
  type RegistryProxy,
  startProxy,
  startRegistry,
  type TestRegistry,
} from '../support/registry.js';

let work: string;
let registry: TestRegistry;
let proxy: RegistryProxy;
let a: PushedImage;
let b: PushedImage;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'layerdelta-registry-scan-'));
  const hello = readFileSync(buildGoProgram(work, 'hello', HELLO_SOURCE));
  registry = await startRegistry();
  proxy = await startProxy(registry.url);
  const base = compress(await tarOf([{ name: 'usr/bin/hello', data: hello, mode: 0o755 }]), 'gzip');
  const onlyA = compress(await tarOf([{ name: 'etc/a', data: 'a' }]), 'gzip');
  const onlyB = compress(await tarOf([{ name: 'etc/b', data: 'b' }]), 'gzip');
  a = await pushImage(registry, 'team/a', 'v1', { layers: [base, onlyA] });
  b = await pushImage(registry, 'team/b', 'v1', { layers: [base, onlyB] });
});

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function images() {
  const sourceA = await openSource(`${proxy.host}/team/a:v1`, { insecure: true });
  const sourceB = await openSource(`${proxy.host}/team/b:v1`, { insecure: true });
  return [
    { source: sourceA, image: await sourceA.resolve() },
    { source: sourceB, image: await sourceB.resolve() },
  ];
}

describe('LayerReader against a registry', () => {
  it('fetches a base layer shared by two repositories once; a warm cache fetches no blob', async () => {
    const cacheDir = join(work, 'cache');
    const items = await images();
    proxy.reset();
    const [scanA, scanB] = await new LayerReader({ cache: openLayerCache({ cacheDir }) }).readImages(items);
    const base = a.layers[0]!.digest;
    expect(b.layers[0]!.digest).toBe(base);
    expect(proxy.blobGets(base)).toBe(1);
    expect(proxy.blobGets(a.layers[1]!.digest)).toBe(1);
    expect(proxy.blobGets(b.layers[1]!.digest)).toBe(1);
    expect(proxy.blobGets()).toBe(3);
    expect([...(scanA?.filesystem.goBinaries.keys() ?? [])]).toEqual(['/usr/bin/hello']);
    expect([...(scanB?.filesystem.goBinaries.keys() ?? [])]).toEqual(['/usr/bin/hello']);

    const warmItems = await images();
    proxy.reset();
    await new LayerReader({ cache: openLayerCache({ cacheDir }) }).readImages(warmItems);
    expect(proxy.blobGets()).toBe(0);
  });

  it('a blob the registry keeps truncating fails with exit 3 naming the blob, no partial result', async () => {
    const items = await images();
    proxy.reset();
    const victim = a.layers[1]!.digest;
    proxy.truncateNext(new RegExp(`/blobs/${victim}`), 20);
    const error = await new LayerReader().readImages(items).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LayerdeltaError);
    // Cut off mid-body: got sees the connection end early (NETWORK) or the verifier sees too few bytes.
    expect(['NETWORK', 'SIZE_MISMATCH']).toContain((error as LayerdeltaError).code);
    expect((error as LayerdeltaError).exitCode).toBe(3);
    expect((error as LayerdeltaError).oneLine()).toContain(victim);
    expect((error as LayerdeltaError).oneLine()).not.toContain('\n');
  });
});
