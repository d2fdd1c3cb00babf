/**
 * Manifests of the wild and per-run credentials, through the built CLI (docs/design.md §7): attestation
 * entries of an index are skipped; a foreign layer (with `urls`) is reported as not downloaded; OCI
 * artifacts and empty indexes get one line "not an image: …"; `--authfile` and `--creds` log in for one
 * run, and an auth failure names where the refused credentials came from.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRegistryFlags } from '../../src/cli/registry-flags.js';
import { staticCredentialStore } from '../../src/registry/auth/credentials.js';
import { configureCredentials } from '../../src/registry/auth/default-store.js';
import { loadCredentialStore } from '../../src/registry/auth/docker-config.js';
import type { ScannedInspectReport } from '../../src/report/inspect-binaries.js';
import { openSource } from '../../src/source/open.js';
import { expectFailure } from '../support/failure.js';
import {
  OCI_INDEX,
  OCI_MANIFEST,
  type PushedImage,
  pushBlob,
  pushImage,
  pushRawManifest,
  sha256,
  startRegistry,
  type TestRegistry,
  tarLayer,
} from '../support/registry.js';
import { ensureBuilt, runCli } from './cli.js';

let registry: TestRegistry;
let amd: PushedImage;
let realLayer: Buffer;
let dir: string;

const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

/** Credentials only from what a test names: no docker config of the machine leaks in. */
const ISOLATED = { DOCKER_CONFIG: '/nonexistent-docker-config', REGISTRY_AUTH_FILE: '' };

function login(): string[] {
  return ['--creds', `${registry.username}:${registry.password}`];
}

/**
 * Resolve `ref` in-process as inspect does (the command's first step), with the credentials it would
 * read from `env` (docker config files, none here but what a test names).
 */
async function resolveIn(ref: string, env: NodeJS.ProcessEnv = {}) {
  const credentials = loadCredentialStore({ ...ISOLATED, HOME: dir, ...env });
  const source = await openSource(`${registry.host}/${ref}`, { credentials });
  try {
    return await source.resolve();
  } finally {
    await source.close();
  }
}

/** The same with the given username and password (what `--creds` sets up). */
async function resolveAs(ref: string) {
  const credentials = staticCredentialStore({
    [registry.host]: { username: registry.username!, password: registry.password! },
  });
  const source = await openSource(`${registry.host}/${ref}`, { credentials });
  try {
    return await source.resolve();
  } finally {
    await source.close();
  }
}

async function inspect(ref: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return await runCli(['inspect', `${registry.host}/${ref}`, '--json', '--no-cache', ...extra], {
    env: { ...ISOLATED, ...env },
  });
}

function manifest(config: { digest: string; size: number; mediaType: string }, layers: object[], extra = {}) {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers, ...extra }));
}

beforeAll(async () => {
  await ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'layerdelta-wild-'));
  registry = await startRegistry({ auth: 'basic', foreignLayers: true });
  realLayer = await tarLayer({ 'app/hello': 'hello from the wild' });
  amd = await pushImage(registry, 'wild/app', 'v1', { layers: [realLayer] });
  const arm = await pushImage(registry, 'wild/app', 'arm', {
    layers: [await tarLayer({ 'app/hello': 'arm' })],
    platform: { os: 'linux', architecture: 'arm64' },
  });
  // BuildKit's attestation entry: an in-toto manifest listed as unknown/unknown.
  const statement = Buffer.from('{"_type":"https://in-toto.io/Statement/v0.1"}');
  const emptyConfig = Buffer.from('{}');
  const attestationConfig = {
    mediaType: OCI_CONFIG,
    digest: await pushBlob(registry, 'wild/app', emptyConfig),
    size: 2,
  };
  const attestation = manifest(attestationConfig, [
    {
      mediaType: 'application/vnd.in-toto+json',
      digest: await pushBlob(registry, 'wild/app', statement),
      size: statement.length,
    },
  ]);
  await pushRawManifest(registry, 'wild/app', sha256(attestation), attestation, OCI_MANIFEST);
  const entry = (image: PushedImage, platform: object) => ({
    mediaType: OCI_MANIFEST,
    digest: image.manifestDigest,
    size: image.manifest.length,
    platform,
  });
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      entry(amd, { os: 'linux', architecture: 'amd64' }),
      entry(arm, { os: 'linux', architecture: 'arm64' }),
      {
        mediaType: OCI_MANIFEST,
        digest: sha256(attestation),
        size: attestation.length,
        platform: { os: 'unknown', architecture: 'unknown' },
        annotations: {
          'vnd.docker.reference.type': 'attestation-manifest',
          'vnd.docker.reference.digest': amd.manifestDigest,
        },
      },
    ],
  };
  await pushRawManifest(registry, 'wild/app', 'multi', Buffer.from(JSON.stringify(index)), OCI_INDEX);
  await pushRawManifest(
    registry,
    'wild/app',
    'empty',
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] })),
    OCI_INDEX,
  );

  // A Windows-style image: a foreign base layer the registry does not hold, then a real layer.
  const foreign = { digest: `sha256:${'f'.repeat(64)}`, diffId: `sha256:${'e'.repeat(64)}` };
  const config = Buffer.from(
    JSON.stringify({
      os: 'linux',
      architecture: 'amd64',
      rootfs: { type: 'layers', diff_ids: [foreign.diffId, sha256(gunzipSync(realLayer))] },
    }),
  );
  const foreignImage = manifest(
    { mediaType: OCI_CONFIG, digest: await pushBlob(registry, 'wild/app', config), size: config.length },
    [
      {
        mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
        digest: foreign.digest,
        size: 123456,
        urls: ['https://mcr.microsoft.example/layers/base.tar.gz'],
      },
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: amd.layers[0]!.digest,
        size: realLayer.length,
      },
    ],
  );
  await pushRawManifest(registry, 'wild/app', 'windows', foreignImage, OCI_MANIFEST);

  // A cosign signature (image config, simplesigning layer) and a Helm chart (its own config type).
  const payload = Buffer.from('{"critical":{}}');
  const signature = manifest(attestationConfig, [
    {
      mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
      digest: await pushBlob(registry, 'wild/app', payload),
      size: payload.length,
    },
  ]);
  await pushRawManifest(
    registry,
    'wild/app',
    `sha256-${amd.manifestDigest.slice(7)}.sig`,
    signature,
    OCI_MANIFEST,
  );
  const chart = Buffer.from('{"name":"app","version":"1.0.0"}');
  const helm = manifest(
    {
      mediaType: 'application/vnd.cncf.helm.config.v1+json',
      digest: await pushBlob(registry, 'wild/chart', chart),
      size: chart.length,
    },
    [],
  );
  await pushRawManifest(registry, 'wild/chart', '1.0.0', helm, OCI_MANIFEST);
});

afterAll(async () => {
  await registry?.stop();
});

describe('manifests of the wild', () => {
  it('skips the attestation entry of an index', async () => {
    // resolve picks the platform image and lists the platforms (in-process: inspect reports these two).
    const image = await resolveAs('wild/app:multi');
    expect(image.manifestDigest).toBe(amd.manifestDigest);
    expect(image.availablePlatforms).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
  });

  it('reports a foreign layer as not downloaded, and reads the others', async () => {
    const result = await inspect('wild/app:windows', login());
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as ScannedInspectReport;
    expect(report.layers[0]?.notDownloaded).toBe(
      'foreign layer (at https://mcr.microsoft.example/layers/base.tar.gz)',
    );
    expect(report.layers[0]?.uncompressedSize).toBeUndefined();
    const uncompressed = execFileSync('gzip', ['-dc'], { input: realLayer }).length;
    expect(report.layers[1]?.uncompressedSize).toBe(uncompressed);
  });

  const NOT_AN_IMAGE = /^layerdelta: not an image: /;

  it('says "not an image" in one line for a cosign signature (CLI)', async () => {
    const result = await inspect(`wild/app:sha256-${amd.manifestDigest.slice(7)}.sig`, login());
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(NOT_AN_IMAGE);
    expect(result.stderr).toMatch(
      /is an OCI artifact with application\/vnd\.dev\.cosign\.simplesigning\.v1\+json content/,
    );
  });

  // The same decision (resolve's notAnImage), in-process.
  it.each([
    [
      'a Helm chart',
      'wild/chart:1.0.0',
      /is an OCI artifact of type application\/vnd\.cncf\.helm\.config\.v1\+json/,
    ],
    ['an empty index', 'wild/app:empty', /lists no images/],
  ])('says "not an image" in one line for %s (in-process)', async (_, ref, why) => {
    const line = await expectFailure(() => resolveAs(ref), 2, NOT_AN_IMAGE);
    expect(line).toMatch(why);
  });
});

describe('credentials for one run', () => {
  it('--authfile FILE logs in with the auths in FILE', async () => {
    const file = join(dir, 'auth.json');
    const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
    writeFileSync(file, JSON.stringify({ auths: { [registry.host]: { auth } } }));
    // In-process: the flag's own set-up (applyRegistryFlags), then the default credentials it configured.
    await applyRegistryFlags({ authfile: file });
    try {
      const source = await openSource(`${registry.host}/wild/app:v1`);
      try {
        expect((await source.resolve()).manifestDigest).toBe(amd.manifestDigest);
      } finally {
        await source.close();
      }
    } finally {
      configureCredentials(undefined);
    }
  });

  it('an auth failure names the --authfile the refused credentials came from', async () => {
    const file = join(dir, 'wrong.json');
    const auth = Buffer.from(`${registry.username}:not-the-password`).toString('base64');
    writeFileSync(file, JSON.stringify({ auths: { [registry.host]: { auth } } }));
    const result = await inspect('wild/app:v1', ['--no-binaries', '--authfile', file]);
    expect(result.status).toBe(3);
    expect(result.stderr.trim()).toBe(
      `layerdelta: authentication failed for ${registry.host}/wild/app (check the credentials from --authfile ${file})`,
    );
  });

  it('an auth failure names --creds, and never prints the password', async () => {
    const result = await inspect('wild/app:v1', [
      '--no-binaries',
      '--creds',
      `${registry.username}:secret-wrong-1234`,
    ]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('(check the credentials from --creds)');
    expect(result.stderr).not.toContain('secret-wrong-1234');
  });

  it('an auth failure names the docker config file the credentials came from', async () => {
    const config = join(dir, 'docker');
    execFileSync('mkdir', ['-p', config]);
    const auth = Buffer.from(`${registry.username}:wrong`).toString('base64');
    writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
    // In-process: the credential store the command makes from this environment.
    const line = await expectFailure(
      () => resolveIn('wild/app:v1', { DOCKER_CONFIG: config }),
      3,
      /authentication failed/,
    );
    expect(line).toContain(`(check the credentials from ${join(config, 'config.json')})`);
  });

  it('without credentials says how to give some', async () => {
    const line = await expectFailure(() => resolveIn('wild/app:v1'), 3, /authentication/);
    expect(line).toContain('no credentials for it: docker login, --authfile FILE or --creds USER[:PASS]');
  });
});
