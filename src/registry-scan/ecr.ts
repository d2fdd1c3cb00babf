import { ECRClient, paginateDescribeImages, paginateDescribeRepositories } from '@aws-sdk/client-ecr';
import { RegistryError } from '../errors.js';
import type { TagCandidate } from './pair.js';

/** Registry id (`accountId`) and region come from the host, with the one parser the ECR login uses. */
export { parseEcrHost } from '../registry/auth/ecr.js';

/** An ECR client for the registry's region (the default AWS credential chain; endpoint overridable). */
export function ecrClientFor(region: string, endpoint = process.env.LAYERDELTA_ECR_ENDPOINT): ECRClient {
  return new ECRClient({ region, ...(endpoint ? { endpoint } : {}) });
}

/** Every repository of the registry, through the DescribeRepositories paginator. */
export async function listEcrRepositories(client: ECRClient, registryId: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const page of paginateDescribeRepositories({ client }, { registryId })) {
      for (const repo of page.repositories ?? []) if (repo.repositoryName) names.push(repo.repositoryName);
    }
  } catch (error) {
    throw ecrError('DescribeRepositories', registryId, error);
  }
  return names.sort();
}

/**
 * One candidate per tag, with its digest and push time (imagePushedAt orders `--pair created` on
 * ECR, where reading every config would cost a request per tag).
 */
export async function listEcrImages(
  client: ECRClient,
  registryId: string,
  repository: string,
): Promise<TagCandidate[]> {
  const candidates: TagCandidate[] = [];
  try {
    for await (const page of paginateDescribeImages(
      { client },
      { registryId, repositoryName: repository, filter: { tagStatus: 'TAGGED' } },
    )) {
      for (const image of page.imageDetails ?? []) {
        for (const tag of image.imageTags ?? []) {
          candidates.push({
            tag,
            ...(image.imageDigest ? { digest: image.imageDigest } : {}),
            ...(image.imagePushedAt ? { created: image.imagePushedAt.toISOString() } : {}),
          });
        }
      }
    }
  } catch (error) {
    throw ecrError('DescribeImages', `${registryId}/${repository}`, error);
  }
  return candidates;
}

function ecrError(operation: string, where: string, error: unknown): RegistryError {
  const name = (error as { name?: string }).name ?? 'Error';
  const message = (error as { message?: string }).message ?? String(error);
  return new RegistryError(`ECR ${operation} failed for ${where}: ${name}: ${message.split('\n')[0]}`, {
    hint: 'check AWS credentials (default chain), region and ecr:Describe* permissions',
    cause: error,
  });
}
