import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { ecrClientFor, listEcrImages, listEcrRepositories, parseEcrHost } from '../../src/scan/ecr.js';
import { pickPair } from '../../src/scan/pair.js';
import { type FakeEcr, startFakeEcr } from '../support/ecr-endpoint.js';

const REGISTRY_ID = '123456789012';

describe('ECR enumeration through the real AWS SDK against a local wire endpoint', () => {
  let ecr: FakeEcr;
  const saved = { ...process.env };

  beforeAll(async () => {
    // The default credential chain reads these: no real account is ever involved.
    process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    const repositories: Record<string, { tags: string[]; digest: string; pushedAt: Date }[]> = {};
    for (let i = 0; i < 7; i++) {
      repositories[`team/svc-${i}`] = [
        {
          tags: ['1.0.0'],
          digest: `sha256:${'a'.repeat(63)}${i}`,
          pushedAt: new Date('2026-01-01T00:00:00Z'),
        },
        {
          tags: ['1.1.0', 'latest'],
          digest: `sha256:${'b'.repeat(63)}${i}`,
          pushedAt: new Date('2026-02-01T00:00:00Z'),
        },
        {
          tags: ['0.9.0'],
          digest: `sha256:${'c'.repeat(63)}${i}`,
          pushedAt: new Date('2026-03-01T00:00:00Z'),
        },
      ];
    }
    ecr = await startFakeEcr({ repositories, pageSize: 2 });
  });

  afterAll(async () => {
    process.env = saved;
    await ecr.stop();
  });

  it('reads registry id and region from the host', () => {
    expect(parseEcrHost('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toEqual({
      accountId: '123456789012',
      region: 'eu-west-1',
    });
    expect(parseEcrHost('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')?.region).toBe('cn-north-1');
    expect(parseEcrHost('ghcr.io')).toBeUndefined();
  });

  it('follows DescribeRepositories pages to the end', async () => {
    const client = ecrClientFor('us-east-1', ecr.endpoint);
    const names = await listEcrRepositories(client, REGISTRY_ID);
    expect(names).toEqual(Array.from({ length: 7 }, (_, i) => `team/svc-${i}`));
    // 7 repositories in pages of 2: the paginator had to ask 4 times.
    expect(ecr.calls.filter((c) => c === 'DescribeRepositories')).toHaveLength(4);
  });

  it('orders by imagePushedAt for --pair created, and by version for --pair semver', async () => {
    const client = ecrClientFor('us-east-1', ecr.endpoint);
    const candidates = await listEcrImages(client, REGISTRY_ID, 'team/svc-3');
    expect(candidates.map((c) => c.tag).sort()).toEqual(['0.9.0', '1.0.0', '1.1.0', 'latest']);
    const created = pickPair(candidates, 'created');
    expect(created?.newer.tag).toBe('0.9.0');
    // 1.1.0 and latest share the digest and push time: the tie goes to the tag name, descending.
    expect(created?.older.tag).toBe('latest');
    const bySemver = pickPair(candidates, 'semver');
    expect([bySemver?.newer.tag, bySemver?.older.tag]).toEqual(['1.1.0', '1.0.0']);
  });

  it('turns an AWS error into one RegistryError line', async () => {
    const client = ecrClientFor('us-east-1', ecr.endpoint);
    const error = await listEcrImages(client, REGISTRY_ID, 'does/not-exist').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).message).toMatch(
      /DescribeImages failed for 123456789012\/does\/not-exist: RepositoryNotFoundException/,
    );
    expect((error as RegistryError).message).not.toContain('\n');
  });
});
