/**
 * Errors that point the right way (issue 15, point 7), through the built CLI: which credentials file
 * was used, `oci:DIR` for a name that is a local directory, unsupported transports, shard errors that
 * name where the shard came from, and a failed scan row that keeps its pair.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCredentialStore } from '../../src/registry/auth/docker-config.js';
import { runScan } from '../../src/registry-scan/run.js';
import { resolveShard } from '../../src/registry-scan/shard.js';
import { renderScanJson } from '../../src/report/registry-scan.js';
import { openSource, parseImageReference } from '../../src/source/open.js';
import { expectFailure } from '../support/failure.js';
import { fixturePath } from '../support/fixtures.js';
import {
  pushImage,
  type RegistryProxy,
  startProxy,
  startRegistry,
  type TestRegistry,
  tarLayer,
} from '../support/registry.js';
import { ensureBuilt, runCli } from './cli.js';

let dir: string;
let registry: TestRegistry;
/** Credentials only from what a test names: no docker config of the machine leaks in. */
let isolated: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'layerdelta-hints-'));
  isolated = { HOME: join(dir, 'home'), DOCKER_CONFIG: '', REGISTRY_AUTH_FILE: '' };
  mkdirSync(join(dir, 'home'));
  [registry] = await Promise.all([startRegistry({ auth: 'basic' }), ensureBuilt()]);
  await pushImage(registry, 'hints/app', 'v1', { layers: [await tarLayer({ 'app/a': 'a' })] });
}, 240_000);

afterAll(async () => {
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function authEntry(password: string) {
  const auth = Buffer.from(`${registry.username}:${password}`).toString('base64');
  return JSON.stringify({ auths: { [registry.host]: { auth } } });
}

/** Resolve `ref` in-process as inspect does, with the credentials the command would read from `env`. */
async function resolveIn(ref: string, env: NodeJS.ProcessEnv) {
  const source = await openSource(ref, { credentials: loadCredentialStore({ ...isolated, ...env }) });
  try {
    return await source.resolve();
  } finally {
    await source.close();
  }
}

async function resolveApp(env: NodeJS.ProcessEnv) {
  return await resolveIn(`${registry.host}/hints/app:v1`, env);
}

async function inspectApp(env: NodeJS.ProcessEnv) {
  return await runCli(['inspect', `${registry.host}/hints/app:v1`, '--no-binaries'], {
    env: { ...isolated, ...env },
  });
}

describe('an auth failure names the credentials file that was read', () => {
  it('~/.docker/config.json when neither DOCKER_CONFIG nor REGISTRY_AUTH_FILE is set', async () => {
    const file = join(dir, 'home', '.docker', 'config.json');
    mkdirSync(join(dir, 'home', '.docker'), { recursive: true });
    writeFileSync(file, authEntry('wrong-home'));
    const result = await inspectApp({});
    rmSync(file);
    expect(result.status).toBe(3);
    expect(result.stderr.trim()).toBe(
      `layerdelta: authentication failed for ${registry.host}/hints/app (check the credentials from ${file})`,
    );
  });

  // The same failure path as the CLI case above, in-process: the credential store made from the
  // environment the command would see (src/registry/auth/docker-config.ts) names the file it used.
  it('$REGISTRY_AUTH_FILE (containers auth.json) when it holds the host', async () => {
    const file = join(dir, 'auth.json');
    writeFileSync(file, authEntry('wrong-containers'));
    const line = await expectFailure(
      () => resolveApp({ REGISTRY_AUTH_FILE: file }),
      3,
      /authentication failed/,
    );
    expect(line).toContain(`(check the credentials from ${file})`);
  });

  it('the files it looked in when none had the host', async () => {
    const file = join(dir, 'other-host.json');
    writeFileSync(file, JSON.stringify({ auths: { 'registry.example.com': { auth: 'eDp5' } } }));
    const line = await expectFailure(() => resolveApp({ REGISTRY_AUTH_FILE: file }), 3, /authentication/);
    expect(line).toContain(`(no credentials for it in ${file}: docker login,`);
  });
});

describe('a name that is a local directory suggests oci:DIR', () => {
  it('when it does not parse as a reference (exit 2)', async () => {
    const cwd = join(dir, 'cwd-parse');
    cpSync(fixturePath('fixtures', 'build', 'oci', 'basic'), join(cwd, 'Layout'), { recursive: true });
    const result = await runCli(['inspect', 'Layout/', '--no-binaries'], { cwd, env: isolated });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('Layout/ is a local directory: for an OCI layout write oci:Layout/');
    // …and the suggestion works: `oci:Layout/:v1` is that directory's v1 (read in-process, from the
    // absolute path: the relative one is resolved against the CLI's working directory).
    expect(parseImageReference('oci:Layout/:v1')).toEqual({ transport: 'oci', path: 'Layout/', tag: 'v1' });
    const fixed = await resolveIn(`oci:${join(cwd, 'Layout')}/:v1`, {});
    expect(fixed.layers.length).toBeGreaterThan(0);
  });

  it('when the registry it names cannot be reached (exit 3)', async () => {
    // `localhost/hints/layout` is a valid reference to a registry on localhost:443 (nothing listens there).
    const cwd = join(dir, 'cwd-registry');
    const name = 'localhost/hints/layout';
    mkdirSync(join(cwd, name), { recursive: true });
    const result = await runCli(['inspect', name, '--no-binaries'], { cwd, env: isolated });
    expect(result.status).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`${name} is a local directory: for an OCI layout write oci:${name}`);
  });

  it('when the registry answers "manifest unknown" (exit 3); a name with a port gets no hint', async () => {
    const cwd = join(dir, 'cwd-unknown');
    mkdirSync(join(cwd, 'hints', 'layout'), { recursive: true });
    // docker.io/hints/layout would need the network: the test registry stands in through a mirror of the name.
    const name = `${registry.host}/hints/layout`;
    mkdirSync(join(cwd, name), { recursive: true });
    const result = await runCli(['inspect', name, '--no-binaries', '--creds', login()], {
      cwd,
      env: isolated,
    });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`manifest unknown: ${name}:latest`);
    // oci:HOST:PORT/… would read "PORT/…" as the image name: no wrong suggestion.
    expect(result.stderr).not.toContain('local directory');
  });
});

function login(): string {
  return `${registry.username}:${registry.password}`;
}

describe('transports layerdelta does not read', () => {
  const refused = (ref: string) => {
    const transport = ref.slice(0, ref.indexOf(':') + 1);
    return `layerdelta: transport "${transport}" is not supported ("${ref}") (supported: docker://REF or a registry reference, oci:DIR[:TAG], docker-archive:FILE[:REPO:TAG]; e.g. skopeo copy it to oci:DIR first)`;
  };

  it('oci-archive:app.tar: "transport not supported", exit 2, the supported ones listed (CLI)', async () => {
    const ref = 'oci-archive:app.tar';
    const result = await runCli(
      ['compare', ref, `oci:${fixturePath('fixtures', 'build', 'oci', 'basic')}:v1`, '--no-binaries'],
      { env: isolated },
    );
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(refused(ref));
  });

  // The same parse as the CLI case (every command parses its references with parseImageReference).
  it.each(['docker-daemon:app:latest', 'containers-storage:localhost/app'])(
    '%s: "transport not supported", exit 2, the supported ones listed (in-process)',
    async (ref) => {
      const line = await expectFailure(() => parseImageReference(ref), 2, /is not supported/);
      expect(line).toBe(refused(ref));
    },
  );

  it('a registry host that happens to be called like a transport still works as a host:port', () => {
    // oci-archive:5000/app is host "oci-archive", port 5000: a reference, not a transport.
    expect(parseImageReference('oci-archive:1/app')).toMatchObject({
      transport: 'registry',
      registry: 'oci-archive:1',
      repository: 'app',
    });
  });
});

describe('shard errors', () => {
  it('--shard 1/0 says N must be at least 1', async () => {
    const result = await runCli(['scan', registry.host, '--shard', '1/0'], { env: isolated });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('layerdelta: invalid --shard "1/0": N must be at least 1 (e.g. 0/4)');
  });

  it('a shard from JOB_COMPLETION_INDEX/JOB_COMPLETIONS names those variables, not --shard', async () => {
    // An index that is not a number reaches the I/N parser; an index past the count is the
    // JOB_COMPLETIONS trap (test/registry-scan/indexed-job.test.ts): both name the variables.
    // In-process: scan reads its shard with resolveShard(--shard, the environment) before any request.
    const garbled = await expectFailure(
      () => resolveShard(undefined, { JOB_COMPLETION_INDEX: 'x', JOB_COMPLETIONS: '4' }),
      2,
      /invalid shard from JOB_COMPLETION_INDEX="x" and JOB_COMPLETIONS="4"/,
    );
    expect(garbled).not.toContain('--shard');
    const past = await expectFailure(
      () => resolveShard(undefined, { JOB_COMPLETION_INDEX: '4', JOB_COMPLETIONS: '4' }),
      2,
      /JOB_COMPLETION_INDEX=4 is not below JOB_COMPLETIONS=4/,
    );
    expect(past).not.toContain('--shard');
  });
});

describe('a failed scan row', () => {
  let open: TestRegistry;
  let proxy: RegistryProxy;
  beforeAll(async () => {
    open = await startRegistry();
    const config = (created: string, layers: Buffer[], diffIds: string[]) => ({
      architecture: 'amd64',
      os: 'linux',
      created,
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layers.map((_, i) => ({ created_by: `layer ${i}` })),
    });
    const { gunzipSync } = await import('node:zlib');
    const { createHash } = await import('node:crypto');
    const diffId = (b: Buffer) => `sha256:${createHash('sha256').update(gunzipSync(b)).digest('hex')}`;
    const base = await tarLayer({ 'etc/base': 'base' });
    const old = await tarLayer({ 'app/bin': 'old' });
    const grown = await tarLayer({ 'app/bin': 'new and bigger' });
    await pushImage(open, 'rows/app', '1.0.0', {
      layers: [base, old],
      config: config('2024-01-01T00:00:00Z', [base, old], [diffId(base), diffId(old)]),
    });
    const newer = await pushImage(open, 'rows/app', '1.1.0', {
      layers: [base, grown],
      config: config('2024-02-01T00:00:00Z', [base, grown], [diffId(base), diffId(grown)]),
    });
    proxy = await startProxy(open.url);
    // The newer image's own layer is gone from the registry (404) once the pair is picked.
    proxy.failNext(100, 404, { match: new RegExp(`blobs/${newer.layers[1]!.digest}`) });
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await open?.stop();
  });

  it('keeps its old → new pair in text and JSON', async () => {
    const text = await runCli(['scan', proxy.host, '--pair', 'semver', '--no-cache'], { env: isolated });
    expect(text.status, text.stderr).toBe(3);
    const row = text.stdout.split('\n').find((line) => line.startsWith('rows/app'));
    expect(row).toMatch(/^rows\/app\s+1\.0\.0 → 1\.1\.0\s+.*FAILED: /);
    // The JSON report of the same scan, in-process (what `--json` prints: renderScanJson of runScan's report).
    const scanned = await runScan({
      registry: proxy.host,
      pair: 'semver',
      credentials: loadCredentialStore(isolated),
    });
    const report = JSON.parse(renderScanJson(scanned)) as {
      repositories: Array<{ status: string; older?: { tag: string }; newer?: { tag: string } }>;
    };
    expect(report.repositories).toEqual([
      expect.objectContaining({
        status: 'failed',
        older: expect.objectContaining({ tag: '1.0.0' }),
        newer: expect.objectContaining({ tag: '1.1.0' }),
      }),
    ]);
  });
});
