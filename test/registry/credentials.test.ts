import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayerdeltaError, RegistryError, UsageError } from '../../src/errors.js';
import { dockerConfigPaths, loadCredentialStore } from '../../src/registry/auth/docker-config.js';
import { RegistryClient } from '../../src/registry/client.js';
import {
  type PushedImage,
  pushImage,
  startRegistry,
  type TestRegistry,
  tarLayer,
} from '../support/registry.js';

const HELPER_DIR = resolve(import.meta.dirname, '../support/credential-helper');

function basicAuth(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`).toString('base64');
}

async function caught(promise: Promise<unknown>): Promise<LayerdeltaError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LayerdeltaError) return error;
    throw error;
  }
  throw new Error('expected a LayerdeltaError');
}

describe('credentials from docker config files and helpers', () => {
  let registry: TestRegistry;
  let image: PushedImage;
  let dir: string;
  let n = 0;

  /** A fresh HOME (and more) for one test: env with HOME, PATH with the test helper, helper store and log. */
  const sandbox = () => {
    const root = join(dir, `case-${n++}`);
    mkdirSync(join(root, 'home', '.docker'), { recursive: true });
    const env: NodeJS.ProcessEnv = {
      HOME: join(root, 'home'),
      PATH: `${HELPER_DIR}${delimiter}${process.env.PATH}`,
      LAYERDELTA_TEST_HELPER_STORE: join(root, 'helper-store.json'),
      LAYERDELTA_TEST_HELPER_LOG: join(root, 'helper.log'),
    };
    writeFileSync(env.LAYERDELTA_TEST_HELPER_STORE!, '{}');
    const write = (path: string, config: unknown) => {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, JSON.stringify(config));
    };
    return {
      root,
      env,
      homeConfig: join(root, 'home', '.docker', 'config.json'),
      write,
      helperLog: () => {
        try {
          return readFileSync(env.LAYERDELTA_TEST_HELPER_LOG!, 'utf8');
        } catch {
          return '';
        }
      },
    };
  };

  const pull = (env: NodeJS.ProcessEnv) =>
    new RegistryClient({ registry: registry.host, credentials: loadCredentialStore(env) }).getManifest(
      'cred/app',
      'v1',
    );

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'basic' });
    image = await pushImage(registry, 'cred/app', 'v1', { layers: [await tarLayer({ a: 'creds' })] });
    dir = mkdtempSync(join(tmpdir(), 'layerdelta-creds-'));
  });
  afterAll(async () => {
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads auths.auth (base64 user:password) from ~/.docker/config.json', async () => {
    const box = sandbox();
    box.write(box.homeConfig, {
      auths: { [registry.host]: { auth: basicAuth(registry.username!, registry.password!) } },
    });
    expect((await pull(box.env)).digest).toBe(image.manifestDigest);
  });

  it('reads auths username/password fields, keyed by URL', async () => {
    const box = sandbox();
    box.write(box.homeConfig, {
      auths: {
        [`http://${registry.host}/v2/`]: { username: registry.username, password: registry.password },
      },
    });
    expect((await pull(box.env)).digest).toBe(image.manifestDigest);
  });

  it('runs the credHelpers helper found on PATH with the host on stdin', async () => {
    const box = sandbox();
    writeFileSync(
      box.env.LAYERDELTA_TEST_HELPER_STORE!,
      JSON.stringify({ [registry.host]: { Username: registry.username, Secret: registry.password } }),
    );
    box.write(box.homeConfig, {
      auths: { [registry.host]: { auth: basicAuth('wrong', 'wrong') } },
      credHelpers: { [registry.host]: 'layerdelta-test' },
    });
    expect((await pull(box.env)).digest).toBe(image.manifestDigest);
    expect(box.helperLog()).toBe(`get ${registry.host}\n`);
  });

  it('runs the credsStore helper for hosts without their own entry', async () => {
    const box = sandbox();
    writeFileSync(
      box.env.LAYERDELTA_TEST_HELPER_STORE!,
      JSON.stringify({ [registry.host]: { Username: registry.username, Secret: registry.password } }),
    );
    box.write(box.homeConfig, { auths: { [registry.host]: {} }, credsStore: 'layerdelta-test' });
    expect((await pull(box.env)).digest).toBe(image.manifestDigest);
    expect(box.helperLog()).toContain(`get ${registry.host}`);
  });

  it('asks helpers about Docker Hub as https://index.docker.io/v1/', async () => {
    const box = sandbox();
    writeFileSync(
      box.env.LAYERDELTA_TEST_HELPER_STORE!,
      JSON.stringify({ 'https://index.docker.io/v1/': { Username: 'hubuser', Secret: 'hubsecret' } }),
    );
    box.write(box.homeConfig, { credsStore: 'layerdelta-test' });
    expect(await loadCredentialStore(box.env).get('docker.io')).toEqual({
      username: 'hubuser',
      password: 'hubsecret',
      source: `docker-credential-layerdelta-test (credsStore in ${box.homeConfig})`,
    });
    expect(box.helperLog()).toBe('get https://index.docker.io/v1/\n');
  });

  it('reads a Docker Hub auths entry keyed https://index.docker.io/v1/, and identity tokens', async () => {
    const box = sandbox();
    box.write(box.homeConfig, {
      auths: {
        'https://index.docker.io/v1/': { auth: basicAuth('hub', 'pw') },
        'ghcr.io': { identitytoken: 'refresh-me' },
      },
    });
    const store = loadCredentialStore(box.env);
    expect(await store.get('docker.io')).toEqual({ username: 'hub', password: 'pw', source: box.homeConfig });
    expect(await store.get('ghcr.io')).toEqual({ identityToken: 'refresh-me', source: box.homeConfig });
    expect(await store.get('quay.io')).toBeUndefined();
  });

  it('treats "credentials not found" from a helper as no credentials: anonymous, then auth failure', async () => {
    const box = sandbox();
    box.write(box.homeConfig, { credHelpers: { [registry.host]: 'layerdelta-test' } });
    const error = await caught(pull(box.env));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toBe(`authentication failed for ${registry.host}/cred/app`);
  });

  it('says which helper could not be run', async () => {
    const box = sandbox();
    box.write(box.homeConfig, { credHelpers: { [registry.host]: 'not-installed-anywhere' } });
    const error = await caught(pull(box.env));
    expect(error.exitCode).toBe(3);
    expect(error.oneLine()).toBe(
      `credential helper docker-credential-not-installed-anywhere (named in ${box.homeConfig}) could not be run for ${registry.host} (install it on PATH, or remove it from the config)`,
    );
  });

  it('$REGISTRY_AUTH_FILE comes first, then $DOCKER_CONFIG, which replaces ~/.docker', async () => {
    const box = sandbox();
    const authFile = join(box.root, 'containers', 'auth.json');
    const dockerConfigDir = join(box.root, 'docker-config');
    const good = { auths: { [registry.host]: { auth: basicAuth(registry.username!, registry.password!) } } };
    const bad = { auths: { [registry.host]: { auth: basicAuth(registry.username!, 'wrong-password') } } };

    // ~/.docker alone.
    box.write(box.homeConfig, good);
    expect((await pull(box.env)).digest).toBe(image.manifestDigest);

    // DOCKER_CONFIG replaces ~/.docker: its wrong password is used, the good home file is not read.
    box.write(join(dockerConfigDir, 'config.json'), bad);
    const withDockerConfig = { ...box.env, DOCKER_CONFIG: dockerConfigDir };
    expect(dockerConfigPaths(withDockerConfig)).toEqual([join(dockerConfigDir, 'config.json')]);
    expect((await caught(pull(withDockerConfig))).message).toBe(
      `authentication failed for ${registry.host}/cred/app`,
    );

    // REGISTRY_AUTH_FILE wins over DOCKER_CONFIG.
    box.write(authFile, good);
    const withBoth = { ...withDockerConfig, REGISTRY_AUTH_FILE: authFile };
    expect((await pull(withBoth)).digest).toBe(image.manifestDigest);

    // A REGISTRY_AUTH_FILE with nothing for the host falls through to DOCKER_CONFIG.
    box.write(authFile, { auths: { 'other.example': { auth: basicAuth('a', 'b') } } });
    box.write(join(dockerConfigDir, 'config.json'), good);
    expect((await pull(withBoth)).digest).toBe(image.manifestDigest);
  });

  it('refuses a malformed config file in one line without quoting it', async () => {
    const box = sandbox();
    writeFileSync(box.homeConfig, '{"auths": {"h": {"auth": "c2VjcmV0LXZhbHVl"}} oops');
    const error = await caught(pull(box.env));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.oneLine()).toBe(
      `cannot read registry credentials from ${box.homeConfig}: not valid JSON (fix or remove the file)`,
    );
  });

  it('asks the store again when the registry refuses credentials (expired ECR-style tokens)', async () => {
    let lookups = 0;
    const rotating = {
      get: async () => {
        lookups++;
        return {
          username: registry.username!,
          password: lookups === 1 ? 'expired-password' : registry.password!,
        };
      },
    };
    const client = new RegistryClient({ registry: registry.host, credentials: rotating });
    expect((await caught(client.getManifest('cred/app', 'v1'))).message).toBe(
      `authentication failed for ${registry.host}/cred/app`,
    );
    expect((await client.getManifest('cred/app', 'v1')).digest).toBe(image.manifestDigest);
    expect(lookups).toBe(2);
    await client.getManifest('cred/app', 'v1');
    expect(lookups).toBe(2);
  });

  it('logs in with an identity token (OAuth2 refresh_token POST) on a token registry', async () => {
    const tokenRegistry = await startRegistry({
      auth: 'token',
      refreshTokens: { 'rt-secret-123': 'tester' },
    });
    try {
      const pushed = await pushImage(tokenRegistry, 'id/app', 'v1', { layers: [await tarLayer({ i: 'd' })] });
      const box = sandbox();
      box.write(box.homeConfig, { auths: { [tokenRegistry.host]: { identitytoken: 'rt-secret-123' } } });
      const client = new RegistryClient({
        registry: tokenRegistry.host,
        credentials: loadCredentialStore(box.env),
      });
      expect((await client.getManifest('id/app', 'v1')).digest).toBe(pushed.manifestDigest);
      const last = tokenRegistry.tokenServer!.requests.at(-1);
      expect(last).toMatchObject({
        method: 'POST',
        user: 'tester',
        scope: 'repository:id/app:pull',
        status: 200,
      });

      box.write(box.homeConfig, { auths: { [tokenRegistry.host]: { identitytoken: 'rt-revoked' } } });
      const revoked = new RegistryClient({
        registry: tokenRegistry.host,
        credentials: loadCredentialStore(box.env),
      });
      const error = await caught(revoked.getManifest('id/app', 'v1'));
      expect(error.message).toBe(`authentication failed for ${tokenRegistry.host}/id/app`);
      expect(error.oneLine()).not.toContain('rt-revoked');
    } finally {
      await tokenRegistry.stop();
    }
  });
});
