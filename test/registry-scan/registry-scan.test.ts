import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NoCache } from '../../src/cache/layer-cache.js';
import { createScanProgress } from '../../src/cli/progress.js';
import { RegistryError } from '../../src/errors.js';
import { staticCredentialStore } from '../../src/registry/auth/credentials.js';
import {
  type RepositoryResult,
  runScan,
  type ScanOptions,
  type ScanReport,
  type ScanRunProgress,
} from '../../src/registry-scan/run.js';
import { type RegistryProxy, startProxy, startRegistry, type TestRegistry } from '../support/registry.js';
import { type SeededRegistry, type SeededRepository, seedRegistry } from './seed.js';

const BLOB_GET = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/;

describe('layerdelta scan against a real registry with 59 repositories sharing layers', () => {
  let registry: TestRegistry;
  let proxy: RegistryProxy;
  let seeded: SeededRegistry;
  let full: ScanReport;
  const progress: ScanRunProgress[] = [];
  let blobFetchesBeforeReset: Map<string, number>;

  const scan = (options: Partial<ScanOptions> = {}) =>
    runScan({
      registry: proxy.host,
      credentials: staticCredentialStore({}),
      cache: new NoCache(),
      concurrency: 6,
      ...options,
    });
  const result = (report: ScanReport, name: string): RepositoryResult => {
    const found = report.repositories.find((r) => r.repository === name);
    if (!found) throw new Error(`${name} not in the report`);
    return found;
  };
  /** Successful blob GETs by digest, from the proxy's log (the registry's answers, not our client's). */
  const blobFetches = () => {
    const counts = new Map<string, number>();
    for (const r of proxy.requests) {
      const match = r.method === 'GET' && r.status === 200 ? BLOB_GET.exec(r.path) : null;
      if (match) counts.set(match[2]!, (counts.get(match[2]!) ?? 0) + 1);
    }
    return counts;
  };

  beforeAll(async () => {
    registry = await startRegistry();
    seeded = await seedRegistry(registry, 50);
    proxy = await startProxy(registry.url);
    full = await scan({ onProgress: (p) => progress.push(p) });
    blobFetchesBeforeReset = blobFetches();
  }, 240_000);

  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  it('enumerates every seeded repository through _catalog and gives one result each', () => {
    expect(seeded.repositories.length).toBeGreaterThanOrEqual(50);
    expect(full.repositories.map((r) => r.repository)).toEqual(seeded.repositories.map((r) => r.name));
    expect(full.repositories.map((r) => r.status)).toEqual(seeded.repositories.map((r) => r.expect));
  });

  it('fetches each distinct blob at most once across the whole scan, and exactly the blobs needed', () => {
    const fetched = blobFetchesBeforeReset;
    for (const [digest, count] of fetched) expect(count, digest).toBe(1);
    // Ground truth from the seeded manifests: the layers and configs of every compared pair, plus what the
    // broken repository got before its deleted layer failed.
    const needed = new Set<string>();
    for (const repo of seeded.repositories.filter((r) => r.expect === 'compared')) {
      for (const image of pairImages(repo)) {
        needed.add(image.pushed.config.digest);
        for (const layer of image.pushed.layers) needed.add(layer.digest);
      }
    }
    const broken = new Set(
      seeded.repositories
        .find((r) => r.name === 'broken/blob')!
        .images.flatMap((i) => [i.pushed.config.digest, ...i.pushed.layers.map((l) => l.digest)]),
    );
    const unexpected = [...fetched.keys()].filter((d) => !needed.has(d) && !broken.has(d));
    expect(unexpected).toEqual([]);
    expect(needed.size).toBeGreaterThan(0);
    for (const digest of needed) expect(fetched.get(digest), digest).toBe(1);
    expect(fetched.has(seeded.deletedLayer)).toBe(false);
    // The layer reader's own account agrees: one download per distinct layer (the deleted one was tried once),
    // every other request for a layer answered by the scan already made.
    const scanned = seeded.repositories
      .filter((r) => r.expect !== 'skipped')
      .flatMap((r) => (r.expectedPair ? pairImages(r) : r.images))
      .flatMap((i) => i.pushed.layers.map((l) => l.digest));
    expect(full.summary.blobsFetched).toBe(new Set(scanned).size);
    expect(full.summary.blobRequestsShared).toBe(scanned.length - new Set(scanned).size);
  });

  it('reports progress: repositories done of total, and every compressed byte fetched', () => {
    const last = progress.at(-1)!;
    expect(last.repositoriesDone).toBe(seeded.repositories.length);
    expect(last.repositoriesTotal).toBe(seeded.repositories.length);
    const done = progress.map((p) => p.repositoriesDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    // Ground truth: the seeded sizes of the distinct layers that were downloaded whole.
    const sizes = new Map(
      seeded.repositories.flatMap((r) =>
        r.images.flatMap((i) => i.pushed.layers.map((l) => [l.digest, l.size] as const)),
      ),
    );
    const fetched = [...blobFetchesBeforeReset.keys()].filter((d) => sizes.has(d));
    expect(last.layers.bytesDone).toBe(fetched.reduce((sum, d) => sum + sizes.get(d)!, 0));
  });

  it('draws one progress line on a TTY only, and erases it at the end', () => {
    const written: string[] = [];
    const tty = Object.assign(
      new Writable({
        write: (chunk, _e, done) => {
          written.push(String(chunk));
          done();
        },
      }),
      {
        isTTY: true,
        columns: 200,
      },
    ) as unknown as NodeJS.WriteStream;
    const line = createScanProgress({ stream: tty })!;
    line.update(progress.at(-1)!);
    line.finish();
    const total = seeded.repositories.length;
    expect(written[0]!.startsWith('\r')).toBe(true);
    expect(written[0]).toContain(`repositories ${total}/${total}, `);
    expect(written[0]).toMatch(/, [\d.]+ MB of [\d.]+ MB fetched \(compressed\), \d+\/\d+ layers\x1b\[K$/);
    expect(written.at(-1)).toBe('\r\x1b[K');
    expect(createScanProgress({ stream: tty, quiet: true })).toBeUndefined();
    const pipe = Object.assign(new Writable({ write: (_c, _e, done) => done() }), { isTTY: false });
    expect(createScanProgress({ stream: pipe as unknown as NodeJS.WriteStream })).toBeUndefined();
  });

  it('picks the pair by semantic version precedence, not string order, and ignores other tags', () => {
    const withPair = seeded.repositories.filter((r) => r.expectedPair);
    expect(withPair.length).toBeGreaterThan(0);
    for (const repo of withPair) {
      const r = result(full, repo.name);
      expect(r.status, repo.name).toBe('compared');
      if (r.status !== 'compared') continue;
      expect({ older: r.older.tag, newer: r.newer.tag }, repo.name).toEqual(repo.expectedPair);
    }
  });

  it('classifies the layers of each repository against the seeded manifests', () => {
    const shared = seeded.repositories.filter((r) => r.name.startsWith('shared/'));
    expect(shared.length).toBeGreaterThan(0);
    for (const repo of shared) {
      const r = result(full, repo.name);
      if (r.status !== 'compared') throw new Error(`${repo.name}: ${r.status}`);
      const [older, newer] = pairImages(repo);
      const oldLayers = older.pushed.layers;
      const newLayers = newer.pushed.layers;
      const s = r.delta.totals.byStatus;
      // Base (and runtime) layers are the same blobs; the app layer differs.
      expect(s.reused.count, repo.name).toBe(newLayers.length - 1);
      expect(s.changed.count, repo.name).toBe(1);
      expect(s.new.count + s.removed.count, repo.name).toBe(0);
      const changed = r.delta.layers.find((l) => l.status === 'changed')!;
      expect(changed.old?.digest).toBe(oldLayers.at(-1)!.digest);
      expect(changed.new?.digest).toBe(newLayers.at(-1)!.digest);
      const delta = newLayers.at(-1)!.size - oldLayers.at(-1)!.size;
      expect(changed.delta).toBe(delta);
      expect(changed.significant).toBe(Math.abs(delta) > 0.05 * oldLayers.at(-1)!.size);
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      expect(r.delta.totals.uncompressedDelta).toBe(sum(newer.uncompressed) - sum(older.uncompressed));
    }
    const significant = full.repositories.filter(
      (r) =>
        r.repository.startsWith('shared/') &&
        r.status === 'compared' &&
        r.delta.totals.significantChanges > 0,
    );
    // Every third shared repository grew its app layer by 6 KiB of incompressible bytes (> 5%).
    expect(significant.length).toBe(17);
  });

  it('reports the Go binary change in the repositories that ship one (sizes from the files, version from go)', () => {
    const oldSize = statSync(seeded.goBinary.oldFile).size;
    const newSize = statSync(seeded.goBinary.newFile).size;
    const goVersion = execFileSync('/usr/lib/go-1.23/bin/go', ['version', seeded.goBinary.newFile], {
      encoding: 'utf8',
    })
      .trim()
      .split(' ')
      .at(-1);
    for (const name of ['go/app-0', 'go/app-1', 'go/app-2', 'go/app-3']) {
      const r = result(full, name);
      if (r.status !== 'compared') throw new Error(`${name}: ${r.status}`);
      const binary = r.delta.binaries?.find((b) => b.path.endsWith('app/server'));
      expect(binary?.status, name).toBe('changed');
      expect(binary?.delta).toBe(newSize - oldSize);
      expect(binary?.goVersion.new).toBe(goVersion);
    }
  });

  it('skips a repository with one tag and says why', () => {
    const r = result(full, 'solo/one-tag');
    expect(r).toEqual({
      repository: 'solo/one-tag',
      status: 'skipped',
      reason: 'fewer than two distinct images to compare (1 tag, 1 of them a semantic version)',
    });
  });

  it('reports a repository with a deleted blob as failed, on one line, and finishes the rest (partial)', () => {
    const r = result(full, 'broken/blob');
    if (r.status !== 'failed') throw new Error(`broken/blob: ${r.status}`);
    expect(r.error).toContain(seeded.deletedLayer);
    expect(r.error).not.toContain('\n');
    expect(full.summary).toMatchObject({
      repositories: seeded.repositories.length,
      compared: seeded.repositories.length - 2,
      skipped: 1,
      failed: 1,
      partial: true,
    });
  });

  it('waits out 429 with Retry-After on the catalog and on a blob, and still scans everything', async () => {
    const repo = seeded.repositories.find((r) => r.name === 'go/app-2')!;
    const blob = repo.images[1]!.pushed.layers[2]!.digest;
    proxy.reset();
    proxy.failNext(1, 429, { retryAfter: '1', match: /\/v2\/_catalog/ });
    proxy.failNext(2, 429, { retryAfter: '1', match: new RegExp(`/blobs/${blob}`) });
    const report = await scan({ include: ['go/app-2'] });
    expect(result(report, 'go/app-2').status).toBe('compared');
    const catalog = proxy.requests.filter((r) => r.path.startsWith('/v2/_catalog'));
    expect(catalog.map((r) => r.status)).toEqual([429, 200]);
    const blobGets = proxy.requests.filter((r) => r.method === 'GET' && r.path.endsWith(blob));
    expect(blobGets.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('splits the registry into 3 disjoint shards whose union is the whole registry', async () => {
    const shards = [];
    for (let index = 0; index < 3; index++) {
      const report = await scan({ shard: { index, count: 3 } });
      shards.push(report.repositories.map((r) => r.repository));
    }
    const union = shards.flat().sort();
    const all = seeded.repositories.map((r) => r.name);
    expect(union).toEqual(all);
    expect(new Set(union).size).toBe(union.length);
    for (const names of shards) expect(names.length).toBeGreaterThan(0);
  });

  it('orders by config creation time with --pair created (ties by tag name), layers still fetched once', async () => {
    proxy.reset();
    const report = await scan({ pair: 'created', include: ['dated/app', 'shared/svc-0[01]'] });
    const pairs = report.repositories.map((r) =>
      r.status === 'compared' ? [r.repository, r.older.tag, r.newer.tag] : [r.repository, r.status],
    );
    expect(pairs).toEqual([
      ['dated/app', '1.5.0', '1.0.0'],
      // All three tags share one creation time: latest > 1.1.0 > 1.0.0 by name, and latest and 1.1.0
      // are the same image, so the predecessor is 1.0.0.
      ['shared/svc-00', '1.0.0', 'latest'],
      ['shared/svc-01', '1.0.0', 'latest'],
    ]);
    const layers = new Set(
      seeded.repositories.flatMap((r) => r.images.flatMap((i) => i.pushed.layers.map((l) => l.digest))),
    );
    for (const [digest, count] of blobFetches()) if (layers.has(digest)) expect(count, digest).toBe(1);
  });

  it('filters repositories with --repository and --exclude globs', async () => {
    const report = await scan({ include: ['shared/svc-1*', 'odd/**'], exclude: ['shared/svc-1[5-9]'] });
    expect(report.repositories.map((r) => r.repository)).toEqual([
      'odd/versions',
      'shared/svc-10',
      'shared/svc-11',
      'shared/svc-12',
      'shared/svc-13',
      'shared/svc-14',
    ]);
  });
});

describe('a registry that will not list its repositories', () => {
  it('fails the scan with one RegistryError line that points to --repositories-file', async () => {
    const locked = await startRegistry({ auth: 'basic' });
    try {
      const error = await runScan({ registry: locked.host, credentials: staticCredentialStore({}) }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RegistryError);
      const line = (error as RegistryError).oneLine();
      expect(line.startsWith(`cannot list the repositories of ${locked.host}: authentication failed`)).toBe(
        true,
      );
      expect(line).toContain('--repositories-file');
      expect(line).not.toContain('\n');
      expect((error as RegistryError).exitCode).toBe(3);
    } finally {
      await locked.stop();
    }
  });
});

/** The seeded images the scan must compare (older, newer). */
function pairImages(repo: SeededRepository) {
  const pair = repo.expectedPair!;
  const find = (tag: string) => repo.images.find((i) => i.tag === tag)!;
  return [find(pair.older), find(pair.newer)] as const;
}
