/**
 * Typed errors carry the exit code of docs/design.md §5, so every command maps a failure to one line and
 * one exit code without knowing where it came from.
 */
export const ExitCode = {
  ok: 0,
  threshold: 1,
  usage: 2,
  registry: 3,
  metricsPush: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class LayerdeltaError extends Error {
  readonly exitCode: ExitCode;
  /** What the user can do about it, appended to the one-line message. */
  readonly hint?: string;

  constructor(message: string, exitCode: ExitCode, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    if (options?.hint !== undefined) this.hint = options.hint;
  }

  /** The single line printed to stderr. */
  oneLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

/** Bad flags, malformed reference, malformed config or manifest, unknown media type: exit 2. */
export class UsageError extends LayerdeltaError {
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

/** Registry, network, blob content (digest mismatch, truncation): exit 3. */
export class RegistryError extends LayerdeltaError {
  /** HTTP status when the registry answered. */
  readonly status?: number;
  constructor(message: string, options?: { hint?: string; cause?: unknown; status?: number }) {
    super(message, ExitCode.registry, options);
    if (options?.status !== undefined) this.status = options.status;
  }
}

/** Pushgateway unreachable or refused after retries: exit 4 (the report has been written already). */
export class MetricsPushError extends LayerdeltaError {
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, ExitCode.metricsPush, options);
  }
}
