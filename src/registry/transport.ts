import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import got from 'got';
import { ErrorCode, RegistryError } from '../errors.js';

/** An HTTP answer whose body has not been read yet. */
export interface OpenResponse {
  status: number;
  headers: IncomingHttpHeaders;
  url: string;
  body: Readable;
}

/**
 * One HTTP exchange on got, with nothing automatic: no retries, no redirects, no decompression, no
 * throwing on status (the client decides all of that). Resolves when the headers arrive; rejects with
 * got's error (it carries `code`) when no answer came.
 */
export async function openRequest(
  url: string,
  options: {
    method: 'GET' | 'HEAD' | 'POST';
    headers?: Record<string, string>;
    timeoutMs: number;
    body?: string;
  },
): Promise<OpenResponse> {
  const t = options.timeoutMs;
  const stream = got.stream(url, {
    method: options.method,
    headers: { 'user-agent': 'layerdelta', ...options.headers },
    ...(options.body !== undefined ? { body: options.body } : {}),
    throwHttpErrors: false,
    followRedirect: false,
    decompress: false,
    retry: { limit: 0 },
    timeout: { lookup: t, connect: t, secureConnect: t, send: t, response: t, socket: t },
  });
  return await new Promise<OpenResponse>((resolve, reject) => {
    stream.once('error', reject);
    stream.once('response', (response: { statusCode: number; headers: IncomingHttpHeaders }) => {
      stream.off('error', reject);
      resolve({ status: response.statusCode, headers: response.headers, url, body: stream });
    });
  });
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
