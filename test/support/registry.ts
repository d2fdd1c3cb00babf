/**
 * Real `docker-registry` (CNCF distribution 2.8) servers for tests: without auth, with htpasswd
 * basic auth, or with token auth from the test token server; plus `pushImage` to seed content over
 * raw HTTP (monolithic uploads), independent of the client under test.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { freePort, type RunningProcess, startProcess } from './process.js';
import { makeCertsRoot, testPki } from './tls.js';
import { startTokenServer, type TokenServer } from './token-server.js';

export {
  type BlobHost,
  type ProxyOptions,
  type RegistryProxy,
  startBlobHost,
  startProxy,
} from './registry-proxy.js';

export interface TestRegistry {
  /** 127.0.0.1:PORT */
  host: string;
  /** http://127.0.0.1:PORT, or https:// for a TLS registry. */
  url: string;
  /**
   * Plain-HTTP URL of the same storage, for seeding and raw checks: a TLS registry has a plain twin
   * (a second docker-registry on the same root directory); otherwise `url`.
   */
  seedUrl: string;
  tls: 'none' | 'tls' | 'mtls';
  /**
   * TLS registries: the certs.d root holding `HOST/ca.crt` (and `client.cert` + `client.key` for
   * mutual TLS), as LAYERDELTA_CERTS_DIRS wants it.
   */
  certsRoot?: string;
  auth: 'none' | 'basic' | 'token';
  /** The first user's login (basic and token registries). */
  username?: string;
  password?: string;
  users: Record<string, string>;
  tokenServer?: TokenServer;
  /** What the registry printed so far (its access log included). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  auth?: 'none' | 'basic' | 'token';
  /** username → password (default one user `tester` with a random password). */
  users?: Record<string, string>;
  /** Token registries: grant anonymous pull (default false). */
  anonymousPull?: boolean;
  /** Token registries: which field the token server answers with. */
  tokenField?: 'token' | 'access_token' | 'both';
  /** Token registries: identity (refresh) tokens → user, accepted by POST grant_type=refresh_token. */
  refreshTokens?: Record<string, string>;
  /**
   * HTTPS with a certificate from the test CA (`http.tls`); `mtls` also demands a client certificate
   * signed by it (`http.tls.clientcas`). Default: LAYERDELTA_TEST_REGISTRY_TLS or 'none'.
   */
  tls?: 'none' | 'tls' | 'mtls';
  /** Accept manifests whose foreign layers (with `urls`) it does not hold (`validation.manifests.urls`). */
  foreignLayers?: boolean;
}

/**
 * The certs.d root in-process clients of this test process read (LAYERDELTA_CERTS_DIRS, set here once
 * so RegistryClient trusts TLS test registries as a docker user's /etc/docker/certs.d would).
 */
function processCertsRoot(): string {
  if (!process.env.LAYERDELTA_CERTS_DIRS) process.env.LAYERDELTA_CERTS_DIRS = makeCertsRoot();
  return process.env.LAYERDELTA_CERTS_DIRS.split(':')[0] ?? '';
}

export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const auth = options.auth ?? 'none';
  const tls =
    options.tls ?? (process.env.LAYERDELTA_TEST_REGISTRY_TLS as 'tls' | 'mtls' | undefined) ?? 'none';
  const users = options.users ?? { tester: `pw-${randomBytes(6).toString('hex')}` };
  const dir = mkdtempSync(join(tmpdir(), 'layerdelta-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let tokenServer: TokenServer | undefined;
  let authConfig = '';
  if (auth === 'basic') {
    const lines = Object.entries(users).map(([user, password]) =>
      execFileSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' }).trim(),
    );
    writeFileSync(join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
    authConfig = `auth:\n  htpasswd:\n    realm: layerdelta-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (auth === 'token') {
    tokenServer = await startTokenServer({
      users,
      ...(options.anonymousPull !== undefined ? { anonymousPull: options.anonymousPull } : {}),
      ...(options.tokenField !== undefined ? { tokenField: options.tokenField } : {}),
      ...(options.refreshTokens !== undefined ? { refreshTokens: options.refreshTokens } : {}),
    });
    authConfig = [
      'auth:',
      '  token:',
      `    realm: ${tokenServer.realm}`,
      `    service: ${tokenServer.service}`,
      `    issuer: ${tokenServer.issuer}`,
      `    rootcertbundle: ${tokenServer.rootCertBundle}`,
      '',
    ].join('\n');
  }
  const config = (addr: string, tlsConfig: string) =>
    [
      'version: 0.1',
      'log:',
      '  level: info',
      '  formatter: text',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: ${addr}`,
      `  secret: ${secret}`,
      tlsConfig,
      authConfig,
      ...(options.foreignLayers
        ? ['validation:', '  manifests:', '    urls:', '      allow:', "        - '^https?://'", '']
        : []),
    ].join('\n');
  const secret = randomBytes(16).toString('hex');
  let tlsConfig = '';
  let certsRoot: string | undefined;
  if (tls !== 'none') {
    const pki = testPki();
    tlsConfig = [
      '  tls:',
      `    certificate: ${pki.serverCert}`,
      `    key: ${pki.serverKey}`,
      ...(tls === 'mtls' ? ['    clientcas:', `      - ${pki.caCert}`] : []),
      '',
    ].join('\n');
    certsRoot = processCertsRoot();
    const hostDir = join(certsRoot, host);
    mkdirSync(hostDir, { recursive: true });
    copyFileSync(pki.caCert, join(hostDir, 'ca.crt'));
    if (tls === 'mtls') {
      copyFileSync(pki.clientCert, join(hostDir, 'client.cert'));
      copyFileSync(pki.clientKey, join(hostDir, 'client.key'));
    }
  }
  writeFileSync(join(dir, 'config.yml'), config(host, tlsConfig));
  const env = { ...process.env, OTEL_TRACES_EXPORTER: 'none' };
  const started: RunningProcess[] = [];
  const stopAll = async () => {
    for (const p of started) await p.stop();
    await tokenServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  let seedHost = host;
  try {
    started.push(
      await startProcess('docker-registry', ['serve', join(dir, 'config.yml')], {
        readyUrl: `${tls === 'none' ? 'http' : 'https'}://${host}/v2/`,
        env,
      }),
    );
    if (tls !== 'none') {
      // The plain twin: seeding (fetch) and raw checks need no client certificate or CA.
      seedHost = `127.0.0.1:${await freePort()}`;
      writeFileSync(join(dir, 'seed.yml'), config(seedHost, ''));
      started.push(
        await startProcess('docker-registry', ['serve', join(dir, 'seed.yml')], {
          readyUrl: `http://${seedHost}/v2/`,
          env,
        }),
      );
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  const [username, password] = Object.entries(users)[0] ?? [];
  return {
    host,
    url: `${tls === 'none' ? 'http' : 'https'}://${host}`,
    seedUrl: `http://${seedHost}`,
    tls,
    ...(certsRoot !== undefined ? { certsRoot } : {}),
    auth,
    ...(auth !== 'none' && username !== undefined && password !== undefined ? { username, password } : {}),
    users,
    ...(tokenServer ? { tokenServer } : {}),
    output: () => started.map((p) => p.output()).join(''),
    stop: async () => {
      await stopAll();
      if (certsRoot !== undefined) rmSync(join(certsRoot, host), { recursive: true, force: true });
    },
  };
}

// ---- seeding content ----------------------------------------------------------------------------

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A gzipped tar layer holding `files` (path → content), deterministic (fixed mtime, no gzip name/time). */
export async function tarLayer(files: Record<string, string | Buffer>): Promise<Buffer> {
  const tar = pack();
  for (const [name, content] of Object.entries(files)) {
    tar.entry(
      { name, mtime: new Date(0), mode: 0o755 },
      typeof content === 'string' ? Buffer.from(content) : content,
    );
  }
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

export interface PushedImage {
  manifestDigest: string;
  manifest: Buffer;
  mediaType: string;
  config: { digest: string; size: number; data: Buffer };
  layers: Array<{ digest: string; size: number; mediaType: string }>;
}

interface PushTarget {
  url: string;
  /** Where to push instead of `url` (a TLS registry's plain twin). */
  seedUrl?: string;
  username?: string;
  password?: string;
}

/** Talks to a registry for seeding: basic auth, or a push token from the token realm when challenged. */
class Pusher {
  private authorization?: string;
  constructor(
    private readonly registry: PushTarget,
    private readonly repository: string,
  ) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const base = this.registry.seedUrl ?? this.registry.url;
    const url = path.startsWith('http') ? path : `${base}${path}`;
    for (let round = 0; round < 2; round++) {
      const headers = new Headers(init.headers);
      if (this.authorization) headers.set('authorization', this.authorization);
      const response = await fetch(url, { ...init, headers, redirect: 'manual' });
      if (response.status !== 401 || round > 0) return response;
      await response.arrayBuffer();
      await this.authenticate(response.headers.get('www-authenticate') ?? '');
    }
    throw new Error('unreachable');
  }

  private async authenticate(challenge: string): Promise<void> {
    const basic = `Basic ${Buffer.from(`${this.registry.username}:${this.registry.password}`).toString('base64')}`;
    if (/^basic/i.test(challenge)) {
      this.authorization = basic;
      return;
    }
    const realm = /realm="([^"]+)"/.exec(challenge)?.[1];
    const service = /service="([^"]+)"/.exec(challenge)?.[1];
    if (!realm) throw new Error(`cannot authenticate to push: ${challenge}`);
    const tokenUrl = new URL(realm);
    if (service) tokenUrl.searchParams.set('service', service);
    tokenUrl.searchParams.set('scope', `repository:${this.repository}:pull,push`);
    const response = await fetch(tokenUrl, { headers: { authorization: basic } });
    if (!response.ok) throw new Error(`token request for push failed: ${response.status}`);
    const body = (await response.json()) as { token?: string; access_token?: string };
    this.authorization = `Bearer ${body.token ?? body.access_token}`;
  }

  async pushBlob(data: Buffer): Promise<string> {
    const digest = sha256(data);
    const head = await this.fetch(`/v2/${this.repository}/blobs/${digest}`, { method: 'HEAD' });
    if (head.status === 200) return digest;
    const start = await this.fetch(`/v2/${this.repository}/blobs/uploads/`, { method: 'POST' });
    await start.arrayBuffer();
    const location = start.headers.get('location');
    if (start.status !== 202 || !location) throw new Error(`blob upload start failed: ${start.status}`);
    const put = new URL(location, this.registry.seedUrl ?? this.registry.url);
    put.searchParams.set('digest', digest);
    const done = await this.fetch(put.toString(), {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.length) },
      body: data,
    });
    await done.arrayBuffer();
    if (done.status !== 201) throw new Error(`blob upload failed: ${done.status}`);
    return digest;
  }

  /** Cross-repository blob mount (one POST, no upload): the registry links the blob `from` holds. */
  async mountBlob(digest: string, from: string): Promise<void> {
    const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const response = await this.fetch(`/v2/${this.repository}/blobs/uploads/?${query}`, { method: 'POST' });
    await response.arrayBuffer();
    if (response.status !== 201)
      throw new Error(`blob mount of ${digest} from ${from} failed: ${response.status}`);
  }

  async pushManifest(reference: string, body: Buffer, mediaType: string): Promise<void> {
    const response = await this.fetch(`/v2/${this.repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'content-type': mediaType },
      body,
    });
    const text = await response.text();
    if (response.status !== 201) throw new Error(`manifest push failed: ${response.status} ${text}`);
  }
}

/**
 * Push an image over raw HTTP: each layer and the config as monolithic uploads (POST + PUT), then the
 * manifest under `tag`. Layers are blobs as given (gzipped tars from `tarLayer`, or any bytes); the
 * config defaults to a minimal linux/amd64 config whose diff_ids match gzipped layers.
 */
export async function pushImage(
  registry: PushTarget,
  repository: string,
  tag: string,
  image: {
    layers: Buffer[];
    config?: Buffer | Record<string, unknown>;
    mediaTypes?: 'oci' | 'docker';
    platform?: { os: string; architecture: string; variant?: string };
  },
): Promise<PushedImage> {
  const oci = (image.mediaTypes ?? 'oci') === 'oci';
  const pusher = new Pusher(registry, repository);
  const layerMediaType = oci
    ? 'application/vnd.oci.image.layer.v1.tar+gzip'
    : 'application/vnd.docker.image.rootfs.diff.tar.gzip';
  const layers = [];
  for (const data of image.layers) {
    layers.push({ mediaType: layerMediaType, digest: await pusher.pushBlob(data), size: data.length });
  }
  const platform = image.platform ?? { os: 'linux', architecture: 'amd64' };
  const configObject =
    image.config === undefined
      ? {
          ...platform,
          created: '2024-01-01T00:00:00Z',
          config: {},
          rootfs: {
            type: 'layers',
            diff_ids: image.layers.map((l) =>
              l[0] === 0x1f && l[1] === 0x8b ? sha256(gunzipSync(l)) : sha256(l),
            ),
          },
          history: image.layers.map((_, i) => ({ created_by: `layer ${i}` })),
        }
      : image.config;
  const configData = Buffer.isBuffer(configObject) ? configObject : Buffer.from(JSON.stringify(configObject));
  const configDigest = await pusher.pushBlob(configData);
  const mediaType = oci ? OCI_MANIFEST : DOCKER_MANIFEST;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: {
        mediaType: oci
          ? 'application/vnd.oci.image.config.v1+json'
          : 'application/vnd.docker.container.image.v1+json',
        digest: configDigest,
        size: configData.length,
      },
      layers,
    }),
  );
  await pusher.pushManifest(tag, manifest, mediaType);
  return {
    manifestDigest: sha256(manifest),
    manifest,
    mediaType,
    config: { digest: configDigest, size: configData.length, data: configData },
    layers,
  };
}

/**
 * The same image in another repository without uploading anything: its config and layers are mounted
 * from `from` (where `pushImage` put them), then the manifest is put under `tag`. Three to four requests
 * instead of a HEAD, POST and PUT per blob: what seeding hundreds of repositories needs.
 */
export async function mountImage(
  registry: PushTarget,
  from: string,
  repository: string,
  tag: string,
  image: PushedImage,
): Promise<void> {
  const pusher = new Pusher(registry, repository);
  for (const digest of [...image.layers.map((l) => l.digest), image.config.digest])
    await pusher.mountBlob(digest, from);
  await pusher.pushManifest(tag, image.manifest, image.mediaType);
}

/** Push an index (OCI index or Docker manifest list) over already pushed platform manifests. */
export async function pushIndex(
  registry: PushTarget,
  repository: string,
  tag: string,
  manifests: Array<{ image: PushedImage; platform: { os: string; architecture: string; variant?: string } }>,
  mediaTypes: 'oci' | 'docker' = 'oci',
): Promise<{ digest: string; body: Buffer; mediaType: string }> {
  const mediaType = mediaTypes === 'oci' ? OCI_INDEX : DOCKER_MANIFEST_LIST;
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: manifests.map(({ image, platform }) => ({
        mediaType: image.mediaType,
        digest: image.manifestDigest,
        size: image.manifest.length,
        platform,
      })),
    }),
  );
  await new Pusher(registry, repository).pushManifest(tag, body, mediaType);
  return { digest: sha256(body), body, mediaType };
}

/** Push a raw manifest body (for bad-input tests: unknown media types and the like). */
export async function pushRawManifest(
  registry: PushTarget,
  repository: string,
  reference: string,
  body: Buffer,
  mediaType: string,
): Promise<void> {
  await new Pusher(registry, repository).pushManifest(reference, body, mediaType);
}

/**
 * `skopeo inspect --raw` of an image on a test registry: the ground truth of what is stored.
 * Asynchronous on purpose: the token server lives in this process and must answer skopeo.
 */
export async function skopeoInspectRaw(registry: TestRegistry, image: string): Promise<Buffer> {
  const args = ['inspect', '--raw', '--tls-verify=false'];
  if (registry.certsRoot !== undefined) args.push('--cert-dir', join(registry.certsRoot, registry.host));
  if (registry.username !== undefined) args.push('--creds', `${registry.username}:${registry.password}`);
  args.push(`docker://${registry.host}/${image}`);
  const { stdout } = await promisify(execFile)('skopeo', args, {
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'buffer',
  });
  return stdout;
}

/** Push one blob (any bytes) into `repository`; its digest. */
export async function pushBlob(registry: PushTarget, repository: string, data: Buffer): Promise<string> {
  return await new Pusher(registry, repository).pushBlob(data);
}
