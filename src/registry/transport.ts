import type { Agent, IncomingHttpHeaders } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { type Readable, Transform } from 'node:stream';
import got from 'got';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { ErrorCode, RegistryError } from '../errors.js';
import {
  type DeadlineError,
  type Deadlines,
  deadlinesFromEnv,
  type Phase,
  watchDeadlines,
} from './deadline.js';
import { proxyError, proxyFor } from './proxy.js';
import { isNotTls, type RegistryTls, registryTls, tlsError } from './tls.js';

/** An HTTP answer whose body has not been read yet. */
export interface OpenResponse {
  status: number;
  headers: IncomingHttpHeaders;
  url: string;
  body: Readable;
}

export interface TransportOptions {
  /** Where proxies, certs.d roots, NODE_EXTRA_CA_CERTS and deadlines come from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** false is `--tls-verify=false`: certificates are not verified (default true). */
  tlsVerify?: boolean;
  /** Default: LAYERDELTA_REQUEST_TIMEOUT / LAYERDELTA_IDLE_TIMEOUT from `env`. */
  deadlines?: Partial<Deadlines>;
}

/** One exchange's request (Transport.open, openRequest). */
export interface OpenOptions {
  method: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  phase: Phase;
  /** Overrides the idle window (a client's `timeoutMs`). */
  idleMs?: number;
}

/**
 * How requests reach registries in one run (docs/design.md §7): TLS trust per host from certs.d,
 * proxies from the environment (one agent per proxy, kept alive), and deadlines on every request.
 */
export class Transport {
  readonly env: NodeJS.ProcessEnv;
  readonly tlsVerify: boolean;
  readonly deadlines: Deadlines;
  private readonly tls = new Map<string, RegistryTls>();
  private readonly agents = new Map<string, Agent>();

  constructor(options: TransportOptions = {}) {
    this.env = options.env ?? process.env;
    this.tlsVerify = options.tlsVerify ?? true;
    this.deadlines = { ...deadlinesFromEnv(this.env), ...options.deadlines };
  }

  /** TLS settings of `host` (host[:port] as in the URL), read once per run. */
  tlsFor(host: string): RegistryTls {
    let found = this.tls.get(host);
    if (!found) {
      found = registryTls([host], this.tlsVerify, this.env);
      this.tls.set(host, found);
    }
    return found;
  }

  private agentFor(url: URL, proxy: URL): Agent {
    const key = `${url.protocol}${proxy.href}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent =
        url.protocol === 'https:'
          ? new HttpsProxyAgent(proxy, { keepAlive: true })
          : new HttpProxyAgent(proxy, { keepAlive: true });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /**
   * One HTTP exchange on got, with nothing automatic: no retries, no redirects, no decompression, no
   * throwing on status (the client decides all of that). Resolves when the headers arrive. Rejects
   * with a RegistryError for TLS failures and passed deadlines, else with got's error (it carries
   * `code`); a server that does not speak TLS is left to the caller (isNotTls) to try plain HTTP.
   */
  async open(url: string, options: OpenOptions): Promise<OpenResponse> {
    const target = new URL(url);
    const tls = target.protocol === 'https:' ? this.tlsFor(target.host) : undefined;
    const proxy = proxyFor(target, this.env);
    const agent = proxy ? this.agentFor(target, proxy) : undefined;
    const deadlines = {
      ...this.deadlines,
      ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
    };
    const t = deadlines.idleMs;
    const stream = got.stream(url, {
      method: options.method,
      headers: { 'user-agent': 'layerdelta', ...options.headers },
      ...(options.body !== undefined ? { body: options.body } : {}),
      ...(tls ? { https: tls.options } : {}),
      // A proxy agent tunnels https (CONNECT) itself; got only types it as an https.Agent.
      ...(agent
        ? { agent: target.protocol === 'https:' ? { https: agent as HttpsAgent } : { http: agent } }
        : {}),
      throwHttpErrors: false,
      followRedirect: false,
      decompress: false,
      retry: { limit: 0 },
      timeout: { lookup: t, connect: t, secureConnect: t },
    });
    // The caller reads `body`, never got's stream: our errors (deadlines) reach it unwrapped.
    const body = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        watch.progress(chunk.length);
        callback(null, chunk);
      },
    });
    // Readers attach their own error handlers; this one keeps an unread error from crashing the run.
    body.on('error', () => {});
    let expired: DeadlineError | undefined;
    const watch = watchDeadlines(target.host, options.phase, deadlines, (error) => {
      expired = error;
      stream.destroy();
      body.destroy(error);
    });
    body.on('close', () => {
      watch.stop();
      if (!stream.destroyed) stream.destroy();
    });
    return await new Promise<OpenResponse>((resolve, reject) => {
      body.once('error', (error) => reject(error));
      stream.on('error', (error) => {
        watch.stop();
        const translated =
          expired ??
          (tls && !isNotTls(error) ? tlsError(target.host, error, tls, this.env) : undefined) ??
          (proxy ? proxyError(proxy, target.host, error) : undefined) ??
          error;
        body.destroy(translated);
        reject(translated);
      });
      stream.once('response', (response: { statusCode: number; headers: IncomingHttpHeaders }) => {
        watch.answered();
        stream.pipe(body);
        resolve({ status: response.statusCode, headers: response.headers, url, body });
      });
    });
  }
}

let runTransport: Transport | undefined;

/** Set how this run reaches registries (the CLI does it once, from its flags). */
export function configureTransport(options: TransportOptions): Transport {
  runTransport = new Transport(options);
  return runTransport;
}

/** This run's transport: the configured one, else one from process.env. */
export function defaultTransport(): Transport {
  runTransport ??= new Transport();
  return runTransport;
}

/** One request on `transport` (default: this run's). See Transport.open. */
export async function openRequest(
  url: string,
  options: OpenOptions & { transport?: Transport },
): Promise<OpenResponse> {
  const { transport, ...rest } = options;
  return await (transport ?? defaultTransport()).open(url, rest);
}

/** Read a whole body, failing once it passes `maxBytes` (registries are not trusted to be small). */
export async function readBody(body: Readable, maxBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      body.destroy();
      throw new RegistryError(`${what} is larger than ${maxBytes} bytes`, {
        code: ErrorCode.TOO_LARGE,
        hint: 'the registry sent more than a sane response holds',
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Throw away a body we will not read (closes the connection rather than downloading it). */
export function discard(response: OpenResponse): void {
  response.body.on('error', () => {});
  response.body.destroy();
}

/** The distribution error code of an error response (`{"errors":[{"code":"MANIFEST_UNKNOWN"}]}`), if any. */
export async function errorCode(response: OpenResponse): Promise<string | undefined> {
  if (response.body.destroyed) return undefined;
  try {
    const text = (await readBody(response.body, 64 * 1024, 'error body')).toString('utf8');
    const parsed = JSON.parse(text) as { errors?: Array<{ code?: unknown }> };
    const code = parsed.errors?.[0]?.code;
    // A distribution error code is a word (MANIFEST_UNKNOWN); anything else is server text, not a code.
    return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}
