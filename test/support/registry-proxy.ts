/**
 * A counting reverse proxy to put in front of a test registry: it records every request (method,
 * path, status, whether Authorization came along), and on demand answers with 429/503 (+Retry-After),
 * corrupts or truncates bodies, or redirects blob GETs to another local host. Scan and cache tests
 * use its counts ("each blob fetched at most once"); client tests use its faults.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';

export interface ProxyOptions {
  /** Answer every blob GET with a 307 to `${redirectBlobsTo}${path}` (another local host, see startBlobHost). */
  redirectBlobsTo?: string;
  /**
   * Paginate `tags/list` answers by `n` and `last` with a `Link: <...>; rel="next"` header, as the
   * distribution spec allows and GHCR or Docker Hub do (distribution 2.8 ignores `n` on tags).
   */
  paginateTags?: boolean;
  /**
   * Answer this fraction of requests (0..1) with one of `statuses` (429 gets `Retry-After: 0`), drawn
   * from a PRNG seeded with `seed`: a flaky registry that retries get through.
   */
  randomFaults?: { fraction: number; statuses: number[]; seed: number };
}

export interface ProxiedRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  status: number;
  authorization: boolean;
  /** The Range header, when the client asked for part of a body. */
  range?: string;
}

type Fault =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'corrupt' }
  | { kind: 'truncate' };

interface Rule {
  match: RegExp;
  method?: string;
  remaining: number;
  fault: Fault;
}

export interface RegistryProxy {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT: give this to the client instead of the registry's host. */
  host: string;
  requests: ProxiedRequest[];
  /** Requests seen with this method whose path matches (substring or RegExp). */
  count(method: string, path?: string | RegExp): number;
  /** Blob GETs seen (for one digest, or all). */
  blobGets(digest?: string): number;
  /** The next `count` requests matching `match` (default: any) get `status`, with Retry-After when given. */
  failNext(
    count: number,
    status: number,
    options?: { retryAfter?: string; match?: RegExp; method?: string },
  ): void;
  /** The next matching response bodies get one byte flipped (length kept). */
  corruptNext(match: RegExp, count?: number): void;
  /** The next matching responses send half their body, then the connection is cut. */
  truncateNext(match: RegExp, count?: number): void;
  /** Forget recorded requests. */
  reset(): void;
  stop(): Promise<void>;
}

const BLOB_PATH = /^\/v2\/.+\/blobs\/sha256:[0-9a-f]{64}/;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return address.port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function forward(
  target: URL,
  req: IncomingMessage,
  onResponse: (upstream: IncomingMessage) => void,
  onError: (error: Error) => void,
  headers: IncomingMessage['headers'] = req.headers,
): void {
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
    onResponse,
  );
  upstream.on('error', onError);
  req.pipe(upstream);
}

export async function startProxy(targetUrl: string, options: ProxyOptions = {}): Promise<RegistryProxy> {
  const target = new URL(targetUrl);
  const requests: ProxiedRequest[] = [];
  const rules: Rule[] = [];
  const random = mulberry32(options.randomFaults?.seed ?? 0);
  const randomFault = (): Fault | undefined => {
    const faults = options.randomFaults;
    if (!faults || random() >= faults.fraction) return undefined;
    const status = faults.statuses[Math.floor(random() * faults.statuses.length)] ?? 503;
    return { kind: 'status', status, ...(status === 429 ? { retryAfter: '0' } : {}) };
  };

  // Status faults apply to requests; body faults to the next successful (2xx) answers only.
  const takeFault = (req: IncomingMessage, stage: 'request' | 'body'): Fault | undefined => {
    const rule = rules.find(
      (r) =>
        r.remaining > 0 &&
        (r.fault.kind === 'status') === (stage === 'request') &&
        r.match.test(req.url ?? '') &&
        (!r.method || r.method === req.method),
    );
    if (!rule) return undefined;
    rule.remaining--;
    return rule.fault;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const record: ProxiedRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      status: 0,
      authorization: req.headers.authorization !== undefined,
      ...(req.headers.range !== undefined ? { range: req.headers.range } : {}),
    };
    requests.push(record);
    const fault = takeFault(req, 'request') ?? randomFault();
    if (fault?.kind === 'status') {
      record.status = fault.status;
      req.resume();
      res
        .writeHead(fault.status, {
          'content-type': 'application/json',
          ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
        })
        .end('{"errors":[{"code":"TOOMANYREQUESTS","message":"injected by the test proxy"}]}');
      return;
    }
    if (options.redirectBlobsTo && req.method === 'GET' && BLOB_PATH.test(req.url ?? '')) {
      record.status = 307;
      req.resume();
      res.writeHead(307, { location: `${options.redirectBlobsTo}${req.url}` }).end();
      return;
    }
    const tagsPage = options.paginateTags ? tagsPageRequest(req.url ?? '') : undefined;
    forward(
      target,
      req,
      (upstream) => {
        record.status = upstream.statusCode ?? 0;
        if (tagsPage && upstream.statusCode === 200) {
          paginateTagsAnswer(upstream, res, tagsPage);
          return;
        }
        const ok = (upstream.statusCode ?? 0) >= 200 && (upstream.statusCode ?? 0) < 300;
        const bodyFault = ok ? takeFault(req, 'body') : undefined;
        if (!bodyFault) {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        upstream.on('data', (c: Buffer) => chunks.push(c));
        upstream.on('end', () => {
          const body = Buffer.concat(chunks);
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          if (bodyFault.kind === 'corrupt') {
            if (body.length > 0) body[body.length >> 1] = (body[body.length >> 1] ?? 0) ^ 0xff;
            res.end(body);
          } else {
            res.write(body.subarray(0, body.length >> 1), () => res.socket?.destroy());
          }
        });
      },
      () => {
        record.status = 502;
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      },
    );
  });
  const port = await listen(server);
  const matches = (path: string, pattern?: string | RegExp) =>
    pattern === undefined || (typeof pattern === 'string' ? path.includes(pattern) : pattern.test(path));
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    count: (method, path) => requests.filter((r) => r.method === method && matches(r.path, path)).length,
    blobGets: (digest) =>
      requests.filter((r) => r.method === 'GET' && BLOB_PATH.test(r.path) && matches(r.path, digest)).length,
    failNext: (count, status, opts = {}) => {
      rules.push({
        match: opts.match ?? /./,
        ...(opts.method ? { method: opts.method } : {}),
        remaining: count,
        fault: {
          kind: 'status',
          status,
          ...(opts.retryAfter !== undefined ? { retryAfter: opts.retryAfter } : {}),
        },
      });
    },
    corruptNext: (match, count = 1) => {
      rules.push({ match, method: 'GET', remaining: count, fault: { kind: 'corrupt' } });
    },
    truncateNext: (match, count = 1) => {
      rules.push({ match, method: 'GET', remaining: count, fault: { kind: 'truncate' } });
    },
    reset: () => {
      requests.length = 0;
      rules.length = 0;
    },
    stop: () => close(server),
  };
}

interface TagsPage {
  path: string;
  n: number;
  last: string | undefined;
}

function tagsPageRequest(url: string): TagsPage | undefined {
  const parsed = new URL(url, 'http://proxy');
  const n = Number(parsed.searchParams.get('n'));
  if (!/^\/v2\/.+\/tags\/list$/.test(parsed.pathname) || !(n > 0)) return undefined;
  return { path: parsed.pathname, n, last: parsed.searchParams.get('last') ?? undefined };
}

function paginateTagsAnswer(upstream: IncomingMessage, res: ServerResponse, page: TagsPage): void {
  const chunks: Buffer[] = [];
  upstream.on('data', (c: Buffer) => chunks.push(c));
  upstream.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      name: string;
      tags: string[] | null;
    };
    const sorted = [...(body.tags ?? [])].sort();
    const rest = page.last === undefined ? sorted : sorted.filter((t) => t > (page.last ?? ''));
    const tags = rest.slice(0, page.n);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (rest.length > page.n) {
      const last = encodeURIComponent(tags.at(-1) ?? '');
      headers.link = `<${page.path}?last=${last}&n=${page.n}>; rel="next"`;
    }
    res.writeHead(200, headers).end(JSON.stringify({ name: body.name, tags }));
  });
}

export interface BlobHost {
  url: string;
  host: string;
  /** Every request that reached this host, with the Authorization header it carried (if any). */
  requests: Array<{ path: string; authorization?: string }>;
  stop(): Promise<void>;
}

/**
 * A second local host standing in for a CDN: serves the paths a proxy redirects to it by fetching
 * them from the registry with its own `authorization` (never the client's), and records whether the
 * client sent an Authorization header (it must not).
 */
export async function startBlobHost(
  registryUrl: string,
  options: { authorization?: string } = {},
): Promise<BlobHost> {
  const target = new URL(registryUrl);
  const requests: BlobHost['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({
      path: req.url ?? '/',
      ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}),
    });
    const headers = { ...req.headers, host: target.host };
    delete headers.authorization;
    if (options.authorization) headers.authorization = options.authorization;
    forward(
      target,
      req,
      (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      },
      () => res.writeHead(502).end(),
      headers,
    );
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, requests, stop: () => close(server) };
}

/** A small seeded PRNG (mulberry32): the same faults for the same seed and request order. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
