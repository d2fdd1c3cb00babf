/**
 * Pushgateway client: the grouping-key URL (with the `@base64` form that prom-client lacks) and a
 * PUT with retries. A PUT replaces the whole group, so series of binaries that went away disappear.
 */

import got, { HTTPError, RequestError } from 'got';
import { MetricsPushError, UsageError } from '../errors.js';
import { rememberLogin, rememberSecret } from '../redact.js';

/** Statuses worth another attempt; any other refusal (e.g. 400 for inconsistent labels) is final. */
const RETRIED_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** A grouping value in the URL-safe base64 form of the Pushgateway docs; `=` stands for "empty". */
export function base64UrlValue(value: string): string {
  return value === '' ? '=' : Buffer.from(value, 'utf8').toString('base64url');
}

/** A URL without user name and password: the only form that may appear in logs and errors. */
export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

/** Parse `--pushgateway`; anything but an http(s) URL is a usage error. */
export function parsePushgatewayUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--pushgateway value is not a URL`, {
      hint: 'e.g. --pushgateway http://pushgateway:9091',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--pushgateway ${redactUrl(url)} is not an http(s) URL`, {
      hint: 'e.g. --pushgateway http://pushgateway:9091',
    });
  }
  return url;
}

/**
 * `<base>/metrics/job/<job>/<name>@base64/<value>/...`: every grouping value (they may contain `/`,
 * as repositories do) is base64url-encoded; the job too when it holds anything but [A-Za-z0-9_.-].
 */
export function groupUrl(base: URL, job: string, grouping: Record<string, string>): URL {
  const url = new URL(base.href);
  const jobPart = /^[A-Za-z0-9_.-]+$/.test(job) ? `job/${job}` : `job@base64/${base64UrlValue(job)}`;
  const labelParts = Object.entries(grouping).map(
    ([name, value]) => `${name}@base64/${base64UrlValue(value)}`,
  );
  url.pathname = [url.pathname.replace(/\/+$/, ''), 'metrics', jobPart, ...labelParts].join('/');
  url.search = '';
  url.hash = '';
  return url;
}

export interface PushOptions {
  /** Attempts after the first one (network errors, 429 and 5xx only). */
  retries?: number;
  /** Delay before the first retry; doubled on each further one. */
  retryDelayMs?: number;
  timeoutMs?: number;
}

/** PUT a text-format body to a group URL; MetricsPushError (exit 4) once retries are spent. */
export async function putGroup(url: URL, body: string, options: PushOptions = {}): Promise<void> {
  const retries = options.retries ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  rememberLogin(username, password);
  rememberSecret(url.password);
  const target = new URL(url.href);
  target.username = '';
  target.password = '';
  try {
    await got.put(target, {
      body,
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' },
      ...(username || password ? { username, password } : {}),
      timeout: { request: options.timeoutMs ?? 10_000 },
      retry: {
        limit: retries,
        methods: ['PUT'],
        statusCodes: [...RETRIED_STATUS],
        calculateDelay: ({ attemptCount, computedValue }) =>
          computedValue === 0 ? 0 : retryDelayMs * 2 ** (attemptCount - 1),
      },
    });
  } catch (err) {
    throw pushError(err, target, retries + 1);
  }
}

function pushError(err: unknown, url: URL, attempts: number): MetricsPushError {
  const where = redactUrl(url);
  if (err instanceof HTTPError) {
    const status = err.response.statusCode;
    const tries = RETRIED_STATUS.has(status) ? ` after ${attempts} attempts` : '';
    const detail = String(err.response.body ?? '')
      .split('\n')[0]
      ?.trim()
      .slice(0, 200);
    return new MetricsPushError(
      `Pushgateway refused the metrics push to ${where}${tries}: HTTP ${status}${detail ? `: ${detail}` : ''}`,
      {
        hint: 'check the URL, the --label names and the Pushgateway log; the report was written',
        cause: err,
      },
    );
  }
  const code = err instanceof RequestError ? (err.code ?? err.name) : 'error';
  return new MetricsPushError(`could not push metrics to ${where} after ${attempts} attempts: ${code}`, {
    hint: 'is the Pushgateway up and reachable? the report was written',
    cause: err,
  });
}
