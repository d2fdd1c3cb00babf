import { ErrorCode, RegistryError } from '../errors.js';
import type { Credentials } from './auth/credentials.js';

/** What a request was for, so a failure can say it in the user's words. */
export type RequestSubject =
  | { kind: 'manifest'; repository: string; reference: string }
  | { kind: 'blob'; repository: string; digest: string }
  | { kind: 'tags'; repository: string }
  | { kind: 'catalog' };

/** `HOST/REPO:TAG`, `HOST/REPO@DIGEST`, `HOST/REPO` or `HOST`. */
export function describeSubject(registry: string, subject: RequestSubject): string {
  switch (subject.kind) {
    case 'manifest': {
      const sep = subject.reference.includes(':') ? '@' : ':';
      return `${registry}/${subject.repository}${sep}${subject.reference}`;
    }
    case 'blob':
      return `${registry}/${subject.repository}@${subject.digest}`;
    case 'tags':
      return `${registry}/${subject.repository}`;
    case 'catalog':
      return registry;
  }
}

function repositoryOf(registry: string, subject: RequestSubject): string {
  return 'repository' in subject && subject.repository ? `${registry}/${subject.repository}` : registry;
}

/** The refused `credentials` say where they came from (a file, a helper, `--creds`); none: anonymous. */
export function authenticationFailed(
  registry: string,
  subject: RequestSubject,
  status: number,
  credentials?: Credentials,
  consulted: string[] = [],
): RegistryError {
  const looked = consulted.length > 0 ? ` in ${consulted.join(', ')}` : '';
  const hint = !credentials
    ? `no credentials for it${looked}: docker login, --authfile FILE or --creds USER[:PASS]`
    : credentials.source
      ? `check the credentials from ${credentials.source}`
      : 'check the credentials';
  return new RegistryError(`authentication failed for ${repositoryOf(registry, subject)}`, {
    code: ErrorCode.UNAUTHORIZED,
    hint,
    status,
  });
}

/** The one-line error for an HTTP answer that is not the one we wanted. `code` is the distribution error code. */
export function httpError(
  registry: string,
  subject: RequestSubject,
  status: number,
  code: string | undefined,
): RegistryError {
  const what = describeSubject(registry, subject);
  if (status === 401 || status === 403) return authenticationFailed(registry, subject, status);
  if (status === 404) {
    if (code === 'NAME_UNKNOWN' || subject.kind === 'tags') {
      return new RegistryError(`repository unknown: ${repositoryOf(registry, subject)}`, {
        code: ErrorCode.NAME_UNKNOWN,
        hint: 'check the repository name',
        status,
      });
    }
    if (subject.kind === 'manifest') {
      return new RegistryError(`manifest unknown: ${what}`, {
        code: ErrorCode.MANIFEST_UNKNOWN,
        hint: 'check the tag or digest',
        status,
      });
    }
    if (subject.kind === 'blob') {
      return new RegistryError(`blob unknown: ${what}`, {
        code: ErrorCode.BLOB_UNKNOWN,
        hint: 'the registry lost a blob its manifest names',
        status,
      });
    }
    if (subject.kind === 'catalog') {
      return new RegistryError(`registry ${registry} does not list its repositories (no _catalog)`, {
        code: ErrorCode.CATALOG_UNSUPPORTED,
        hint: 'name the repositories explicitly',
        status,
      });
    }
  }
  if (status === 429) {
    return new RegistryError(`registry ${registry} kept rate-limiting requests (HTTP 429) for ${what}`, {
      code: ErrorCode.TOO_MANY_REQUESTS,
      hint: 'wait and retry, or log in for a higher limit',
      status,
    });
  }
  if (status >= 500) {
    return new RegistryError(`registry ${registry} failed with HTTP ${status} for ${what}`, {
      code: ErrorCode.REGISTRY_UNAVAILABLE,
      hint: 'retry later',
      status,
    });
  }
  return new RegistryError(
    `registry ${registry} answered HTTP ${status}${code ? ` ${code}` : ''} for ${what}`,
    { code: ErrorCode.UNEXPECTED_RESPONSE, status },
  );
}

/** The one-line error for a request that got no HTTP answer at all. */
export function networkError(host: string, error: unknown, timeoutMs: number): RegistryError {
  const code = (error as { code?: string }).code;
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    code === 'EADDRNOTAVAIL'
  ) {
    return new RegistryError(`cannot reach registry ${host} (${code})`, {
      hint: 'check the host name and port, and that the registry is running',
      code: ErrorCode.NETWORK,
      cause: safeCause(error),
    });
  }
  if (code === 'ETIMEDOUT') {
    return new RegistryError(`registry ${host} did not answer within ${Math.round(timeoutMs / 1000)} s`, {
      hint: 'check the network, or raise the timeout',
      code: ErrorCode.NETWORK,
      cause: safeCause(error),
    });
  }
  if (
    code?.startsWith('ERR_SSL') ||
    code?.startsWith('ERR_TLS') ||
    code === 'EPROTO' ||
    /CERT|SELF_SIGNED/.test(code ?? '')
  ) {
    return new RegistryError(`TLS connection to registry ${host} failed (${code})`, {
      hint: 'for a plain-HTTP registry, list it in LAYERDELTA_INSECURE_REGISTRIES',
      code: ErrorCode.NETWORK,
      cause: safeCause(error),
    });
  }
  return new RegistryError(`network error talking to registry ${host}${code ? ` (${code})` : ''}`, {
    code: ErrorCode.NETWORK,
    hint: 'retry; check the network',
    cause: safeCause(error),
  });
}

/**
 * What of a transport error may travel as `cause`: got's errors carry the request options, headers
 * (Authorization) included, so only the name, code and message are kept.
 */
export function safeCause(error: unknown): Error {
  const { name, code, message } = error as { name?: string; code?: string; message?: string };
  const safe = new Error(`${name ?? 'Error'}${code ? ` ${code}` : ''}: ${message ?? ''}`.split('\n')[0]);
  return safe;
}
