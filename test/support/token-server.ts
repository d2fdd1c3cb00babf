/**
 * A small token issuer for distribution's `auth.token` (the Docker token spec): checks basic
 * credentials on GET ?service=&scope=, and answers with an RS256 JWT whose header carries its
 * self-signed certificate in `x5c`, the certificate being the registry's `rootcertbundle`.
 * Key and certificate come from the `openssl` CLI in a temp dir.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TokenServerOptions {
  /** username → password; requests with other credentials get 401. */
  users: Record<string, string>;
  /** Grant `pull` on every repository to requests without credentials (default false: 401). */
  anonymousPull?: boolean;
  /** Which JSON field carries the token (default both `token` and `access_token`). */
  tokenField?: 'token' | 'access_token' | 'both';
  /** OAuth2 refresh tokens (docker's identity tokens) → the user they log in, for POST grant_type=refresh_token. */
  refreshTokens?: Record<string, string>;
  /** expires_in of issued tokens (default 300 s). */
  expiresInSeconds?: number;
}

export interface TokenRequest {
  method: string;
  service: string | null;
  scope: string | null;
  /** The user that authenticated, if any. */
  user?: string;
  status: number;
}

export interface TokenServer {
  url: string;
  /** The registry's `auth.token` settings. */
  realm: string;
  service: string;
  issuer: string;
  /** PEM file holding the issuer certificate (`rootcertbundle`). */
  rootCertBundle: string;
  /** Tokens issued so far. */
  readonly issued: number;
  /** Every token request, in order. */
  requests: TokenRequest[];
  stop(): Promise<void>;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** repository:NAME:ACTIONS (NAME may hold ':'? no; but catalog is registry:catalog:*). */
function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter((a) => a !== ''),
  };
}

function basicUser(req: IncomingMessage): { user: string; password: string } | undefined {
  const header = req.headers.authorization;
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const dir = mkdtempSync(join(tmpdir(), 'layerdelta-token-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '2',
      '-subj',
      '/CN=layerdelta-test-token-issuer',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  const privateKey = readFileSync(keyFile, 'utf8');
  const certPem = readFileSync(certFile, 'utf8');
  const certDer = certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  const issuer = 'layerdelta-test-issuer';
  const service = 'layerdelta-test-registry';
  const expiresIn = options.expiresInSeconds ?? 300;
  let issued = 0;
  const requests: TokenRequest[] = [];

  const server: Server = createServer((req, res) => {
    let form = '';
    req.on('data', (d: Buffer) => {
      form += d.toString('utf8');
    });
    req.on('end', () => answer(req, new URLSearchParams(req.method === 'POST' ? form : ''), res));
  });

  const answer = (req: IncomingMessage, form: URLSearchParams, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://token');
    const params = req.method === 'POST' ? form : url.searchParams;
    const scopes = params.getAll('scope').flatMap((s) => s.split(' '));
    const credentials = basicUser(req);
    const record: TokenRequest = {
      method: req.method ?? 'GET',
      service: params.get('service'),
      scope: scopes.join(' ') || null,
      status: 0,
    };
    requests.push(record);
    let user: string | undefined;
    if (req.method === 'POST') {
      const refreshToken = params.get('refresh_token') ?? '';
      user = params.get('grant_type') === 'refresh_token' ? options.refreshTokens?.[refreshToken] : undefined;
      if (user === undefined) {
        record.status = 401;
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
        return;
      }
      record.user = user;
    } else if (credentials) {
      if (
        options.users[credentials.user] === undefined ||
        options.users[credentials.user] !== credentials.password
      ) {
        record.status = 401;
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"invalid credentials"}');
        return;
      }
      user = credentials.user;
      record.user = user;
    } else if (!options.anonymousPull) {
      record.status = 401;
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"credentials required"}');
      return;
    }
    const access = scopes
      .map(parseScope)
      .filter((s) => s !== undefined)
      .map((s) => ({ ...s, actions: user ? s.actions : s.actions.filter((a) => a === 'pull') }));
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certDer] };
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud: params.get('service') ?? service,
      exp: now + expiresIn,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), privateKey);
    const token = `${signingInput}.${base64url(signature)}`;
    issued++;
    record.status = 200;
    const field = options.tokenField ?? 'both';
    const body: Record<string, unknown> = {
      expires_in: expiresIn,
      issued_at: new Date(now * 1000).toISOString(),
    };
    if (field !== 'access_token') body.token = token;
    if (field !== 'token') body.access_token = token;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('token server has no address');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    realm: `${url}/token`,
    service,
    issuer,
    rootCertBundle: certFile,
    get issued() {
      return issued;
    },
    requests,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
