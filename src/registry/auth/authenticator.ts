import { ErrorCode, RegistryError } from '../../errors.js';
import { rememberLogin, rememberSecret } from '../../redact.js';
import { authenticationFailed, networkError, type RequestSubject } from '../http-errors.js';
import { discard, openRequest, readBody, type Transport } from '../transport.js';
import { parseChallenges } from './challenge.js';
import type { CredentialStore, Credentials } from './credentials.js';

/** `repository:NAME:pull`, or `registry:catalog:*` for the catalog. */
export function scopeFor(subject: RequestSubject): string {
  return 'repository' in subject && subject.repository
    ? `repository:${subject.repository}:pull`
    : 'registry:catalog:*';
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

/**
 * The auth state of one registry: anonymous until the registry challenges, then bearer tokens
 * (fetched from the challenge's realm, cached per scope until shortly before they expire) or basic
 * credentials. Credentials are looked up once, lazily, and never leave this object except in headers.
 */
export class Authenticator {
  private scheme: 'anonymous' | 'basic' | 'bearer' = 'anonymous';
  private realm?: string;
  private service: string | undefined;
  /** Per scope, the token being fetched or fetched last: concurrent requests share one fetch. */
  private readonly tokens = new Map<string, Promise<CachedToken>>();
  private credentials: Promise<Credentials | undefined> | undefined;

  constructor(
    /** Registry name for messages and credential lookup (`docker.io`, `host:port`). */
    private readonly registry: string,
    private readonly store: CredentialStore | undefined,
    private readonly options: { idleMs?: number; transport?: Transport; now: () => number },
  ) {}

  /** The Authorization header for a request in `scope`, when we know what the registry wants. */
  async authorization(subject: RequestSubject): Promise<string | undefined> {
    if (this.scheme === 'basic') return this.basicHeader(await this.lookupCredentials());
    // On a registry that already asked for tokens, fetch one for a new scope up front.
    if (this.scheme === 'bearer') return `Bearer ${await this.bearerToken(subject)}`;
    return undefined;
  }

  /**
   * The registry answered 401 with this `WWW-Authenticate` to a request that carried `sent`.
   * Prepare credentials for another try and say whether one is worth making.
   */
  async onChallenge(
    header: string | undefined,
    subject: RequestSubject,
    sent: string | undefined,
  ): Promise<boolean> {
    const challenges = parseChallenges(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer?.params.realm) {
      this.scheme = 'bearer';
      this.realm = bearer.params.realm;
      this.service = bearer.params.service;
      await this.bearerToken(subject, sent);
      return true;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      // Refused credentials may have expired (ECR tokens do): ask the store once more.
      if (sent !== undefined) this.credentials = undefined;
      const basic = this.basicHeader(await this.lookupCredentials());
      if (!basic || basic === sent) return false;
      this.scheme = 'basic';
      return true;
    }
    return false;
  }

  /**
   * A valid token for the subject's scope: the cached one unless it expired or is the one the
   * registry just `rejected`; otherwise one fetch, shared by every request waiting for it.
   */
  private async bearerToken(subject: RequestSubject, rejected?: string): Promise<string> {
    const scope = scopeFor(subject);
    const pending = this.tokens.get(scope);
    if (pending) {
      const token = await pending;
      if (token.expiresAt > this.options.now() && `Bearer ${token.value}` !== rejected) return token.value;
      const current = this.tokens.get(scope);
      if (current && current !== pending) return await this.bearerToken(subject, rejected);
    }
    const fetching = this.fetchToken(subject);
    this.tokens.set(scope, fetching);
    fetching.catch(() => {
      if (this.tokens.get(scope) === fetching) this.tokens.delete(scope);
    });
    return (await fetching).value;
  }

  /** The error for a request the registry refused (401/403), naming where the credentials came from. */
  async failure(subject: RequestSubject, status: number): Promise<RegistryError> {
    const credentials = await this.lookupCredentials().catch(() => undefined);
    return authenticationFailed(this.registry, subject, status, credentials, this.store?.consulted?.());
  }

  private lookupCredentials(): Promise<Credentials | undefined> {
    if (!this.credentials) {
      this.credentials = (this.store?.get(this.registry) ?? Promise.resolve(undefined)).then((found) => {
        // Every secret the run holds is redacted from whatever it prints (docs/design.md §9).
        rememberLogin(found?.username, found?.password);
        rememberSecret(found?.identityToken);
        rememberSecret(found?.registryToken);
        return found;
      });
    }
    return this.credentials;
  }

  private basicHeader(credentials: Credentials | undefined): string | undefined {
    if (credentials?.registryToken) return `Bearer ${credentials.registryToken}`;
    if (credentials?.username === undefined || credentials.password === undefined) return undefined;
    return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  }

  /** GET realm?service=&scope= (basic credentials when we have them), or the OAuth2 refresh-token POST. */
  private async fetchToken(subject: RequestSubject): Promise<CachedToken> {
    const scope = scopeFor(subject);
    const credentials = await this.lookupCredentials();
    if (credentials?.registryToken)
      return { value: credentials.registryToken, expiresAt: Number.POSITIVE_INFINITY };
    const realm = new URL(this.realm ?? '');
    const headers: Record<string, string> = { accept: 'application/json' };
    let method: 'GET' | 'POST' = 'GET';
    let body: string | undefined;
    if (credentials?.identityToken) {
      method = 'POST';
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credentials.identityToken,
        client_id: 'layerdelta',
        scope,
      });
      if (this.service) form.set('service', this.service);
      body = form.toString();
    } else {
      if (this.service) realm.searchParams.set('service', this.service);
      realm.searchParams.set('scope', scope);
      const basic = this.basicHeader(credentials);
      if (basic) headers.authorization = basic;
    }
    let response: Awaited<ReturnType<typeof openRequest>>;
    try {
      response = await openRequest(realm.toString(), {
        method,
        headers,
        phase: 'token',
        ...(this.options.transport ? { transport: this.options.transport } : {}),
        ...(this.options.idleMs !== undefined ? { idleMs: this.options.idleMs } : {}),
        ...(body !== undefined ? { body } : {}),
      });
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      throw networkError(realm.host, error, this.options.idleMs ?? 30_000);
    }
    if (response.status === 401 || response.status === 403) {
      discard(response);
      throw authenticationFailed(this.registry, subject, response.status, credentials);
    }
    if (response.status !== 200) {
      discard(response);
      throw new RegistryError(
        `token server ${realm.host} answered HTTP ${response.status} for ${this.registry}`,
        { code: ErrorCode.UNEXPECTED_RESPONSE, hint: 'retry later', status: response.status },
      );
    }
    const text = (await readBody(response.body, 1024 * 1024, `token from ${realm.host}`)).toString('utf8');
    const { token, refreshToken, lifetimeSeconds } = parseTokenAnswer(text, realm.host, this.registry);
    rememberSecret(token);
    if (refreshToken !== undefined) rememberSecret(refreshToken);
    return { value: token, expiresAt: this.options.now() + lifetimeSeconds * 900 };
  }
}

export interface TokenAnswer {
  token: string;
  refreshToken?: string;
  lifetimeSeconds: number;
}

/**
 * A token server's answer (distribution's token spec): `token` or `access_token`, maybe `refresh_token` and
 * `expires_in`. Anything else, `null` and arrays included, is a RegistryError (exit 3).
 */
export function parseTokenAnswer(text: string, realmHost: string, registry: string): TokenAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RegistryError(`token server ${realmHost} sent an unreadable answer for ${registry}`, {
      code: ErrorCode.UNEXPECTED_RESPONSE,
    });
  }
  const fields = parsed as Record<string, unknown>;
  const token = typeof fields.token === 'string' && fields.token !== '' ? fields.token : fields.access_token;
  if (typeof token !== 'string' || token === '') {
    // A refresh token that came without an access token is still a secret of this run.
    if (typeof fields.refresh_token === 'string') rememberSecret(fields.refresh_token);
    throw new RegistryError(`token server ${realmHost} sent no token for ${registry}`, {
      code: ErrorCode.UNEXPECTED_RESPONSE,
    });
  }
  // Tokens without expires_in live 60 s (distribution's token spec); renew a little early.
  const expires = fields.expires_in;
  const answer: TokenAnswer = {
    token,
    lifetimeSeconds: typeof expires === 'number' && Number.isFinite(expires) && expires > 0 ? expires : 60,
  };
  if (typeof fields.refresh_token === 'string') answer.refreshToken = fields.refresh_token;
  return answer;
}
