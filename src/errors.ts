/**
 * Typed errors carry the exit code of docs/design.md §5, so every command maps a failure to one line and
 * one exit code without knowing where it came from.
 */
import { redact } from './redact.js';
import { escapeControl } from './terminal-text.js';

/** Text fit for one line of output: credentials redacted, control characters escaped. */
export function oneLineText(text: string): string {
  return escapeControl(redact(text));
}

export const ExitCode = {
  ok: 0,
  threshold: 1,
  usage: 2,
  registry: 3,
  metricsPush: 4,
  /** A bug: an error no layer of ours expected (sysexits' EX_SOFTWARE), never taken for a user error. */
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The condition an error names, so callers test what happened (`error.code === 'MANIFEST_UNKNOWN'`)
 * instead of which class was thrown. The class still decides the exit code; a code says why.
 * Registry conditions use the distribution spec's error code names where one exists.
 */
export const ErrorCode = {
  // Exit 2 (UsageError): what the user gave cannot be used.
  /** A flag or argument that is not valid (the default for UsageError). */
  USAGE: 'USAGE',
  /** An image reference that does not parse. */
  INVALID_REFERENCE: 'INVALID_REFERENCE',
  /** A digest that is not `sha256:` and 64 lowercase hex digits. */
  UNSUPPORTED_DIGEST: 'UNSUPPORTED_DIGEST',
  /** A manifest or index that is not valid JSON or lacks what every manifest has. */
  MANIFEST_INVALID: 'MANIFEST_INVALID',
  /** An image config that is not valid JSON or lacks os, architecture or rootfs. */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** A manifest or layer media type layerdelta does not read (Docker schema 1 included). */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** The content is no image of the wanted platform: an artifact (signature, SBOM) or another platform. */
  NOT_AN_IMAGE_OF_PLATFORM: 'NOT_AN_IMAGE_OF_PLATFORM',
  /** A manifest, config or response larger than layerdelta reads whole. */
  TOO_LARGE: 'TOO_LARGE',
  /** An OCI layout or docker archive that is missing or not one (no oci-layout, not a tar, …). */
  SOURCE_INVALID: 'SOURCE_INVALID',
  /** A file is not an ELF executable. */
  NOT_AN_ELF: 'NOT_AN_ELF',
  /** An ELF file without Go build info. */
  NOT_A_GO_BINARY: 'NOT_A_GO_BINARY',
  /** A Go binary packed with UPX. */
  PACKED_BINARY: 'PACKED_BINARY',
  /** An ELF or pclntab layout layerdelta does not read. */
  UNSUPPORTED_BINARY: 'UNSUPPORTED_BINARY',
  /** A Go binary whose ELF, build info or pclntab is truncated or corrupt. */
  BINARY_CORRUPT: 'BINARY_CORRUPT',

  // Exit 3 (ContentError): content is missing or not what its digest says.
  /** Bytes whose sha256 is not the digest that names them. */
  DIGEST_MISMATCH: 'DIGEST_MISMATCH',
  /** More or fewer bytes than the descriptor says (a truncated download included). */
  SIZE_MISMATCH: 'SIZE_MISMATCH',
  /** A blob a manifest names is not there (registry, layout or archive). */
  BLOB_UNKNOWN: 'BLOB_UNKNOWN',
  /** A layer whose bytes do not decompress or are not a tar. */
  LAYER_CORRUPT: 'LAYER_CORRUPT',

  // Exit 3 (RegistryError): the registry or the network.
  /** The manifest (tag or digest) does not exist in the repository. */
  MANIFEST_UNKNOWN: 'MANIFEST_UNKNOWN',
  /** The repository does not exist. */
  NAME_UNKNOWN: 'NAME_UNKNOWN',
  /** The registry refused our credentials (401/403), or a token server did. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** Credentials could not be read (docker config, credential helper, ECR). */
  CREDENTIALS_UNAVAILABLE: 'CREDENTIALS_UNAVAILABLE',
  /** The registry does not list its repositories (no `_catalog`). */
  CATALOG_UNSUPPORTED: 'CATALOG_UNSUPPORTED',
  /** HTTP 429 after every retry. */
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  /** HTTP 5xx after every retry. */
  REGISTRY_UNAVAILABLE: 'REGISTRY_UNAVAILABLE',
  /** Any other answer we did not expect (an odd status, an unreadable list or token, a redirect loop). */
  UNEXPECTED_RESPONSE: 'UNEXPECTED_RESPONSE',
  /** No answer: unreachable host, timeout, TLS failure, a connection broken off. */
  NETWORK: 'NETWORK',
  /** A registry failure with no more specific code (the default for RegistryError). */
  REGISTRY: 'REGISTRY',

  // Exit 4 (MetricsPushError).
  /** The Pushgateway was unreachable or refused the metrics. */
  METRICS_PUSH_FAILED: 'METRICS_PUSH_FAILED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorOptions {
  /** What the user can do about it, appended to the one-line message. */
  hint?: string;
  cause?: unknown;
  /** The condition; each class has a default. */
  code?: ErrorCode;
}

export class LayerdeltaError extends Error {
  readonly exitCode: ExitCode;
  readonly code: ErrorCode;
  /** What the user can do about it, appended to the one-line message. */
  readonly hint?: string;

  constructor(message: string, exitCode: ExitCode, code: ErrorCode, options?: ErrorOptions) {
    // Messages quote server text and input: never a credential, never a control character (§9).
    super(oneLineText(message), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.code = options?.code ?? code;
    if (options?.hint !== undefined) this.hint = oneLineText(options.hint);
  }

  /** The single line printed to stderr. */
  oneLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

/** True when `error` is one of ours and names one of `codes`. */
export function hasErrorCode(error: unknown, ...codes: ErrorCode[]): error is LayerdeltaError {
  return error instanceof LayerdeltaError && codes.includes(error.code);
}

/** Bad flags, malformed reference, malformed config or manifest, unknown media type: exit 2. */
export class UsageError extends LayerdeltaError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.usage, ErrorCode.USAGE, options);
  }
}

/**
 * Content that is missing or not what its descriptor says (digest, size, a layer that does not
 * decompress), from any source: registry, OCI layout or docker archive. Exit 3, as a registry failure.
 */
export class ContentError extends LayerdeltaError {
  constructor(message: string, options: ErrorOptions & { code: ErrorCode }) {
    super(message, ExitCode.registry, options.code, options);
  }
}

/** Registry or network: exit 3. */
export class RegistryError extends LayerdeltaError {
  /** HTTP status when the registry answered. */
  readonly status?: number;
  constructor(message: string, options?: ErrorOptions & { status?: number }) {
    super(message, ExitCode.registry, ErrorCode.REGISTRY, options);
    if (options?.status !== undefined) this.status = options.status;
  }
}

/** Pushgateway unreachable or refused after retries: exit 4 (the report has been written already). */
export class MetricsPushError extends LayerdeltaError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.metricsPush, ErrorCode.METRICS_PUSH_FAILED, options);
  }
}
