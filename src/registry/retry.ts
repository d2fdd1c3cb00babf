/** When to try a registry request again, and how long to wait first. */

/** HTTP statuses worth another try: rate limiting and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * Network failures worth another try. A refused connection or an unknown host is not: the answer
 * would be the same a second later, and the user should hear it at once.
 */
export function isRetryableNetworkError(code: string | undefined): boolean {
  return (
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === 'EPIPE' ||
    code === 'EAI_AGAIN' ||
    code === 'ECONNABORTED' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE'
  );
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export interface BackoffPolicy {
  /** First delay without a Retry-After (doubles each attempt). */
  baseDelayMs: number;
  /** Longest delay of our own backoff. */
  maxDelayMs: number;
  /** Longest wait a registry's Retry-After may ask for. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 30_000,
};

/** Delay before retry number `attempt` (0-based): the registry's Retry-After when given (capped), else exponential. */
export function retryDelayMs(
  attempt: number,
  retryAfter: string | undefined,
  now: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  const asked = parseRetryAfter(retryAfter, now);
  if (asked !== undefined) return Math.min(asked, policy.maxRetryAfterMs);
  return Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
}
