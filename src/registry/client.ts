import type { Readable } from 'node:stream';
import { ErrorCode, LayerdeltaError, RegistryError, UsageError } from '../errors.js';
import { isSha256Digest, sha256Digest } from '../oci/digest.js';
import { MAX_MANIFEST_BYTES } from '../oci/limits.js';
import { manifestMediaType } from '../oci/manifest.js';
import { bareMediaType, isManifestMediaType, MANIFEST_ACCEPT } from '../oci/media-types.js';
import { DigestVerifier, digestMismatch, verifyContent } from '../oci/verify.js';
import { Authenticator } from './auth/authenticator.js';
import type { CredentialStore } from './auth/credentials.js';
import { DeadlineError, type Phase } from './deadline.js';
import { type RegistryEndpoint, registryEndpoint } from './endpoint.js';
import { describeSubject, httpError, networkError, type RequestSubject, safeCause } from './http-errors.js';
import {
  type BackoffPolicy,
  DEFAULT_BACKOFF,
  isRetryableNetworkError,
  isRetryableStatus,
  retryDelayMs,
} from './retry.js';
import { isNotTls } from './tls.js';
import {
  defaultTransport,
  discard,
  errorCode,
  type OpenResponse,
  openRequest,
  readBody,
  type Transport,
} from './transport.js';

export interface RegistryClientOptions {
  /** host[:port]; `docker.io` (and its aliases) maps to registry-1.docker.io. */
  registry: string;
  /** Where logins come from; anonymous only when absent. */
  credentials?: CredentialStore;
  /** The idle window of each request (default: the transport's, LAYERDELTA_IDLE_TIMEOUT or 30 s). */
  timeoutMs?: number;
  /** TLS, proxies and deadlines (default: this run's, see configureTransport). */
  transport?: Transport;
  /** Further tries after a 429, 5xx or transient network error (default 3). */
  retries?: number;
  /** Plain HTTP even for a non-loopback host not in LAYERDELTA_INSECURE_REGISTRIES. */
  insecure?: boolean;
  /** Environment to read LAYERDELTA_INSECURE_REGISTRIES from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Backoff tuning (default: 250 ms doubling up to 8 s; Retry-After capped at 30 s). */
  backoff?: Partial<BackoffPolicy>;
  /** How to wait between tries (tests observe the delays through it). */
  sleep?: (ms: number) => Promise<void>;
  /** Clock for token expiry (default Date.now). */
  now?: () => number;
}

export interface ManifestResult {
  /** sha256 of the body, verified against a digest reference and Docker-Content-Digest. */
  digest: string;
  /** One of the four manifest media types. */
  mediaType: string;
  body: Buffer;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

/** What getBlob needs of a descriptor. `size` < 0 skips the length check (digest still verified). */
export interface BlobDescriptor {
  digest: string;
  size: number;
}

const MAX_LIST_PAGE_BYTES = 16 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const DEFAULT_CATALOG_PAGE_SIZE = 100;
/**
 * Pages of one tag list or `_catalog` followed at most (LAYERDELTA_MAX_LIST_PAGES overrides): a
 * registry whose `Link: next` never ends (2,681 pages and counting in docs/hostile-input.md) fails
 * instead of running forever. 10,000 pages hold a million repositories at our page size of 100.
 */
export const MAX_LIST_PAGES = 10_000;

function maxListPages(env: NodeJS.ProcessEnv): number {
  const raw = env.LAYERDELTA_MAX_LIST_PAGES;
  if (raw === undefined || raw.trim() === '') return MAX_LIST_PAGES;
  if (!/^[1-9][0-9]{0,8}$/.test(raw.trim()))
    throw new UsageError(
      `LAYERDELTA_MAX_LIST_PAGES must be a positive whole number, not ${JSON.stringify(raw)}`,
    );
  return Number(raw);
}
/** How often one blob download is resumed after its connection broke (docs/design.md §7). */
const MAX_BLOB_RESUMES = 3;

/**
 * A client for one OCI distribution registry: manifests, blobs, tags and catalog, with auth
 * (anonymous → bearer → basic), retries honouring Retry-After, timeouts, and content verified by
 * digest. Every failure is a one-line RegistryError (exit 3) that never holds a secret.
 */
export class RegistryClient {
  readonly endpoint: RegistryEndpoint;
  private readonly idleMs: number | undefined;
  private readonly transport: Transport;
  /** Learned on the first request of an httpFallback endpoint: the server speaks plain HTTP. */
  private plainHttp = false;
  private readonly retries: number;
  private readonly backoff: BackoffPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly auth: Authenticator;

  constructor(options: RegistryClientOptions) {
    this.transport = options.transport ?? defaultTransport();
    this.endpoint = registryEndpoint(options.registry, {
      ...(options.insecure !== undefined ? { insecure: options.insecure } : {}),
      ...(options.env !== undefined ? { env: options.env } : {}),
      tlsVerify: this.transport.tlsVerify,
    });
    this.idleMs = options.timeoutMs;
    this.retries = options.retries ?? 3;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.auth = new Authenticator(this.endpoint.name, options.credentials, {
      ...(this.idleMs !== undefined ? { idleMs: this.idleMs } : {}),
      transport: this.transport,
      now: this.now,
    });
  }

  /** The registry as users name it (`docker.io`, `127.0.0.1:5000`). */
  get registry(): string {
    return this.endpoint.name;
  }

  /** GET a manifest by tag or digest; its bytes are verified before they are returned. */
  async getManifest(repository: string, reference: string): Promise<ManifestResult> {
    const subject: RequestSubject = { kind: 'manifest', repository, reference };
    const response = await this.request(this.url(`/v2/${repository}/manifests/${reference}`), subject, {
      method: 'GET',
      headers: { accept: MANIFEST_ACCEPT },
    });
    const what = describeSubject(this.registry, subject);
    const body = await this.readWhole(response, MAX_MANIFEST_BYTES, `manifest ${what}`);
    const contentType = header(response, 'content-type');
    // A login page, a proxy's error page: the registry (or what stands in front of it) failed, exit 3;
    // not a malformed manifest (exit 2).
    if (bareMediaType(contentType) === 'text/html' || /^\s*</.test(body.subarray(0, 64).toString('utf8'))) {
      throw new RegistryError(
        `registry ${this.registry} answered HTML, not a manifest, for ${what} (HTTP ${response.status}, content-type ${contentType ?? 'none'})`,
        {
          code: ErrorCode.UNEXPECTED_RESPONSE,
          hint: 'a proxy or login page in front of the registry? check the registry URL',
        },
      );
    }
    // What a digest reference or Docker-Content-Digest promises, the body must be.
    if (reference.includes(':')) verifyContent(body, reference, undefined, `manifest ${what}`);
    const headerDigest = header(response, 'docker-content-digest');
    if (headerDigest !== undefined && isSha256Digest(headerDigest)) {
      verifyContent(body, headerDigest, undefined, `manifest ${what}`);
    }
    const mediaType = manifestMediaType(body, contentType, `manifest ${what}`);
    return { digest: sha256Digest(body), mediaType, body };
  }

  /** HEAD a manifest: its digest, media type and size without its body; undefined when there is none. */
  async headManifest(repository: string, reference: string): Promise<ManifestHead | undefined> {
    const subject: RequestSubject = { kind: 'manifest', repository, reference };
    const response = await this.request(this.url(`/v2/${repository}/manifests/${reference}`), subject, {
      method: 'HEAD',
      headers: { accept: MANIFEST_ACCEPT },
      absentOn404: true,
    });
    if (!response) return undefined;
    discard(response);
    const digest = header(response, 'docker-content-digest');
    const mediaType = bareMediaType(header(response, 'content-type'));
    const size = Number(header(response, 'content-length'));
    if (!digest || !mediaType || !isManifestMediaType(mediaType) || !Number.isFinite(size)) {
      // Some registries leave these out of HEAD answers: the GET tells for sure.
      const manifest = await this.getManifest(repository, reference);
      return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.body.length };
    }
    if (reference.includes(':') && isSha256Digest(digest) && digest !== reference) {
      throw digestMismatch(`manifest ${describeSubject(this.registry, subject)}`, reference, digest);
    }
    return { digest, mediaType, size };
  }

  /**
   * Stream a blob. Redirects (to a CDN or object store) are followed here, without Authorization
   * when they lead to another host. The stream is verified while it flows: a digest mismatch or a
   * long body make it emit a RegistryError instead of `end`. A connection that breaks off (or
   * stalls) is resumed with `Range: bytes=N-` from the last byte read, up to MAX_BLOB_RESUMES times;
   * the digest is still computed over the whole.
   */
  async getBlob(repository: string, descriptor: BlobDescriptor): Promise<Readable> {
    const subject: RequestSubject = { kind: 'blob', repository, digest: descriptor.digest };
    const what = `${this.registry}/${repository}`;
    const url = this.url(`/v2/${repository}/blobs/${descriptor.digest}`);
    const verifier = new DigestVerifier(descriptor.digest, descriptor.size, what);
    let received = 0;
    let resumes = 0;
    let current: Readable | undefined;
    const fail = (error: unknown) => {
      verifier.destroy(
        error instanceof RegistryError
          ? error
          : new RegistryError(
              `${what}: download of blob ${descriptor.digest} broke off after ${received} bytes${resumes > 0 ? ` and ${resumes} resumes` : ''}`,
              { code: ErrorCode.NETWORK, hint: 'retry; check the network', cause: safeCause(error) },
            ),
      );
    };
    const attach = (response: OpenResponse) => {
      // A registry that ignores Range answers 200 with the whole blob: skip what we already have.
      let skip = received > 0 && response.status !== 206 ? received : 0;
      if (response.status === 206) {
        const start = /^bytes (\d+)-/.exec(header(response, 'content-range') ?? '')?.[1];
        if (Number(start) !== received) {
          discard(response);
          throw new RegistryError(
            `${what}: registry ${this.registry} resumed blob ${descriptor.digest} at the wrong offset`,
            { code: ErrorCode.UNEXPECTED_RESPONSE, hint: 'retry' },
          );
        }
      }
      const source = response.body;
      current = source;
      let broken = false;
      const onBreak = (error: unknown) => {
        if (broken || verifier.destroyed) return;
        broken = true;
        source.destroy();
        const resumable =
          !(error instanceof RegistryError) || (error instanceof DeadlineError && error.stalled);
        if (!resumable || resumes >= MAX_BLOB_RESUMES) {
          fail(error);
          return;
        }
        resumes++;
        this.openBlob(url, subject, received).then(attach).catch(fail);
      };
      source.on('data', (chunk: Buffer) => {
        let data = chunk;
        if (skip > 0) {
          const n = Math.min(skip, data.length);
          skip -= n;
          data = data.subarray(n);
          if (data.length === 0) return;
        }
        received += data.length;
        if (!verifier.write(data)) {
          source.pause();
          verifier.once('drain', () => source.resume());
        }
      });
      source.on('error', onBreak);
      // A body that ends cleanly but short is the registry's whole answer: the verifier says so.
      source.on('end', () => verifier.end());
    };
    attach(await this.openBlob(url, subject, 0));
    verifier.on('close', () => {
      if (current && !current.destroyed) current.destroy();
    });
    return verifier;
  }

  private async openBlob(url: string, subject: RequestSubject, from: number): Promise<OpenResponse> {
    return await this.request(url, subject, {
      method: 'GET',
      ...(from > 0 ? { headers: { range: `bytes=${from}-` } } : {}),
    });
  }

  /** A small blob (an image config) in memory, verified; refused when larger than `maxBytes`. */
  async getBlobBuffer(
    repository: string,
    descriptor: BlobDescriptor,
    maxBytes = 16 * 1024 * 1024,
  ): Promise<Buffer> {
    if (descriptor.size > maxBytes) {
      throw new RegistryError(
        `${this.registry}/${repository}: blob ${descriptor.digest} is ${descriptor.size} bytes, more than the ${maxBytes} allowed here`,
        { code: ErrorCode.TOO_LARGE, hint: 'the manifest names a suspiciously large config' },
      );
    }
    const stream = await this.getBlob(repository, descriptor);
    return await readBody(stream, maxBytes, `${this.registry}/${repository}@${descriptor.digest}`);
  }

  /** Every tag of a repository, following Link pagination (`pageSize` sets `n`). */
  async listTags(repository: string, options: { pageSize?: number } = {}): Promise<string[]> {
    return await this.paginate(
      `/v2/${repository}/tags/list`,
      { kind: 'tags', repository },
      'tags',
      options.pageSize,
    );
  }

  /** Every repository the registry lists in `_catalog`, following Link pagination. */
  async catalog(options: { pageSize?: number } = {}): Promise<string[]> {
    return await this.paginate(
      '/v2/_catalog',
      { kind: 'catalog' },
      'repositories',
      options.pageSize ?? DEFAULT_CATALOG_PAGE_SIZE,
    );
  }

  private url(path: string): string {
    return `${this.endpoint.baseUrl}${path}`;
  }

  /** `url` on the scheme this registry turned out to speak (see RegistryEndpoint.httpFallback). */
  private onScheme(url: string): string {
    const https = `https://${this.endpoint.host}/`;
    return this.plainHttp && url.startsWith(https) ? `http://${url.slice('https://'.length)}` : url;
  }

  private async paginate(
    path: string,
    subject: RequestSubject,
    field: 'tags' | 'repositories',
    pageSize: number | undefined,
  ): Promise<string[]> {
    const all: string[] = [];
    const seen = new Set<string>();
    const maxPages = maxListPages(process.env);
    let next: string | undefined = this.url(pageSize ? `${path}?n=${pageSize}` : path);
    while (next !== undefined) {
      // A Link back to a page already read, or no end in sight: the list cannot be trusted whole.
      if (seen.has(next) || seen.size >= maxPages) {
        const url = new URL(next);
        const why = seen.has(next)
          ? `its next link leads back to ${url.pathname}${url.search}, a page it sent before`
          : `it still links to a next page after ${maxPages} pages`;
        const list =
          field === 'repositories' ? '_catalog' : `tag list of ${describeSubject(this.registry, subject)}`;
        throw new RegistryError(`registry ${this.registry} sent an endless ${list}: ${why}`, {
          code: ErrorCode.UNEXPECTED_RESPONSE,
          hint: 'a registry bug; report it to its operator',
        });
      }
      seen.add(next);
      const response = await this.request(next, subject, {
        method: 'GET',
        headers: { accept: 'application/json' },
      });
      const what = describeSubject(this.registry, subject);
      const body = await this.readWhole(response, MAX_LIST_PAGE_BYTES, `${field} of ${what}`);
      let page: unknown;
      try {
        page = (JSON.parse(body.toString('utf8')) as Record<string, unknown>)[field];
      } catch {
        throw new RegistryError(`registry ${this.registry} sent an unreadable ${field} list for ${what}`, {
          code: ErrorCode.UNEXPECTED_RESPONSE,
        });
      }
      if (Array.isArray(page))
        all.push(...page.filter((entry): entry is string => typeof entry === 'string'));
      next = nextLink(header(response, 'link'), next);
    }
    return all;
  }

  private async readWhole(response: OpenResponse, maxBytes: number, what: string): Promise<Buffer> {
    try {
      return await readBody(response.body, maxBytes, what);
    } catch (error) {
      if (error instanceof LayerdeltaError) throw error;
      throw new RegistryError(`${what}: download broke off`, {
        code: ErrorCode.NETWORK,
        hint: 'retry; check the network',
        cause: safeCause(error),
      });
    }
  }

  /**
   * One logical request: auth (one challenge round), redirects (Authorization only to the registry's
   * own origin), and retries of 429/5xx/transient network failures with backoff that honours
   * Retry-After. Resolves with a 2xx answer whose body is unread; anything else is a RegistryError.
   */
  private request(
    url: string,
    subject: RequestSubject,
    options: { method: 'GET' | 'HEAD'; headers?: Record<string, string>; absentOn404: true },
  ): Promise<OpenResponse | undefined>;
  private request(
    url: string,
    subject: RequestSubject,
    options: { method: 'GET' | 'HEAD'; headers?: Record<string, string> },
  ): Promise<OpenResponse>;
  private async request(
    url: string,
    subject: RequestSubject,
    options: { method: 'GET' | 'HEAD'; headers?: Record<string, string>; absentOn404?: boolean },
  ): Promise<OpenResponse | undefined> {
    let challenged = false;
    const phase = PHASES[subject.kind];
    for (let attempt = 0; ; attempt++) {
      url = this.onScheme(url);
      const registryOrigin = new URL(url).origin;
      let target = url;
      let response: OpenResponse | undefined;
      let redirects = 0;
      let sent: string | undefined;
      try {
        for (;;) {
          const sameHost = new URL(target).origin === registryOrigin;
          const authorization = sameHost ? await this.auth.authorization(subject) : undefined;
          sent = authorization;
          response = await openRequest(target, {
            method: options.method,
            headers: { ...options.headers, ...(authorization ? { authorization } : {}) },
            phase,
            transport: this.transport,
            ...(this.idleMs !== undefined ? { idleMs: this.idleMs } : {}),
          });
          const location = header(response, 'location');
          if (isRedirect(response.status) && location) {
            discard(response);
            if (++redirects > MAX_REDIRECTS) {
              throw new RegistryError(`too many redirects for ${describeSubject(this.registry, subject)}`, {
                code: ErrorCode.UNEXPECTED_RESPONSE,
              });
            }
            const next = new URL(location, target);
            // file:, ftp:, data:…: a registry redirects to another server, never elsewhere.
            if (next.protocol !== 'http:' && next.protocol !== 'https:') {
              throw new RegistryError(
                `registry ${this.registry} redirected ${describeSubject(this.registry, subject)} to a ${next.protocol} URL; only http and https redirects are followed`,
                { code: ErrorCode.UNEXPECTED_RESPONSE },
              );
            }
            target = next.toString();
            continue;
          }
          break;
        }
      } catch (error) {
        if (error instanceof RegistryError) throw error;
        if (this.endpoint.httpFallback && isNotTls(error) && target.startsWith('https:')) {
          this.plainHttp = true; // not a retry: the same request on the scheme the server speaks
          attempt--;
          continue;
        }
        const code = (error as { code?: string }).code;
        if (attempt < this.retries && isRetryableNetworkError(code)) {
          await this.sleep(retryDelayMs(attempt, undefined, this.now(), this.backoff));
          continue;
        }
        throw networkError(new URL(target).host, error, this.idleMs ?? this.transport.deadlines.idleMs);
      }
      const status = response.status;
      if (status >= 200 && status < 300) return response;
      if (status === 401 && !challenged && new URL(target).origin === registryOrigin) {
        challenged = true;
        const wwwAuthenticate = header(response, 'www-authenticate');
        discard(response);
        if (await this.auth.onChallenge(wwwAuthenticate, subject, sent)) {
          attempt--; // a challenge round is not a retry
          continue;
        }
        throw await this.auth.failure(subject, status);
      }
      if (status === 401 || status === 403) {
        discard(response);
        throw await this.auth.failure(subject, status);
      }
      if (status === 404 && options.absentOn404) {
        discard(response);
        return undefined;
      }
      if (isRetryableStatus(status) && attempt < this.retries) {
        const retryAfter = header(response, 'retry-after');
        discard(response);
        await this.sleep(retryDelayMs(attempt, retryAfter, this.now(), this.backoff));
        continue;
      }
      const code = options.method === 'GET' ? await errorCode(response) : undefined;
      discard(response);
      throw httpError(this.registry, subject, status, code);
    }
  }
}

const PHASES: Record<RequestSubject['kind'], Phase> = {
  manifest: 'manifest',
  blob: 'blob',
  tags: 'tag list',
  catalog: 'catalog',
};

function header(response: OpenResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** The `rel="next"` target of a Link header, resolved against the page it came with. */
export function nextLink(link: string | undefined, base: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match || !/;\s*rel="?next"?/i.test(match[2] ?? '')) continue;
    try {
      return new URL(match[1] ?? '', base).toString();
    } catch {
      throw new RegistryError(
        `the registry's Link header names no valid next page: ${(match[1] ?? '').slice(0, 200)}`,
        {
          code: ErrorCode.UNEXPECTED_RESPONSE,
        },
      );
    }
  }
  return undefined;
}
