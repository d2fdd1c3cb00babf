/**
 * Content digests: the one place that knows their form. layerdelta reads sha256 only, as the OCI image
 * spec requires every implementation to (descriptor.md, "Digests"); a digest is `sha256:` and 64
 * lowercase hex digits.
 */
import { createHash, type Hash } from 'node:crypto';

export const SHA256_PREFIX = 'sha256:';
const SHA256_RE = /^sha256:([a-f0-9]{64})$/;
/** distribution/reference's digest grammar (any algorithm), to tell "not sha256" from "not a digest". */
const ANY_DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

export function isSha256Digest(value: string): boolean {
  return SHA256_RE.test(value);
}

/** The hex of a well-formed sha256 digest, else undefined: safe to use as a file name. */
export function sha256Hex(digest: string): string | undefined {
  return SHA256_RE.exec(digest)?.[1];
}

/** Is it shaped like a digest of some algorithm (so a message can say "unsupported" rather than "malformed")? */
export function looksLikeDigest(value: string): boolean {
  return ANY_DIGEST_RE.test(value);
}

/** sha256 of bytes in `sha256:hex` form. */
export function sha256Digest(data: Uint8Array): string {
  return `${SHA256_PREFIX}${createHash('sha256').update(data).digest('hex')}`;
}

/** Incremental sha256 for content that streams by; `digest()` once, at the end. */
export class Sha256 {
  private readonly hash: Hash = createHash('sha256');

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  /** `sha256:hex`; only once. */
  digest(): string {
    return `${SHA256_PREFIX}${this.hash.digest('hex')}`;
  }
}
