/**
 * The registry-wide scan: enumerate → filter → shard → per repository (list tags → pick the pair →
 * compare) with bounded concurrency, one shared LayerReader so a blob shared by many repositories is
 * fetched at most once, and one result per repository. A failing repository is recorded, never fatal.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import semver from 'semver';
import type { LayerCache } from '../cache/layer-cache.js';
import type { ImageDelta } from '../delta/types.js';
import { LayerdeltaError } from '../errors.js';
import { compareImages } from '../pipeline/compare.js';
import { type ReadProgress as LayerProgress, LayerReader } from '../pipeline/layer-reader.js';
import { mapBounded } from '../pipeline/limiter.js';
import type { CredentialStore } from '../registry/auth/credentials.js';
import { defaultCredentialStore } from '../registry/auth/default-store.js';
import { RegistryClientPool } from '../registry/pool.js';
import type { Platform } from '../source/types.js';
import {
  listCandidates,
  listRepositories,
  readRepositoriesFile,
  type ScanTarget,
  scanTarget,
} from './enumerate.js';
import { repositoryFilter } from './filter.js';
import { type PairRule, pickDistinctPair, type TagCandidate } from './pair.js';
import { inShard, type Shard } from './shard.js';

export interface ScanOptions {
  /** host[:port], e.g. `registry.example.com`, `123456789012.dkr.ecr.eu-west-1.amazonaws.com`. */
  registry: string;
  /** Globs (picomatch); none = every repository. */
  include?: string[];
  exclude?: string[];
  /** Take repository names from this file instead of asking the registry. */
  repositoriesFile?: string;
  pair?: PairRule;
  /** Repositories compared at once, and blobs downloaded at once (default 4). */
  concurrency?: number;
  shard?: Shard;
  /** Fraction (0.05 = ±5%). */
  tolerance?: number;
  platform?: Platform;
  cache?: LayerCache;
  /** Default: docker config files and helpers, then ECR. */
  credentials?: CredentialStore;
  insecure?: boolean;
  /** ECR API client (tests point one at a local endpoint; default from the host's region). */
  ecrClient?: ECRClient;
  onProgress?: (progress: ScanRunProgress) => void;
}

export interface ScanRunProgress {
  repositoriesDone: number;
  repositoriesTotal: number;
  layers: LayerProgress;
}

export interface TagRef {
  tag: string;
  digest?: string;
  created?: string;
}

export type RepositoryResult =
  | {
      repository: string;
      status: 'compared';
      older: TagRef;
      newer: TagRef;
      delta: ImageDelta;
      durationSeconds: number;
    }
  | { repository: string; status: 'skipped'; reason: string }
  /** `older`/`newer` when the failure came after the pair was picked (the compare itself failed). */
  | { repository: string; status: 'failed'; error: string; older?: TagRef; newer?: TagRef };

export interface ScanReport {
  schemaVersion: 1;
  registry: string;
  pair: PairRule;
  shard: Shard;
  /** Sorted by repository name. */
  repositories: RepositoryResult[];
  summary: {
    /** Repositories of this shard after filtering. */
    repositories: number;
    compared: number;
    skipped: number;
    failed: number;
    /** True when any repository failed: the scan is incomplete. */
    partial: boolean;
    /** Layer blobs downloaded / layer requests answered by a scan already made in this run / cache hits. */
    blobsFetched: number;
    blobRequestsShared: number;
    cacheHits: number;
    durationSeconds: number;
  };
}

export const DEFAULT_SCAN_CONCURRENCY = 4;

export async function runScan(options: ScanOptions): Promise<ScanReport> {
  const started = performance.now();
  const rule = options.pair ?? 'semver';
  const shard = options.shard ?? { index: 0, count: 1 };
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_SCAN_CONCURRENCY);
  const credentials = options.credentials ?? defaultCredentialStore();
  // One client per registry for the whole scan: listing, tag dates and every compare share its tokens.
  const registries = new RegistryClientPool({
    credentials,
    ...(options.insecure !== undefined ? { insecure: options.insecure } : {}),
  });
  const target = scanTarget(options.registry, {
    registries,
    ...(options.ecrClient ? { ecrClient: options.ecrClient } : {}),
  });

  const all = options.repositoriesFile
    ? await readRepositoriesFile(options.repositoriesFile)
    : await listRepositories(target);
  const wanted = repositoryFilter(options.include ?? [], options.exclude ?? []);
  const repositories = all.filter((name) => wanted(name) && inShard(name, shard));

  let repositoriesDone = 0;
  let layers: LayerProgress = { bytesDone: 0, bytesTotal: 0, layersDone: 0, layersTotal: 0 };
  const report = () =>
    options.onProgress?.({ repositoriesDone, repositoriesTotal: repositories.length, layers });
  const layerReader = new LayerReader({
    ...(options.cache ? { cache: options.cache } : {}),
    concurrency,
    onProgress: (progress) => {
      layers = progress;
      report();
    },
  });
  report();

  const context: RepositoryContext = {
    target,
    rule,
    layerReader,
    registries,
    tolerance: options.tolerance ?? 0.05,
    ...(options.platform ? { platform: options.platform } : {}),
  };
  const results = await mapBounded(repositories, concurrency, async (repository) => {
    const result = await scanRepository(repository, context);
    repositoriesDone++;
    report();
    return result;
  });

  const count = (status: RepositoryResult['status']) => results.filter((r) => r.status === status).length;
  const failed = count('failed');
  return {
    schemaVersion: 1,
    registry: options.registry,
    pair: rule,
    shard,
    repositories: results,
    summary: {
      repositories: results.length,
      compared: count('compared'),
      skipped: count('skipped'),
      failed,
      partial: failed > 0,
      blobsFetched: layerReader.stats.downloads,
      blobRequestsShared: layerReader.stats.shared,
      cacheHits: layerReader.stats.cacheHits,
      durationSeconds: (performance.now() - started) / 1000,
    },
  };
}

interface RepositoryContext {
  target: ScanTarget;
  rule: PairRule;
  layerReader: LayerReader;
  registries: RegistryClientPool;
  tolerance: number;
  platform?: Platform;
}

/** One repository, start to end; every failure becomes a one-line result instead of an exception. */
export async function scanRepository(
  repository: string,
  context: RepositoryContext,
): Promise<RepositoryResult> {
  const started = performance.now();
  let picked: { older: TagRef; newer: TagRef } | undefined;
  try {
    const candidates = await listCandidates(context.target, repository, {
      rule: context.rule,
      ...(context.platform ? { platform: context.platform } : {}),
    });
    const target = context.target;
    const pair = await pickDistinctPair(candidates, context.rule, async (tag) =>
      target.kind === 'registry' ? (await target.client.headManifest(repository, tag))?.digest : undefined,
    );
    if (!pair) return { repository, status: 'skipped', reason: skipReason(candidates, context.rule) };
    picked = { older: tagRef(pair.older), newer: tagRef(pair.newer) };
    const name = `${context.target.registry}/${repository}`;
    const delta = await compareImages(`${name}:${pair.older.tag}`, `${name}:${pair.newer.tag}`, {
      tolerance: context.tolerance,
      layerReader: context.layerReader,
      sourceOptions: { registries: context.registries },
      ...(context.platform ? { platform: context.platform } : {}),
    });
    return {
      repository,
      status: 'compared',
      ...picked,
      delta,
      durationSeconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    return { repository, status: 'failed', error: oneLine(error), ...picked };
  }
}

function tagRef(candidate: TagCandidate): TagRef {
  return {
    tag: candidate.tag,
    ...(candidate.digest ? { digest: candidate.digest } : {}),
    ...(candidate.created ? { created: candidate.created } : {}),
  };
}

function skipReason(candidates: TagCandidate[], rule: PairRule): string {
  if (candidates.length === 0) return 'no tags';
  const tags = `${candidates.length} tag${candidates.length === 1 ? '' : 's'}`;
  const usable =
    rule === 'semver'
      ? `${candidates.filter((c) => semver.valid(c.tag.replace(/^v/, '')) !== null).length} of them a semantic version`
      : `${candidates.filter((c) => c.created).length} of them with a creation time`;
  return `fewer than two distinct images to compare (${tags}, ${usable})`;
}

function oneLine(error: unknown): string {
  const text =
    error instanceof LayerdeltaError
      ? error.oneLine()
      : error instanceof Error
        ? error.message
        : String(error);
  return text.split('\n')[0] ?? 'unknown error';
}
