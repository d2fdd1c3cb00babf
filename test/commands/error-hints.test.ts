/**
 * Errors that point the right way (issue 15, point 7), through the built CLI: which credentials file
 * was used, `oci:DIR` for a name that is a local directory, unsupported transports, shard errors that
 * name where the shard came from, and a failed scan row that keeps its pair.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('$REGISTRY_AUTH_FILE (containers auth.json) when it holds the host', async () => {
    const file = join(dir, 'auth.json');
    writeFileSync(file, authEntry('wrong-containers'));
    const result = await inspectApp({ REGISTRY_AUTH_FILE: file });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`(check the credentials from ${file})`);
  });

  it('the files it looked in when none had the host', async () => {
    const file = join(dir, 'other-host.json');
    writeFileSync(file, JSON.stringify({ auths: { 'registry.example.com': { auth: 'eDp5' } } }));
    const result = await inspectApp({ REGISTRY_AUTH_FILE: file });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`(no credentials for it in ${file}: docker login,`);
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
    // …and the suggestion works.
    const fixed = await runCli(['inspect', 'oci:Layout/:v1', '--no-binaries'], { cwd, env: isolated });
    expect(fixed.stderr).toBe('');
    expect(fixed.status).toBe(0);
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
  it.each(['oci-archive:app.tar', 'docker-daemon:app:latest', 'containers-storage:localhost/app'])(
    '%s: "transport not supported", exit 2, the supported ones listed',
    async (ref) => {
      const result = await runCli(
        ['compare', ref, `oci:${fixturePath('fixtures', 'build', 'oci', 'basic')}:v1`, '--no-binaries'],
        {
          env: isolated,
        },
      );
      expect(result.status).toBe(2);
      const transport = ref.slice(0, ref.indexOf(':') + 1);
      expect(result.stderr.trim()).toBe(
        `layerdelta: transport "${transport}" is not supported ("${ref}") (supported: docker://REF or a registry reference, oci:DIR[:TAG], docker-archive:FILE[:REPO:TAG]; e.g. skopeo copy it to oci:DIR first)`,
      );
    },
  );

  it('a registry host that happens to be called like a transport still works as a host:port', async () => {
    // oci-archive:5000/app is host "oci-archive", port 5000: a reference, not a transport.
    const result = await runCli(['inspect', 'oci-archive:1/app', '--no-binaries'], {
      env: isolated,
    });
    expect(result.stderr).not.toContain('not supported');
    expect(result.status).toBe(3);
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
    const garbled = await runCli(['scan', registry.host], {
      env: { ...isolated, JOB_COMPLETION_INDEX: 'x', JOB_COMPLETIONS: '4' },
    });
    expect(garbled.status).toBe(2);
    expect(garbled.stderr).toContain('invalid shard from JOB_COMPLETION_INDEX="x" and JOB_COMPLETIONS="4"');
    expect(garbled.stderr).not.toContain('--shard');
    const past = await runCli(['scan', registry.host], {
      env: { ...isolated, JOB_COMPLETION_INDEX: '4', JOB_COMPLETIONS: '4' },
    });
    expect(past.status).toBe(2);
    expect(past.stderr).toContain('JOB_COMPLETION_INDEX=4 is not below JOB_COMPLETIONS=4');
    expect(past.stderr).not.toContain('--shard');
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
    const json = await runCli(['scan', proxy.host, '--pair', 'semver', '--no-cache', '--json'], {
      env: isolated,
    });
    const report = JSON.parse(json.stdout) as {
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
