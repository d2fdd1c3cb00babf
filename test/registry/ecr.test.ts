import { createServer, type Server } from 'node:http';
import { ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { EcrCredentialStore, parseEcrHost } from '../../src/registry/auth/ecr.js';

/**
 * The real AWS SDK against a local stand-in for the ECR API (awsJson1_1 over HTTP): the only fake
 * the house rules allow, since AWS cannot be reached from tests.
 */
describe('ECR credentials', () => {
  let server: Server;
  let endpoint: string;
  let calls: Array<{ target: string | undefined; body: { registryIds?: string[] } }>;
  let lifetimeSeconds: number;
  let fail: boolean;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        calls.push({
          target: req.headers['x-amz-target'] as string | undefined,
          body: JSON.parse(body || '{}'),
        });
        if (fail) {
          res
            .writeHead(400, { 'content-type': 'application/x-amz-json-1.1' })
            .end(JSON.stringify({ __type: 'AccessDeniedException', message: 'not allowed to get a token' }));
          return;
        }
        const token = Buffer.from(`AWS:ecr-password-${calls.length}`).toString('base64');
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(
          JSON.stringify({
            authorizationData: [
              {
                authorizationToken: token,
                expiresAt: Math.floor(Date.now() / 1000) + lifetimeSeconds,
                proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
              },
            ],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    calls = [];
    lifetimeSeconds = 12 * 3600;
    fail = false;
  });

  const regions: string[] = [];
  const clientFor = (region: string) => {
    regions.push(region);
    return new ECRClient({
      region,
      endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDLAYERDELTATEST', secretAccessKey: 'test-secret' },
    });
  };

  it('recognises ECR hosts and their account and region', () => {
    expect(parseEcrHost('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({
      accountId: '123456789012',
      region: 'eu-west-1',
    });
    expect(parseEcrHost('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')).toEqual({
      accountId: '123456789012',
      region: 'cn-north-1',
    });
    expect(parseEcrHost('123456789012.dkr.ecr-fips.us-east-1.amazonaws.com')?.region).toBe('us-east-1');
    expect(parseEcrHost('ghcr.io')).toBeUndefined();
    expect(parseEcrHost('12345.dkr.ecr.eu-west-1.amazonaws.com')).toBeUndefined();
  });

  it('gets basic credentials from GetAuthorizationToken and caches them until half their lifetime', async () => {
    let now = Date.now();
    const store = new EcrCredentialStore({ clientFor, now: () => now });
    const host = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
    const first = await store.get(host);
    expect(first).toEqual({ username: 'AWS', password: 'ecr-password-1' });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.target).toBe('AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken');
    expect(calls[0]?.body.registryIds).toEqual(['123456789012']);
    expect(regions.at(-1)).toBe('eu-west-1');

    now += 5 * 3600 * 1000; // 5 h of 12: still cached
    expect(await store.get(host)).toEqual(first);
    expect(calls).toHaveLength(1);

    now += 2 * 3600 * 1000; // 7 h of 12: past half its lifetime
    expect(await store.get(host)).toEqual({ username: 'AWS', password: 'ecr-password-2' });
    expect(calls).toHaveLength(2);
  });

  it('answers nothing for other hosts without asking AWS', async () => {
    const store = new EcrCredentialStore({ clientFor });
    expect(await store.get('ghcr.io')).toBeUndefined();
    expect(calls).toHaveLength(0);
  });

  it('turns an AWS refusal into one RegistryError line without secrets', async () => {
    fail = true;
    const store = new EcrCredentialStore({ clientFor });
    let error: unknown;
    try {
      await store.get('123456789012.dkr.ecr.eu-west-1.amazonaws.com');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RegistryError);
    const line = (error as RegistryError).oneLine();
    expect(line).toMatch(
      /^cannot get an ECR token for 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com: AccessDeniedException: not allowed to get a token \(/,
    );
    expect(line).not.toContain('test-secret');
    expect(line).not.toContain('\n');
  });
});
