import { describe, expect, it } from 'vitest';
import { LayerdeltaError } from '../../src/errors.js';
import { repositoryFilter } from '../../src/registry-scan/filter.js';
import { pickDistinctPair, pickPair } from '../../src/registry-scan/pair.js';
import { inShard, parseShard, resolveShard, shardOf } from '../../src/registry-scan/shard.js';

describe('shards', () => {
  it('parses I/N and rejects nonsense with a usage error', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['4/4', '1/0', 'a/b', '1', '-1/3', '']) {
      expect(() => parseShard(bad)).toThrow(LayerdeltaError);
    }
  });

  it('picks up a Kubernetes Indexed Job, and the flag wins over it', () => {
    expect(resolveShard(undefined, { JOB_COMPLETION_INDEX: '3', JOB_COMPLETIONS: '5' })).toEqual({
      index: 3,
      count: 5,
    });
    expect(resolveShard('1/2', { JOB_COMPLETION_INDEX: '3', JOB_COMPLETIONS: '5' })).toEqual({
      index: 1,
      count: 2,
    });
    expect(resolveShard(undefined, {})).toEqual({ index: 0, count: 1 });
    expect(() => resolveShard(undefined, { JOB_COMPLETION_INDEX: '0' })).toThrow(/JOB_COMPLETIONS/);
  });

  it('keeps every repository in its shard across versions: the first 4 bytes of sha256(name), big-endian, mod N', () => {
    // Worked out with coreutils, not with our code: printf %s NAME | sha256sum | cut -c1-8, then mod N.
    // A change here reshuffles the repositories of every running Indexed Job.
    const known: [string, string, number, number, number][] = [
      // name, sha256 head, mod 3, mod 4, mod 7
      ['library/alpine', '8c805a48', 1, 0, 2],
      ['team/api', '0c8d3215', 2, 1, 4],
      ['infra/db/postgres', '0db97810', 1, 0, 4],
      ['app', 'a172cedc', 2, 0, 5],
      ['team/web', 'a5cb1ff6', 0, 2, 3],
      ['team/worker', 'cbee185a', 0, 2, 4],
    ];
    for (const [name, , mod3, mod4, mod7] of known) {
      expect([shardOf(name, 3), shardOf(name, 4), shardOf(name, 7)], name).toEqual([mod3, mod4, mod7]);
      expect(shardOf(name, 1), name).toBe(0);
    }
  });

  it('partitions names disjointly and completely, the same way every time', () => {
    const names = Array.from({ length: 500 }, (_, i) => `team-${i % 7}/service-${i}`);
    for (const count of [1, 2, 3, 8]) {
      const owners = names.map((n) =>
        Array.from({ length: count }, (_, i) => i).filter((i) => inShard(n, { index: i, count })),
      );
      expect(owners.every((o) => o.length === 1)).toBe(true);
      if (count > 1) {
        // Every shard gets work: with 500 names an empty shard would mean a broken hash.
        const sizes = new Set(owners.map((o) => o[0]));
        expect(sizes.size).toBe(count);
      }
    }
  });
});

describe('repository filter', () => {
  it('includes by glob, excludes by glob, * within a segment and ** across', () => {
    const keep = repositoryFilter(['team/*', 'infra/**'], ['*/legacy-*']);
    expect(keep('team/app')).toBe(true);
    expect(keep('team/sub/app')).toBe(false);
    expect(keep('infra/a/b/c')).toBe(true);
    expect(keep('team/legacy-billing')).toBe(false);
    expect(keep('other/app')).toBe(false);
    expect(repositoryFilter([], [])('anything/at/all')).toBe(true);
  });
});

describe('pair selection', () => {
  it('semver: by precedence, prereleases below releases, non-semver tags ignored', () => {
    const tags = ['latest', 'v1.2.0', '1.10.0', '1.9.3', '1.10.0-rc.1', 'main'].map((tag) => ({ tag }));
    expect(pickPair(tags, 'semver')).toEqual({ newer: { tag: '1.10.0' }, older: { tag: '1.10.0-rc.1' } });
  });

  it('semver: equal versions are ordered by tag name; the same digest is skipped', () => {
    const pair = pickPair(
      [
        { tag: '1.2.0', digest: 'sha256:a' },
        { tag: 'v1.2.0', digest: 'sha256:a' },
        { tag: '1.1.0', digest: 'sha256:b' },
      ],
      'semver',
    );
    expect(pair?.newer.tag).toBe('v1.2.0');
    expect(pair?.older.tag).toBe('1.1.0');
  });

  it('created: newest first, ties by tag, undated tags ignored', () => {
    const pair = pickPair(
      [
        { tag: 'a', created: '2026-01-01T00:00:00Z' },
        { tag: 'b', created: '2026-03-01T00:00:00Z' },
        { tag: 'c', created: '2026-03-01T00:00:00Z' },
        { tag: 'undated' },
      ],
      'created',
    );
    expect(pair).toEqual({
      newer: { tag: 'c', created: '2026-03-01T00:00:00Z' },
      older: { tag: 'b', created: '2026-03-01T00:00:00Z' },
    });
  });

  it('needs two distinct images', () => {
    expect(pickPair([{ tag: '1.0.0' }], 'semver')).toBeUndefined();
    expect(pickPair([{ tag: 'x' }, { tag: 'y' }], 'semver')).toBeUndefined();
    expect(
      pickPair(
        [
          { tag: '1.0.0', digest: 'sha256:a' },
          { tag: '1.0.1', digest: 'sha256:a' },
        ],
        'semver',
      ),
    ).toBeUndefined();
  });
});

describe('pair selection without digests up front', () => {
  const digests: Record<string, string> = {
    '1.10.0': 'sha256:new',
    'v1.10.0': 'sha256:new',
    'v1.10.0-rc.1': 'sha256:new',
    '1.9.0': 'sha256:old',
    '1.8.0': 'sha256:older',
  };

  it('looks past tags of the newest image, asking only for the digests it needs', async () => {
    const asked: string[] = [];
    const digestOf = async (tag: string) => {
      asked.push(tag);
      return digests[tag];
    };
    const tags = ['1.8.0', '1.9.0', '1.10.0', 'v1.10.0', 'v1.10.0-rc.1'].map((tag) => ({ tag }));
    const pair = await pickDistinctPair(tags, 'semver', digestOf);
    expect([pair?.newer.tag, pair?.older.tag]).toEqual(['v1.10.0', '1.9.0']);
    expect(asked.sort()).toEqual(['1.10.0', '1.9.0', 'v1.10.0', 'v1.10.0-rc.1']);
  });

  it('is undefined when every tag names the same image', async () => {
    const tags = ['1.10.0', 'v1.10.0'].map((tag) => ({ tag }));
    expect(await pickDistinctPair(tags, 'semver', async (t) => digests[t])).toBeUndefined();
  });

  it('keeps the pair when a digest cannot be learnt', async () => {
    const pair = await pickDistinctPair(
      [{ tag: '2.0.0' }, { tag: '1.0.0' }],
      'semver',
      async () => undefined,
    );
    expect([pair?.newer.tag, pair?.older.tag]).toEqual(['2.0.0', '1.0.0']);
  });
});
