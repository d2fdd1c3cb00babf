/**
 * What a scan walks: the repositories of a registry (ECR DescribeRepositories, else `_catalog`, or a
 * file), and per repository the tags with what `pickPair` needs to order them.
 */
import { readFile } from 'node:fs/promises';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { ErrorCode, hasErrorCode, RegistryError, UsageError } from '../errors.js';
import { mapBounded } from '../pipeline/limiter.js';
import { repositoryNameProblem } from '../reference/reference.js';
import type { RegistryClient } from '../registry/client.js';
import { RegistryClientPool } from '../registry/pool.js';
import { openSource } from '../source/open.js';
import type { Platform } from '../source/types.js';
import { ecrClientFor, listEcrImages, listEcrRepositories, parseEcrHost } from './ecr.js';
import type { PairRule, TagCandidate } from './pair.js';

/** Where repositories and tags come from: the ECR API for ECR hosts, the distribution API otherwise. */
export type ScanTarget =
  | { kind: 'ecr'; registry: string; accountId: string; client: ECRClient }
  | { kind: 'registry'; registry: string; client: RegistryClient; registries: RegistryClientPool };

export function scanTarget(
  registry: string,
  options: { registries?: RegistryClientPool; ecrClient?: ECRClient } = {},
): ScanTarget {
  const ecr = parseEcrHost(registry);
  if (ecr) {
    return {
      kind: 'ecr',
      registry,
      accountId: ecr.accountId,
      client: options.ecrClient ?? ecrClientFor(ecr.region),
    };
  }
  // The run's pool: listing, reading tags and comparing share one client, so one token per scope.
  const registries = options.registries ?? new RegistryClientPool();
  return { kind: 'registry', registry, client: registries.client(registry), registries };
}

/** Every repository name, sorted: ECR's DescribeRepositories or the registry's `_catalog`. */
export async function listRepositories(target: ScanTarget): Promise<string[]> {
  if (target.kind === 'ecr') return await listEcrRepositories(target.client, target.accountId);
  try {
    return [...new Set(await target.client.catalog())].sort();
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    throw new RegistryError(`cannot list the repositories of ${target.registry}: ${error.message}`, {
      hint: 'check the login for the registry; registries without _catalog (Docker Hub, GHCR) need --repositories-file',
      cause: error,
      ...(error.status !== undefined ? { status: error.status } : {}),
    });
  }
}

/**
 * `--repositories-file`: one name per line; blank lines and `#` comments ignored. Every name must be a
 * repository name (reference/reference.ts repositoryNameProblem): a bad one is a UsageError naming
 * the file and line (the first; the others' lines are counted), before any request is made.
 */
export async function readRepositoriesFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read --repositories-file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      { hint: 'one repository name per line' },
    );
  }
  const names: string[] = [];
  const problems: Array<{ line: number; problem: string }> = [];
  text.split('\n').forEach((text, index) => {
    const name = text.replace(/#.*$/, '').trim();
    if (name === '') return;
    const problem = repositoryNameProblem(name);
    if (problem) problems.push({ line: index + 1, problem });
    else names.push(name);
  });
  const [first, ...more] = problems;
  if (first) {
    const others = more.length
      ? ` (and ${more.length} more: lines ${more.map((p) => p.line).join(', ')})`
      : '';
    throw new UsageError(`--repositories-file ${file}:${first.line}: ${first.problem}${others}`, {
      hint: 'one repository name per line, e.g. team/app',
    });
  }
  return [...new Set(names)].sort();
}

export interface CandidateOptions {
  rule: PairRule;
  platform?: Platform;
  /** Config reads in flight at once for `--pair created` on a plain registry (default 4). */
  concurrency?: number;
}

/**
 * The tags of one repository as pairing candidates.
 * - ECR: DescribeImages gives digest and push time (imagePushedAt) for every tag in one paginated call.
 * - Registry, `semver`: tags/list only (no per-tag request).
 * - Registry, `created`: the distribution API has no dates, so every tag's manifest and config are read
 *   (2 requests per tag, 3 for an index) to learn the config's `created`: the cost grows with the tag count.
 *   Tags that are not images of the platform (artifacts such as signatures) are left undated.
 */
export async function listCandidates(
  target: ScanTarget,
  repository: string,
  options: CandidateOptions,
): Promise<TagCandidate[]> {
  if (target.kind === 'ecr') return await listEcrImages(target.client, target.accountId, repository);
  const tags = await target.client.listTags(repository);
  if (options.rule === 'semver') return tags.map((tag) => ({ tag }));
  return await mapBounded(tags, options.concurrency ?? 4, async (tag) => {
    const source = await openSource(`${target.registry}/${repository}:${tag}`, {
      registries: target.registries,
    });
    try {
      const image = await source.resolve(options.platform);
      return {
        tag,
        digest: image.manifestDigest,
        ...(image.config.created ? { created: image.config.created } : {}),
      };
    } catch (error) {
      // A tag that is not an image for this platform (a signature or other OCI artifact, an index
      // without the platform, a media type layerdelta does not read) has no creation time to order
      // by: leave it out, like a non-semver tag. Registry, content and malformed-manifest failures
      // still fail the repository.
      if (hasErrorCode(error, ErrorCode.NOT_AN_IMAGE_OF_PLATFORM, ErrorCode.UNSUPPORTED_MEDIA_TYPE))
        return { tag };
      throw error;
    } finally {
      await source.close();
    }
  });
}
