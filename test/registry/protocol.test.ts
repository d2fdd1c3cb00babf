import { describe, expect, it } from 'vitest';
import { scopeFor } from '../../src/registry/auth/authenticator.js';
import { parseChallenges } from '../../src/registry/auth/challenge.js';
import { normaliseRegistryKey } from '../../src/registry/auth/credentials.js';
import { nextLink } from '../../src/registry/client.js';
import { registryEndpoint } from '../../src/registry/endpoint.js';
import { parseRetryAfter, retryDelayMs } from '../../src/registry/retry.js';

/** The small protocol pieces, table-driven (the real-registry suites cover them end to end). */
describe('WWW-Authenticate challenges', () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/alpine:pull',
          },
        },
      ],
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    [
      'Basic realm="a, b", Bearer realm=https://x/token, service=svc',
      [
        { scheme: 'basic', params: { realm: 'a, b' } },
        { scheme: 'bearer', params: { realm: 'https://x/token', service: 'svc' } },
      ],
    ],
    ['Bearer realm="with \\"quote\\""', [{ scheme: 'bearer', params: { realm: 'with "quote"' } }]],
    ['', []],
  ])('parses %s', (header, expected) => {
    expect(parseChallenges(header)).toEqual(expected);
  });

  it('scopes repository requests to pull and the catalog to registry:catalog:*', () => {
    expect(scopeFor({ kind: 'blob', repository: 'a/b', digest: 'sha256:x' })).toBe('repository:a/b:pull');
    expect(scopeFor({ kind: 'catalog' })).toBe('registry:catalog:*');
  });
});

describe('Link pagination', () => {
  it.each([
    [
      '</v2/_catalog?last=b&n=2>; rel="next"',
      'http://r:5000/v2/_catalog?n=2',
      'http://r:5000/v2/_catalog?last=b&n=2',
    ],
    [
      '<https://cdn.example/v2/x/tags/list?last=t>; rel=next',
      'https://r/v2/x/tags/list',
      'https://cdn.example/v2/x/tags/list?last=t',
    ],
    ['</a>; rel="prev", </b>; rel="next"', 'http://r/v2/', 'http://r/b'],
    ['</a>; rel="prev"', 'http://r/v2/', undefined],
    [undefined, 'http://r/v2/', undefined],
  ])('%s from %s', (link, base, expected) => {
    expect(nextLink(link, base)).toBe(expected);
  });
});

describe('Retry-After and backoff', () => {
  const now = Date.parse('2024-05-01T10:00:00Z');
  it.each([
    ['3', 3000],
    ['0', 0],
    ['Wed, 01 May 2024 10:00:10 GMT', 10_000],
    ['Wed, 01 May 2024 09:00:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('Retry-After %s → %s ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it('caps what a registry asks for and doubles its own backoff up to a limit', () => {
    expect(retryDelayMs(0, '100000', now)).toBe(30_000);
    expect([0, 1, 2, 3, 10].map((attempt) => retryDelayMs(attempt, undefined, now))).toEqual([
      250, 500, 1000, 2000, 8000,
    ]);
  });
});

describe('registry endpoints', () => {
  it.each([
    ['docker.io', {}, 'https://registry-1.docker.io', 'docker.io'],
    ['index.docker.io', {}, 'https://registry-1.docker.io', 'docker.io'],
    ['ghcr.io', {}, 'https://ghcr.io', 'ghcr.io'],
    ['localhost:5000', {}, 'https://localhost:5000 or http', 'localhost:5000'],
    ['127.0.0.1:5000', {}, 'https://127.0.0.1:5000 or http', '127.0.0.1:5000'],
    ['127.9.8.7', {}, 'https://127.9.8.7 or http', '127.9.8.7'],
    ['[::1]:5000', {}, 'https://[::1]:5000 or http', '[::1]:5000'],
    ['registry.lan:5000', {}, 'https://registry.lan:5000', 'registry.lan:5000'],
    ['registry.lan:5000', { tlsVerify: false }, 'https://registry.lan:5000 or http', 'registry.lan:5000'],
    [
      'registry.lan:5000',
      { env: { LAYERDELTA_INSECURE_REGISTRIES: 'other.lan, registry.lan:5000' } },
      'http://registry.lan:5000',
      'registry.lan:5000',
    ],
    ['registry.lan', { insecure: true }, 'http://registry.lan', 'registry.lan'],
  ])('%s %j → %s', (registry, options, expected, name) => {
    const endpoint = registryEndpoint(registry, { env: {}, ...options });
    expect(`${endpoint.baseUrl}${endpoint.httpFallback ? ' or http' : ''}`).toBe(expected);
    expect(endpoint.name).toBe(name);
  });

  it.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['http://127.0.0.1:5000/v2/', '127.0.0.1:5000'],
    ['GHCR.IO', 'ghcr.io'],
  ])('config key %s names %s', (key, expected) => {
    expect(normaliseRegistryKey(key)).toBe(expected);
  });
});
