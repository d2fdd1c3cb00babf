/**
 * How long a registry request may take (docs/design.md §7, "timeouts everywhere"). Two limits:
 * - total: a manifest, token, tag-list or catalog request ends within LAYERDELTA_REQUEST_TIMEOUT
 *   seconds (default 60), answer and body included; a trickling server cannot stretch it.
 * - progress: any request, blobs included, must move at least MIN_PROGRESS_BYTES (or get its answer)
 *   in every LAYERDELTA_IDLE_TIMEOUT window (default 30 s); a blob has no total limit while it moves.
 */
import { ErrorCode, RegistryError, UsageError } from '../errors.js';

export interface Deadlines {
  /** Total time of a manifest, token, tag-list or catalog request. */
  requestMs: number;
  /** The window in which a request must make progress. */
  idleMs: number;
}

export const DEFAULT_DEADLINES: Deadlines = { requestMs: 60_000, idleMs: 30_000 };

/** Less than this per idle window is a stall, not a download (1 KiB / 30 s ≈ 34 B/s). */
export const MIN_PROGRESS_BYTES = 1024;

/** What a request is for, in the words of the timeout message. */
export type Phase = 'manifest' | 'blob' | 'tag list' | 'catalog' | 'token';

/** A duration in seconds from `env[name]` (a positive number), in milliseconds; `fallbackMs` when unset. */
export function seconds(env: NodeJS.ProcessEnv, name: string, fallbackMs: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallbackMs;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${name} must be a positive number of seconds, not ${JSON.stringify(raw)}`);
  }
  return Math.round(value * 1000);
}

/** The deadlines of this run: LAYERDELTA_REQUEST_TIMEOUT and LAYERDELTA_IDLE_TIMEOUT (seconds). */
export function deadlinesFromEnv(env: NodeJS.ProcessEnv = process.env): Deadlines {
  return {
    requestMs: seconds(env, 'LAYERDELTA_REQUEST_TIMEOUT', DEFAULT_DEADLINES.requestMs),
    idleMs: seconds(env, 'LAYERDELTA_IDLE_TIMEOUT', DEFAULT_DEADLINES.idleMs),
  };
}

/** The error a request dies with when a deadline passes; `stalled` ones are worth resuming (blobs). */
export class DeadlineError extends RegistryError {
  readonly stalled: boolean;
  constructor(message: string, stalled: boolean) {
    super(message, {
      code: ErrorCode.NETWORK,
      hint: stalled
        ? 'the registry stopped sending; retry, or raise LAYERDELTA_IDLE_TIMEOUT'
        : 'the registry is too slow; retry, or raise LAYERDELTA_REQUEST_TIMEOUT',
    });
    this.stalled = stalled;
  }
}

/**
 * Watches one request: call `progress(bytes)` as data arrives and `answered()` when headers came;
 * `onExpire` runs once with the DeadlineError when a limit passes. `stop()` when the request ends.
 */
export function watchDeadlines(
  host: string,
  phase: Phase,
  deadlines: Deadlines,
  onExpire: (error: DeadlineError) => void,
): { progress(bytes: number): void; answered(): void; stop(): void } {
  let stage = 'waiting for an answer';
  let moved = 0;
  let done = false;
  const expire = (error: DeadlineError) => {
    if (done) return;
    stop();
    onExpire(error);
  };
  const idleSeconds = deadlines.idleMs / 1000;
  const idle = setInterval(() => {
    if (moved < MIN_PROGRESS_BYTES) {
      expire(
        new DeadlineError(
          `registry ${host}: ${phase} request stalled while ${stage} (less than 1 KiB in ${idleSeconds} s, LAYERDELTA_IDLE_TIMEOUT)`,
          true,
        ),
      );
    }
    moved = 0;
  }, deadlines.idleMs);
  const total =
    phase === 'blob'
      ? undefined
      : setTimeout(
          () =>
            expire(
              new DeadlineError(
                `registry ${host}: ${phase} request timed out while ${stage} (after ${deadlines.requestMs / 1000} s, LAYERDELTA_REQUEST_TIMEOUT)`,
                false,
              ),
            ),
          deadlines.requestMs,
        );
  idle.unref();
  total?.unref();
  function stop(): void {
    done = true;
    clearInterval(idle);
    if (total) clearTimeout(total);
  }
  return {
    progress(bytes) {
      moved += bytes;
    },
    answered() {
      stage = 'reading the body';
      moved += MIN_PROGRESS_BYTES;
    },
    stop,
  };
}
