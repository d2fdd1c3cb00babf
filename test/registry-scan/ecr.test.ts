import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { staticCredentialStore } from '../../src/registry/auth/credentials.js';
import {
  ecrClientFor,
  listEcrImages,
  listEcrRepositories,
  parseEcrHost,
} from '../../src/registry-scan/ecr.js';
import { listCandidates, listRepositories, scanTarget } from '../../src/registry-scan/enumerate.js';
import { pickPair } from '../../src/registry-scan/pair.js';
import { runScan } from '../../src/registry-scan/run.js';
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

describe('a scan of an ECR host: repositories and pairs from the ECR API', () => {
  const HOST = `${REGISTRY_ID}.dkr.ecr.us-east-1.amazonaws.com`;
  let ecr: FakeEcr;
  const saved = { ...process.env };

  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    const image = (tags: string[], n: number, month: number) => ({
      tags,
      digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
      pushedAt: new Date(Date.UTC(2026, month, 1)),
    });
    ecr = await startFakeEcr({
      pageSize: 3,
      repositories: {
        'apps/api': [image(['1.0.0'], 1, 0), image(['1.2.0'], 2, 1), image(['1.10.0'], 3, 2)],
        'apps/web': [image(['2.0.0'], 4, 2), image(['1.0.0', 'stable'], 5, 3)],
        'single/one': [image(['1.0.0', 'latest'], 6, 0)],
        'single/none': [],
        'tools/x': [image(['0.1.0'], 7, 0), image(['0.2.0'], 8, 1)],
      },
    });
    // The scan builds its own ECR client: point the SDK at the local endpoint the way users can.
    process.env.LAYERDELTA_ECR_ENDPOINT = ecr.endpoint;
  });

  afterAll(async () => {
    process.env = saved;
    await ecr.stop();
  });

  it('lists repositories with DescribeRepositories and pairs each by version or by push time', async () => {
    const target = scanTarget(HOST);
    expect(target.kind).toBe('ecr');
    expect(await listRepositories(target)).toEqual([
      'apps/api',
      'apps/web',
      'single/none',
      'single/one',
      'tools/x',
    ]);
    const pairOf = async (repository: string, rule: 'semver' | 'created') => {
      const pair = pickPair(await listCandidates(target, repository, { rule }), rule);
      return pair && [pair.older.tag, pair.newer.tag];
    };
    expect(await pairOf('apps/api', 'semver')).toEqual(['1.2.0', '1.10.0']);
    expect(await pairOf('apps/web', 'semver')).toEqual(['1.0.0', '2.0.0']);
    // Pushed last: 1.0.0/stable (one image; the tie goes to the tag name, descending), before it 2.0.0.
    expect(await pairOf('apps/web', 'created')).toEqual(['2.0.0', 'stable']);
    expect(await pairOf('single/one', 'created')).toBeUndefined();
  });

  it('skips repositories with fewer than two images before touching the registry itself', async () => {
    ecr.calls.length = 0;
    const report = await runScan({
      registry: HOST,
      include: ['single/**'],
      credentials: staticCredentialStore({}),
    });
    expect(report.repositories).toEqual([
      { repository: 'single/none', status: 'skipped', reason: expect.stringMatching(/^no tags/) },
      {
        repository: 'single/one',
        status: 'skipped',
        reason: 'fewer than two distinct images to compare (2 tags, 1 of them a semantic version)',
      },
    ]);
    expect(report.summary).toMatchObject({ repositories: 2, skipped: 2, failed: 0, partial: false });
    expect(ecr.calls.filter((c) => c === 'DescribeRepositories')).toHaveLength(2);
    expect(ecr.calls.filter((c) => c === 'DescribeImages')).toHaveLength(2);
    expect(ecr.calls).not.toContain('GetAuthorizationToken');
  });
});
