import type { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { ErrorCode, RegistryError } from '../../errors.js';
import { safeCause } from '../http-errors.js';
import type { CredentialStore, Credentials } from './credentials.js';

/** `ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]` → its account and region. */
export function parseEcrHost(registry: string): { accountId: string; region: string } | undefined {
  const match = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?(?::\d+)?$/.exec(
    registry.toLowerCase(),
  );
  if (!match) return undefined;
  return { accountId: match[1] ?? '', region: match[2] ?? '' };
}

/** The slice of ECRClient this store uses (so tests can hand in a client pointed at a local endpoint). */
export interface EcrApi {
  send(command: GetAuthorizationTokenCommand): Promise<{
    authorizationData?: Array<{ authorizationToken?: string; expiresAt?: Date }>;
  }>;
}

interface CachedLogin {
  credentials: Credentials;
  /** When to fetch a new token: half way through its lifetime. */
  refreshAt: number;
}

/** ECR tokens live 12 hours; assume that when the answer has no expiry. */
const DEFAULT_LIFETIME_MS = 12 * 60 * 60 * 1000;

/**
 * Basic credentials for ECR hosts from GetAuthorizationToken (default AWS credential chain, region
 * and registry id from the host), cached per host until half their lifetime has passed.
 */
export class EcrCredentialStore implements CredentialStore {
  private readonly cache = new Map<string, CachedLogin>();
  private readonly clientFor: (region: string) => EcrApi | Promise<EcrApi>;
  private readonly now: () => number;

  constructor(
    options: { clientFor?: (region: string) => EcrApi | Promise<EcrApi>; now?: () => number } = {},
  ) {
    this.clientFor = options.clientFor ?? defaultEcrClient;
    this.now = options.now ?? Date.now;
  }

  async get(registry: string): Promise<Credentials | undefined> {
    const ecr = parseEcrHost(registry);
    if (!ecr) return undefined;
    const cached = this.cache.get(registry);
    const now = this.now();
    if (cached && now < cached.refreshAt) return cached.credentials;
    let answer: Awaited<ReturnType<EcrApi['send']>>;
    try {
      // The SDK is loaded only when an ECR host is actually used: it costs ~0.2 s of start-up.
      const { GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
      const client = await this.clientFor(ecr.region);
      answer = await client.send(new GetAuthorizationTokenCommand({ registryIds: [ecr.accountId] }));
    } catch (error) {
      const name = (error as { name?: string }).name ?? 'Error';
      const message = ((error as { message?: string }).message ?? '').split('\n')[0];
      throw new RegistryError(
        `cannot get an ECR token for ${registry}: ${name}${message ? `: ${message}` : ''}`,
        {
          code: ErrorCode.CREDENTIALS_UNAVAILABLE,
          hint: 'check the AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, role) and ecr:GetAuthorizationToken permission',
          cause: safeCause(error),
        },
      );
    }
    const data = answer.authorizationData?.[0];
    const decoded = data?.authorizationToken
      ? Buffer.from(data.authorizationToken, 'base64').toString('utf8')
      : '';
    const colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new RegistryError(`ECR answered without a usable token for ${registry}`, {
        code: ErrorCode.CREDENTIALS_UNAVAILABLE,
      });
    }
    const credentials = { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    const expiresAt = data?.expiresAt ? data.expiresAt.getTime() : now + DEFAULT_LIFETIME_MS;
    this.cache.set(registry, { credentials, refreshAt: now + Math.max(0, expiresAt - now) / 2 });
    return credentials;
  }
}

/** The real client: default credential chain; LAYERDELTA_ECR_ENDPOINT points it elsewhere (tests, VPC endpoints). */
async function defaultEcrClient(region: string): Promise<EcrApi> {
  const { ECRClient } = await import('@aws-sdk/client-ecr');
  const endpoint = process.env.LAYERDELTA_ECR_ENDPOINT;
  return new ECRClient({ region, ...(endpoint ? { endpoint } : {}) });
}
