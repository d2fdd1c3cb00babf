/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY through the built CLI and a real proxy (Debian's tinyproxy on
 * loopback): plain-HTTP registries go through it as absolute-URI requests, HTTPS ones as CONNECT
 * tunnels; its log proves what went through it and what NO_PROXY kept away from it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyFor } from '../../src/registry/proxy.js';
import type { InspectReport } from '../../src/report/inspect.js';
import { freePort } from '../support/process.js';
import {
  type PushedImage,
  pushImage,
  startRegistry,
  type TestRegistry,
  tarLayer,
} from '../support/registry.js';
import { startTinyproxy, type TestProxy } from '../support/tinyproxy.js';
import { ensureBuilt, runCli } from './cli.js';

let proxy: TestProxy;
let plain: TestRegistry;
let secure: TestRegistry;
let plainImage: PushedImage;
let secureImage: PushedImage;

/** No proxy variable of the machine running the tests leaks in. */
const NONE = {
  HTTPS_PROXY: '',
  https_proxy: '',
  HTTP_PROXY: '',
  http_proxy: '',
  ALL_PROXY: '',
  all_proxy: '',
  NO_PROXY: '',
  no_proxy: '',
};

async function inspect(registry: TestRegistry, env: NodeJS.ProcessEnv) {
  const login = registry.username ? ['--creds', `${registry.username}:${registry.password}`] : [];
  return await runCli(['inspect', `${registry.host}/px/app:v1`, '--json', '--no-binaries', ...login], {
    env: { ...NONE, ...(registry.certsRoot ? { LAYERDELTA_CERTS_DIRS: registry.certsRoot } : {}), ...env },
  });
}

/** Log lines about `host` that arrived since `from`. */
function through(host: string, from: number): string[] {
  return proxy
    .requests()
    .slice(from)
    .filter((line) => line.includes(host));
}

beforeAll(async () => {
  await ensureBuilt();
  proxy = await startTinyproxy();
  // Token auth on the plain registry: the token server's realm is reached through the proxy too.
  plain = await startRegistry({ auth: 'token' });
  secure = await startRegistry({ tls: 'tls' });
  plainImage = await pushImage(plain, 'px/app', 'v1', { layers: [await tarLayer({ a: 'plain' })] });
  secureImage = await pushImage(secure, 'px/app', 'v1', { layers: [await tarLayer({ a: 'secure' })] });
});

afterAll(async () => {
  await plain?.stop();
  await secure?.stop();
  await proxy?.stop();
});

describe('a registry behind a forward proxy', () => {
  it('over plain HTTP goes through HTTP_PROXY (upper case), token requests included', async () => {
    const from = proxy.requests().length;
    const result = await inspect(plain, { HTTP_PROXY: proxy.url });
    expect(result.stderr).toBe('');
    expect((JSON.parse(result.stdout) as InspectReport).manifest.digest).toBe(plainImage.manifestDigest);
    const lines = through(plain.host, from);
    expect(lines).toContain(`GET http://${plain.host}/v2/px/app/manifests/v1 HTTP/1.1`);
    const realm = new URL(plain.tokenServer!.realm);
    expect(through(realm.host, from).some((l) => l.startsWith(`GET http://${realm.host}/`))).toBe(true);
  });

  it('over HTTPS goes through https_proxy (lower case) as a CONNECT tunnel', async () => {
    const from = proxy.requests().length;
    const result = await inspect(secure, { https_proxy: proxy.url });
    expect(result.stderr).toBe('');
    expect((JSON.parse(result.stdout) as InspectReport).manifest.digest).toBe(secureImage.manifestDigest);
    const lines = through(secure.host, from);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l === `CONNECT ${secure.host} HTTP/1.1`)).toBe(true);
  });

  it('stays away from the proxy for a host NO_PROXY names by host:port', async () => {
    const from = proxy.requests().length;
    const result = await inspect(secure, {
      HTTPS_PROXY: proxy.url,
      NO_PROXY: `other.example, ${secure.host}`,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(through(secure.host, from)).toEqual([]);
  });

  // The other ways NO_PROXY names a host take the same path: checked in-process at the function that
  // decides whether a registry URL goes through a proxy.
  it.each([
    ['a CIDR block', '10.0.0.0/8,127.0.0.0/8'],
    ['*', '*'],
  ])('stays away from the proxy for a host NO_PROXY names by %s', (_, list) => {
    const url = new URL(`${secure.url}/v2/`);
    expect(proxyFor(url, { HTTPS_PROXY: proxy.url })?.href).toBe(new URL(proxy.url).href);
    expect(proxyFor(url, { HTTPS_PROXY: proxy.url, NO_PROXY: list })).toBeUndefined();
  });

  it('uses the proxy when NO_PROXY names only another port of the same host', async () => {
    const from = proxy.requests().length;
    const result = await inspect(secure, { HTTPS_PROXY: proxy.url, no_proxy: '127.0.0.1:1' });
    expect(result.status).toBe(0);
    expect(through(secure.host, from).length).toBeGreaterThan(0);
  });

  it('says so in one line when the proxy cannot be reached', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await inspect(secure, { HTTPS_PROXY: closed });
    expect(result.status).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`cannot reach proxy ${new URL(closed).host} for registry ${secure.host}`);
  });
});
