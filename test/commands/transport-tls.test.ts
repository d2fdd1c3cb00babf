/**
 * docs/design.md §7 transport, through the built CLI: HTTPS registries (docker-registry's `http.tls`
 * with a certificate from a test CA), CA trust as docker/podman/skopeo users set it up (certs.d roots,
 * NODE_EXTRA_CA_CERTS), mutual TLS (`http.tls.clientcas`), and `--tls-verify=false`. The certs.d
 * roots are temporary directories named by LAYERDELTA_CERTS_DIRS, never the real /etc.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryTls } from '../../src/registry/tls.js';
import type { InspectReport } from '../../src/report/inspect.js';
import {
  type PushedImage,
  pushImage,
  sha256,
  skopeoInspectRaw,
  startRegistry,
  type TestRegistry,
  tarLayer,
} from '../support/registry.js';
import { makeCertsRoot, type TestPki, testPki } from '../support/tls.js';
import { ensureBuilt, runCli } from './cli.js';

let pki: TestPki;

/** A certs.d root with `files` (name in the registry's directory → source file) for `host`. */
function certsRoot(host: string, files: Record<string, string>): string {
  const root = makeCertsRoot();
  mkdirSync(join(root, host));
  for (const [name, source] of Object.entries(files)) copyFileSync(source, join(root, host, name));
  return root;
}

async function inspect(registry: TestRegistry, env: NodeJS.ProcessEnv, extra: string[] = []) {
  return await runCli(['inspect', `${registry.host}/tls/app:v1`, '--json', '--no-binaries', ...extra], {
    env: { NODE_EXTRA_CA_CERTS: '', ...env },
  });
}

beforeAll(async () => {
  await ensureBuilt();
  pki = testPki();
});

describe('an HTTPS registry signed by a private CA', () => {
  let registry: TestRegistry;
  let image: PushedImage;
  beforeAll(async () => {
    registry = await startRegistry({ tls: 'tls' });
    image = await pushImage(registry, 'tls/app', 'v1', { layers: [await tarLayer({ a: 'tls' })] });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('is refused with one line naming the host and the file that would fix it', async () => {
    const empty = makeCertsRoot();
    const result = await inspect(registry, { LAYERDELTA_CERTS_DIRS: empty });
    expect(result.status).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`TLS certificate of registry ${registry.host} is not trusted`);
    expect(result.stderr).toContain(join(empty, registry.host, 'ca.crt'));
    expect(result.stderr).toContain('--tls-verify=false');
  });

  it('is trusted with its CA in certs.d/HOST/ca.crt, and reports the manifest skopeo reads', async () => {
    const root = certsRoot(registry.host, { 'ca.crt': pki.caCert });
    // The first root (docker's) is empty; the CA sits in the second (containers') as podman users keep it.
    const result = await inspect(registry, { LAYERDELTA_CERTS_DIRS: `${makeCertsRoot()}:${root}` });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as InspectReport;
    expect(report.manifest.digest).toBe(sha256(await skopeoInspectRaw(registry, 'tls/app:v1')));
    expect(report.manifest.digest).toBe(image.manifestDigest);
  });

  // Any *.crt is a CA, as ca.crt is: checked in-process at the function that gathers them for a registry.
  it('is trusted with its CA in certs.d/HOST/*.crt', () => {
    const root = certsRoot(registry.host, { 'corporate-root.crt': pki.caCert });
    const env = { LAYERDELTA_CERTS_DIRS: `${makeCertsRoot()}:${root}` };
    const tls = registryTls([registry.host], true, env);
    expect(tls.caFiles).toEqual([join(root, registry.host, 'corporate-root.crt')]);
    expect(tls.options.certificateAuthority).toContain(readFileSync(pki.caCert, 'utf8'));
  });

  it('is trusted with its CA in NODE_EXTRA_CA_CERTS', async () => {
    const result = await inspect(registry, {
      LAYERDELTA_CERTS_DIRS: makeCertsRoot(),
      NODE_EXTRA_CA_CERTS: pki.caCert,
    });
    expect(result.stderr).toBe('');
    expect((JSON.parse(result.stdout) as InspectReport).manifest.digest).toBe(image.manifestDigest);
  });

  it('keeps NODE_EXTRA_CA_CERTS trusted beside a certs.d CA for another registry', async () => {
    const root = certsRoot(registry.host, { 'ca.crt': pki.otherCaCert });
    const result = await inspect(registry, { LAYERDELTA_CERTS_DIRS: root, NODE_EXTRA_CA_CERTS: pki.caCert });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('says which CA file did not verify it when certs.d holds the wrong CA', async () => {
    const root = certsRoot(registry.host, { 'ca.crt': pki.otherCaCert });
    const result = await inspect(registry, { LAYERDELTA_CERTS_DIRS: root });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`${join(root, registry.host, 'ca.crt')} did not verify it`);
  });

  it('--tls-verify=false skips verification for one run, with a warning on stderr', async () => {
    const result = await inspect(registry, { LAYERDELTA_CERTS_DIRS: makeCertsRoot() }, [
      '--tls-verify=false',
    ]);
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^layerdelta: warning: --tls-verify=false: .*not verified/);
    expect((JSON.parse(result.stdout) as InspectReport).manifest.digest).toBe(image.manifestDigest);
  });

  it('--tls-verify takes only true or false', async () => {
    const result = await inspect(registry, {}, ['--tls-verify=maybe']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('an HTTPS registry that demands client certificates (mutual TLS)', () => {
  let registry: TestRegistry;
  let image: PushedImage;
  beforeAll(async () => {
    registry = await startRegistry({ tls: 'mtls', auth: 'basic' });
    image = await pushImage(registry, 'tls/app', 'v1', { layers: [await tarLayer({ a: 'mtls' })] });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  const login = () => ['--creds', `${registry.username}:${registry.password}`];

  it('is read with client.cert + client.key from certs.d/HOST/', async () => {
    const root = certsRoot(registry.host, {
      'ca.crt': pki.caCert,
      'client.cert': pki.clientCert,
      'client.key': pki.clientKey,
    });
    const result = await inspect(registry, { LAYERDELTA_CERTS_DIRS: root }, login());
    expect(result.stderr).toBe('');
    expect((JSON.parse(result.stdout) as InspectReport).manifest.digest).toBe(image.manifestDigest);
  });

  it('without a client certificate fails with one line naming the directory to put one in', async () => {
    const root = certsRoot(registry.host, { 'ca.crt': pki.caCert });
    const result = await inspect(registry, { LAYERDELTA_CERTS_DIRS: root }, login());
    expect(result.status).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`registry ${registry.host} wants a client certificate`);
    expect(result.stderr).toContain(`client.cert and client.key`);
    expect(result.stderr).toContain(join(root, registry.host));
  });

  it('with a client certificate from a CA it does not trust fails naming that certificate', async () => {
    const root = certsRoot(registry.host, {
      'ca.crt': pki.caCert,
      'client.cert': pki.otherClientCert,
      'client.key': pki.otherClientKey,
    });
    const result = await inspect(registry, { LAYERDELTA_CERTS_DIRS: root }, login());
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`it refused ${join(root, registry.host, 'client.cert')}`);
  });

  it('names a client.cert whose key is missing', async () => {
    const root = certsRoot(registry.host, { 'ca.crt': pki.caCert, 'client.cert': pki.clientCert });
    const result = await inspect(registry, { LAYERDELTA_CERTS_DIRS: root }, login());
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(
      `client certificate ${join(root, registry.host, 'client.cert')} has no key`,
    );
  });
});
