import { createServer, type Server, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayerdeltaError, type RegistryError } from '../../src/errors.js';
import { staticCredentialStore } from '../../src/registry/auth/credentials.js';
import { RegistryClient } from '../../src/registry/client.js';
import { freePort } from '../support/process.js';
import {
  type BlobHost,
  type PushedImage,
  pushImage,
  type RegistryProxy,
  sha256,
  startBlobHost,
  startProxy,
  startRegistry,
  type TestRegistry,
  tarLayer,
} from '../support/registry.js';
import { readAll } from '../support/streams.js';

async function caught(promise: Promise<unknown>): Promise<LayerdeltaError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LayerdeltaError) return error;
    throw error;
  }
  throw new Error('expected a LayerdeltaError');
}

/** Faults injected between the client and a real (basic-auth) registry. */
describe('registry faults', () => {
  let registry: TestRegistry;
  let proxy: RegistryProxy;
  let image: PushedImage;
  let layerData: Buffer;
  let sleeps: number[];

  let warm: RegistryClient;
  const client = (options: { retries?: number } = {}) =>
    options.retries === undefined ? warm : newClient(options);
  const newClient = (options: { retries?: number } = {}) =>
    new RegistryClient({
      registry: proxy.host,
      credentials: staticCredentialStore({
        [proxy.host]: { username: registry.username!, password: registry.password! },
      }),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...options,
    });

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'basic' });
    layerData = await tarLayer({ 'bin/tool': Buffer.alloc(64 * 1024, 3), 'etc/x': 'x' });
    image = await pushImage(registry, 'faults/app', 'v1', { layers: [layerData] });
    proxy = await startProxy(registry.url);
    // One client that has already met the registry's challenge, so counts below are of real tries.
    warm = newClient();
    await warm.getManifest('faults/app', 'v1');
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  const begin = () => {
    proxy.reset();
    sleeps = [];
  };

  it('retries a 429 after the Retry-After seconds it was told', async () => {
    begin();
    proxy.failNext(1, 429, { retryAfter: '2', match: /manifests/ });
    const manifest = await client().getManifest('faults/app', 'v1');
    expect(manifest.digest).toBe(image.manifestDigest);
    expect(sleeps).toEqual([2000]);
    expect(proxy.requests.filter((r) => r.path.includes('/manifests/')).map((r) => r.status)).toEqual([
      429, 200,
    ]);
  });

  it('reads Retry-After as an HTTP date, and caps a huge one', async () => {
    begin();
    proxy.failNext(1, 429, { retryAfter: new Date(Date.now() + 5000).toUTCString(), match: /manifests/ });
    proxy.failNext(1, 503, { retryAfter: '86400', match: /manifests/ });
    await client().getManifest('faults/app', 'v1');
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThan(0);
    expect(sleeps[0]).toBeLessThanOrEqual(5000);
    expect(sleeps[1]).toBe(30_000);
  });

  it('retries 503s on blobs with growing backoff', async () => {
    begin();
    proxy.failNext(2, 503, { match: /blobs/ });
    const data = await readAll(await client().getBlob('faults/app', image.layers[0]!));
    expect(data.equals(layerData)).toBe(true);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[1]!).toBeGreaterThan(sleeps[0]!);
    expect(proxy.blobGets(image.layers[0]!.digest)).toBe(3);
  });

  it('gives up after its retries with one line naming the status', async () => {
    begin();
    const retrying = client({ retries: 2 });
    await retrying.headManifest('faults/app', 'v1');
    proxy.failNext(10, 429, { match: /manifests/ });
    const error = await caught(retrying.getManifest('faults/app', 'v1'));
    expect(error.code).toBe('TOO_MANY_REQUESTS');
    expect((error as RegistryError).status).toBe(429);
    expect(error.exitCode).toBe(3);
    expect(error.oneLine()).toBe(
      `registry ${proxy.host} kept rate-limiting requests (HTTP 429) for ${proxy.host}/faults/app:v1 (wait and retry, or log in for a higher limit)`,
    );
    expect(proxy.count('GET', '/manifests/')).toBe(3);
    proxy.reset();
  });

  it('fails a blob stream whose bytes do not match the digest', async () => {
    begin();
    proxy.corruptNext(/blobs/);
    const stream = await client().getBlob('faults/app', image.layers[0]!);
    const error = await caught(readAll(stream));
    expect(error.message).toContain('digest mismatch');
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toContain(image.layers[0]!.digest);
    expect(error.exitCode).toBe(3);
  });

  it('fails a manifest whose bytes do not match its digest (by digest and by tag)', async () => {
    begin();
    proxy.corruptNext(/manifests/, 2);
    const byDigest = await caught(client().getManifest('faults/app', image.manifestDigest));
    expect(byDigest.message).toMatch(/^manifest .*: digest mismatch: expected sha256:/);
    const byTag = await caught(client().getManifest('faults/app', 'v1'));
    expect(byTag.message).toMatch(/^manifest .*: digest mismatch: expected sha256:/);
    expect([byDigest.code, byTag.code]).toEqual(['DIGEST_MISMATCH', 'DIGEST_MISMATCH']);
  });

  it('resumes a blob cut mid-stream with a Range request from the last byte read', async () => {
    begin();
    const layer = image.layers[0]!;
    proxy.truncateNext(/blobs/);
    const data = await readAll(await client().getBlob('faults/app', layer));
    expect(sha256(data)).toBe(layer.digest);
    const gets = proxy.requests.filter((r) => r.method === 'GET' && r.path.includes(layer.digest));
    expect(gets.map((r) => r.range)).toEqual([undefined, `bytes=${layer.size >> 1}-`]);
    expect(gets.map((r) => r.status)).toEqual([200, 206]);
  });

  it('fails a blob whose connection keeps breaking, after bounded resumes', async () => {
    begin();
    proxy.truncateNext(/blobs/, 100);
    const error = await caught(readAll(await client().getBlob('faults/app', image.layers[0]!)));
    expect(error.exitCode).toBe(3);
    expect(error.oneLine()).toMatch(/broke off after \d+ bytes and 3 resumes/);
    expect(proxy.blobGets()).toBe(4);
    expect(error.oneLine()).not.toContain('\n');
    // Not even the error's cause chain may hold the credentials (got's errors carry request headers).
    const everything = inspect(error, { depth: null, showHidden: true });
    expect(everything).not.toContain(registry.password!);
    expect(everything).not.toContain(
      Buffer.from(`${registry.username}:${registry.password}`).toString('base64'),
    );
  });

  it('fails a blob that is shorter than its descriptor says', async () => {
    begin();
    const layer = image.layers[0]!;
    const error = await caught(
      readAll(await client().getBlob('faults/app', { ...layer, size: layer.size + 10 })),
    );
    expect(error.message).toContain('truncated');
    expect(error.code).toBe('SIZE_MISMATCH');
  });

  it('says "blob unknown" for a missing blob', async () => {
    begin();
    const missing = `sha256:${'0'.repeat(64)}`;
    const error = await caught(client().getBlob('faults/app', { digest: missing, size: 1 }));
    expect(error.message).toBe(`blob unknown: ${proxy.host}/faults/app@${missing}`);
    expect(error.code).toBe('BLOB_UNKNOWN');
  });
});

describe('blob redirects', () => {
  let registry: TestRegistry;
  let blobHost: BlobHost;
  let proxy: RegistryProxy;
  let image: PushedImage;
  let layerData: Buffer;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'basic' });
    layerData = await tarLayer({ 'data.bin': Buffer.alloc(10_000, 9) });
    image = await pushImage(registry, 'cdn/app', 'v1', { layers: [layerData] });
    const basic = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
    blobHost = await startBlobHost(registry.url, { authorization: basic });
    proxy = await startProxy(registry.url, { redirectBlobsTo: blobHost.url });
  });
  afterAll(async () => {
    await proxy?.stop();
    await blobHost?.stop();
    await registry?.stop();
  });

  it('follows a redirect to another host without sending it Authorization', async () => {
    const client = new RegistryClient({
      registry: proxy.host,
      credentials: staticCredentialStore({
        [proxy.host]: { username: registry.username!, password: registry.password! },
      }),
    });
    await client.getManifest('cdn/app', 'v1');
    const data = await readAll(await client.getBlob('cdn/app', image.layers[0]!));
    expect(data.equals(layerData)).toBe(true);
    // The registry host got the credentials (so the client had them to leak) ...
    expect(
      proxy.requests.some((r) => r.path.includes('/blobs/') && r.status === 307 && r.authorization),
    ).toBe(true);
    // ... and the other host never saw them.
    expect(blobHost.requests.length).toBeGreaterThan(0);
    expect(blobHost.requests.every((r) => r.authorization === undefined)).toBe(true);
  });
});

describe('unreachable registries', () => {
  let silent: Server;
  const held: Socket[] = [];
  beforeAll(async () => {
    silent = createServer((socket) => {
      held.push(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('says "cannot reach registry" for a closed port, without retrying', async () => {
    const port = await freePort();
    const sleeps: number[] = [];
    const client = new RegistryClient({
      registry: `127.0.0.1:${port}`,
      sleep: async (ms) => void sleeps.push(ms),
    });
    const error = await caught(client.getManifest('any/repo', 'latest'));
    expect(error.exitCode).toBe(3);
    expect(error.oneLine()).toBe(
      `cannot reach registry 127.0.0.1:${port} (ECONNREFUSED) (check the host name and port, and that the registry is running)`,
    );
    expect(sleeps).toEqual([]);
  });

  it('says "cannot reach registry" for a host name that does not resolve', async () => {
    const client = new RegistryClient({ registry: 'registry.nonexistent.invalid', sleep: async () => {} });
    const error = await caught(client.getManifest('any/repo', 'latest'));
    expect(error.exitCode).toBe(3);
    expect(error.oneLine()).toMatch(
      /^cannot reach registry registry\.nonexistent\.invalid \((ENOTFOUND|EAI_AGAIN)\)/,
    );
  });

  it('times out a registry that accepts connections but never answers', async () => {
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const client = new RegistryClient({
      registry: `127.0.0.1:${port}`,
      timeoutMs: 300,
      retries: 1,
      sleep: async () => {},
    });
    const error = await caught(client.getManifest('any/repo', 'latest'));
    expect(error.oneLine()).toMatch(
      /^registry 127\.0\.0\.1:\d+: manifest request stalled while waiting for an answer \(less than 1 KiB in 0\.3 s, LAYERDELTA_IDLE_TIMEOUT\)/,
    );
  });
});
