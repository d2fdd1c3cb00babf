import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { ManifestMediaType as MediaType } from '../../src/oci/media-types.js';
import { staticCredentialStore } from '../../src/registry/auth/credentials.js';
import { RegistryClient } from '../../src/registry/client.js';
import { Transport } from '../../src/registry/transport.js';
import {
  type PushedImage,
  pushImage,
  pushIndex,
  sha256,
  skopeoInspectRaw,
  startProxy,
  startRegistry,
  type TestRegistry,
  tarLayer,
} from '../support/registry.js';
import { readAll } from '../support/streams.js';
import { startTinyproxy, type TestProxy } from '../support/tinyproxy.js';

async function caught(promise: Promise<unknown>): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RegistryError) return error;
    throw error;
  }
  throw new Error('expected a RegistryError');
}

// Every auth kind over plain HTTP, and over HTTPS with the test CA (mutual TLS for basic auth); the
// harness writes the CA (and client certificate) to the certs.d root in LAYERDELTA_CERTS_DIRS. Two
// rounds go through a real proxy (tinyproxy): plain HTTP as absolute URIs, HTTPS as CONNECT tunnels.
describe.each([
  ['none', 'none', 'direct'],
  ['basic', 'none', 'direct'],
  ['token', 'none', 'direct'],
  ['none', 'tls', 'direct'],
  ['basic', 'mtls', 'direct'],
  ['token', 'tls', 'direct'],
  ['token', 'none', 'proxy'],
  ['basic', 'mtls', 'proxy'],
] as const)('pulling from a registry with auth %s, TLS %s, %s', (auth, tls, via) => {
  let registry: TestRegistry;
  let client: RegistryClient;
  let oci: PushedImage;
  let docker: PushedImage;
  let arm: PushedImage;
  let layerData: Buffer;
  let proxy: TestProxy | undefined;
  /** What every client of this round gets: the run's transport, or one whose env names the proxy. */
  let transport: { transport?: Transport } = {};

  beforeAll(async () => {
    registry = await startRegistry({ auth, tls });
    // After the registry: its CA is in the certs.d root the harness put in process.env.
    if (via === 'proxy') {
      proxy = await startTinyproxy();
      transport = {
        transport: new Transport({
          env: { ...process.env, HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: '' },
        }),
      };
    }
    layerData = await tarLayer({ 'etc/app.conf': `config for ${auth}`, 'bin/app': Buffer.alloc(4096, 7) });
    const second = await tarLayer({ 'usr/share/doc/README': 'second layer' });
    oci = await pushImage(registry, 'team/app', 'v1', { layers: [layerData, second], mediaTypes: 'oci' });
    docker = await pushImage(registry, 'team/app', 'docker-v1', {
      layers: [layerData],
      mediaTypes: 'docker',
    });
    arm = await pushImage(registry, 'team/app', 'arm', {
      layers: [second],
      platform: { os: 'linux', architecture: 'arm64' },
    });
    await pushIndex(registry, 'team/app', 'multi', [
      { image: oci, platform: { os: 'linux', architecture: 'amd64' } },
      { image: arm, platform: { os: 'linux', architecture: 'arm64' } },
    ]);
    await pushIndex(
      registry,
      'team/app',
      'multi-docker',
      [{ image: docker, platform: { os: 'linux', architecture: 'amd64' } }],
      'docker',
    );
    client = new RegistryClient({
      registry: registry.host,
      ...transport,
      ...(registry.username
        ? {
            credentials: staticCredentialStore({
              [registry.host]: { username: registry.username, password: registry.password ?? '' },
            }),
          }
        : {}),
    });
  });
  afterAll(async () => {
    await registry?.stop();
    await proxy?.stop();
  });

  it.each([
    ['v1', MediaType.ociManifest],
    ['docker-v1', MediaType.dockerManifest],
    ['multi', MediaType.ociIndex],
    ['multi-docker', MediaType.dockerManifestList],
  ])('gets manifest %s as skopeo sees it, with media type %s', async (tag, mediaType) => {
    const manifest = await client.getManifest('team/app', tag);
    const raw = await skopeoInspectRaw(registry, `team/app:${tag}`);
    expect(manifest.body.equals(raw)).toBe(true);
    expect(manifest.digest).toBe(sha256(raw));
    expect(manifest.mediaType).toBe(mediaType);
  });

  it('gets a manifest by digest and HEADs it', async () => {
    const byDigest = await client.getManifest('team/app', oci.manifestDigest);
    expect(byDigest.body.equals(oci.manifest)).toBe(true);
    const head = await client.headManifest('team/app', 'v1');
    expect(head).toEqual({
      digest: oci.manifestDigest,
      mediaType: MediaType.ociManifest,
      size: oci.manifest.length,
    });
    expect(await client.headManifest('team/app', 'no-such-tag')).toBeUndefined();
  });

  it('streams a layer blob whose bytes are the pushed ones', async () => {
    const layer = oci.layers[0]!;
    const data = await readAll(await client.getBlob('team/app', layer));
    expect(data.equals(layerData)).toBe(true);
    expect(sha256(data)).toBe(layer.digest);
  });

  it('reads the config as a buffer', async () => {
    const config = await client.getBlobBuffer('team/app', oci.config);
    expect(config.equals(oci.config.data)).toBe(true);
  });

  it('lists tags', async () => {
    expect((await client.listTags('team/app')).sort()).toEqual([
      'arm',
      'docker-v1',
      'multi',
      'multi-docker',
      'v1',
    ]);
  });

  it('says "manifest unknown" for a missing tag', async () => {
    const error = await caught(client.getManifest('team/app', 'v9'));
    expect(error.exitCode).toBe(3);
    expect(error.oneLine()).toBe(`manifest unknown: ${registry.host}/team/app:v9 (check the tag or digest)`);
  });

  it('says "repository unknown" for a missing repository', async () => {
    const error = await caught(client.listTags('team/nothing'));
    expect(error.message).toBe(`repository unknown: ${registry.host}/team/nothing`);
    const manifestError = await caught(client.getManifest('team/nothing', 'v1'));
    expect(manifestError.message).toMatch(/^(repository|manifest) unknown: /);
  });

  if (auth !== 'none') {
    it('fails with one line, exit 3, and no password when the password is wrong', async () => {
      const wrong = 'definitely-not-the-password-1234';
      const badClient = new RegistryClient({
        registry: registry.host,
        ...transport,
        credentials: staticCredentialStore({
          [registry.host]: { username: registry.username!, password: wrong },
        }),
      });
      const error = await caught(badClient.getManifest('team/app', 'v1'));
      expect(error.exitCode).toBe(3);
      expect(error.status).toBe(401);
      expect(error.oneLine()).toBe(
        `authentication failed for ${registry.host}/team/app (check the credentials)`,
      );
      expect(error.oneLine()).not.toContain(wrong);
      expect(error.oneLine()).not.toContain('\n');
    });

    it('fails to authenticate anonymously', async () => {
      const anonymous = new RegistryClient({ registry: registry.host, ...transport });
      const error = await caught(anonymous.getManifest('team/app', 'v1'));
      expect(error.message).toBe(`authentication failed for ${registry.host}/team/app`);
    });
  }

  if (auth === 'token') {
    it('caches a token per scope: a second repository asks again, the same one does not', async () => {
      await pushImage(registry, 'team/other', 'v1', { layers: [layerData] });
      const fresh = new RegistryClient({
        registry: registry.host,
        ...transport,
        credentials: staticCredentialStore({
          [registry.host]: { username: registry.username!, password: registry.password! },
        }),
      });
      const before = registry.tokenServer!.issued;
      await fresh.getManifest('team/app', 'v1');
      await fresh.getManifest('team/app', 'docker-v1');
      await readAll(await fresh.getBlob('team/app', oci.layers[0]!));
      expect(registry.tokenServer!.issued - before).toBe(1);
      await fresh.getManifest('team/other', 'v1');
      expect(registry.tokenServer!.issued - before).toBe(2);
      const scopes = registry.tokenServer!.requests.slice(-2).map((r) => r.scope);
      expect(scopes).toEqual(['repository:team/app:pull', 'repository:team/other:pull']);
    });
  }

  if (via === 'proxy') {
    it('went through the proxy (last: after every request above)', () => {
      const lines = proxy!.requests().filter((l) => l.includes(registry.host));
      expect(lines.length).toBeGreaterThan(0);
      const expected = tls === 'none' ? `GET http://${registry.host}/v2/` : `CONNECT ${registry.host} `;
      expect(lines.some((l) => l.startsWith(expected))).toBe(true);
    });
  }
});

describe('concurrent requests on a token registry', () => {
  it('share one token fetch per scope', async () => {
    const registry = await startRegistry({ auth: 'token' });
    try {
      const layers = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => tarLayer({ [`f${i}`]: `layer ${i}` })));
      const pushed = await pushImage(registry, 'many/layers', 'v1', { layers });
      const before = registry.tokenServer!.issued;
      const client = new RegistryClient({
        registry: registry.host,
        credentials: staticCredentialStore({
          [registry.host]: { username: registry.username!, password: registry.password! },
        }),
      });
      const blobs = await Promise.all(
        pushed.layers.map(async (layer) => readAll(await client.getBlob('many/layers', layer))),
      );
      expect(blobs.map((b) => sha256(b))).toEqual(pushed.layers.map((l) => l.digest));
      expect(registry.tokenServer!.issued - before).toBe(1);
    } finally {
      await registry.stop();
    }
  });
});

describe('token servers', () => {
  it.each(['token', 'access_token'] as const)('accepts a token in the %s field', async (field) => {
    const registry = await startRegistry({ auth: 'token', tokenField: field });
    try {
      const layer = await tarLayer({ a: field });
      const pushed = await pushImage(registry, 'one/repo', 'v1', { layers: [layer] });
      const client = new RegistryClient({
        registry: registry.host,
        credentials: staticCredentialStore({
          [registry.host]: { username: registry.username!, password: registry.password! },
        }),
      });
      expect((await client.getManifest('one/repo', 'v1')).digest).toBe(pushed.manifestDigest);
    } finally {
      await registry.stop();
    }
  });

  it('pulls anonymously when the token server grants anonymous pull', async () => {
    const registry = await startRegistry({ auth: 'token', anonymousPull: true });
    try {
      const pushed = await pushImage(registry, 'public/repo', 'v1', { layers: [await tarLayer({ a: 'x' })] });
      const client = new RegistryClient({ registry: registry.host });
      expect((await client.getManifest('public/repo', 'v1')).digest).toBe(pushed.manifestDigest);
      expect(registry.tokenServer!.requests.at(-1)?.user).toBeUndefined();
    } finally {
      await registry.stop();
    }
  });
});

describe('pagination', () => {
  let registry: TestRegistry;
  const repositories = ['pg/a', 'pg/b', 'pg/c', 'pg/d', 'pg/e'];
  const tags = ['t1', 't2', 't3', 't4', 't5', 't6', 't7'];
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'basic' });
    const layer = await tarLayer({ f: 'x' });
    for (const repository of repositories) await pushImage(registry, repository, 'v1', { layers: [layer] });
    for (const tag of tags) await pushImage(registry, 'pg/a', tag, { layers: [layer] });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('follows Link headers through _catalog and tags/list with n=2', async () => {
    // distribution 2.8 pages _catalog itself but ignores n on tags/list: the proxy pages tags as GHCR does.
    const proxy = await startProxy(registry.url, { paginateTags: true });
    try {
      const client = new RegistryClient({
        registry: proxy.host,
        credentials: staticCredentialStore({
          [proxy.host]: { username: registry.username!, password: registry.password! },
        }),
      });
      expect(await client.catalog({ pageSize: 2 })).toEqual(repositories);
      expect(
        proxy.requests.filter((r) => r.path.startsWith('/v2/_catalog?') && r.status === 200),
      ).toHaveLength(3);
      expect(await client.listTags('pg/a', { pageSize: 2 })).toEqual([...tags, 'v1'].sort());
      expect(proxy.requests.filter((r) => r.path.includes('/tags/list') && r.status === 200)).toHaveLength(4);
    } finally {
      await proxy.stop();
    }
  });

  it('really got pages of two (the registry sends Link when n is smaller than the list)', async () => {
    const basic = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
    const response = await fetch(`${registry.url}/v2/_catalog?n=2`, { headers: { authorization: basic } });
    expect(((await response.json()) as { repositories: string[] }).repositories).toHaveLength(2);
    expect(response.headers.get('link')).toMatch(/rel="next"/);
  });
});
