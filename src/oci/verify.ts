/**
 * The one way content is checked against the descriptor that names it, for every source (registry,
 * OCI layout, docker archive): whole buffers with `verifyContent`, streams with `DigestVerifier`.
 * Both fail with a ContentError naming the condition (SIZE_MISMATCH, DIGEST_MISMATCH).
 */
import { Transform, type TransformCallback } from 'node:stream';
import { ContentError, ErrorCode, UsageError } from '../errors.js';
import { SHA256_PREFIX, Sha256, sha256Digest } from './digest.js';

const TAMPERED = 'the content is corrupt or was tampered with';

/** `what` held `actual` where `expected` was promised. */
export function digestMismatch(what: string, expected: string, actual: string): ContentError {
  return new ContentError(`${what}: digest mismatch: expected ${expected}, got ${actual}`, {
    code: ErrorCode.DIGEST_MISMATCH,
    hint: TAMPERED,
  });
}

function requireSha256(digest: string, what: string): void {
  if (!digest.startsWith(SHA256_PREFIX)) {
    throw new UsageError(`${what}: unsupported digest algorithm in ${digest}`, {
      code: ErrorCode.UNSUPPORTED_DIGEST,
      hint: 'only sha256 is supported',
    });
  }
}

/** Throws unless `body` is the content `digest` names and (when `size` ≥ 0 is given) that long. */
export function verifyContent(
  body: Uint8Array,
  digest: string,
  size: number | undefined,
  what: string,
): void {
  requireSha256(digest, what);
  if (size !== undefined && size >= 0 && body.length !== size) {
    throw new ContentError(`${what}: size mismatch: descriptor says ${size} bytes, got ${body.length}`, {
      code: ErrorCode.SIZE_MISMATCH,
      hint: TAMPERED,
    });
  }
  const actual = sha256Digest(body);
  if (actual !== digest) throw digestMismatch(what, digest, actual);
}

/**
 * A pass-through stream that hashes what flows and fails (instead of ending) when the bytes do not
 * match the descriptor: too many, too few, or a different sha256. Nothing downstream ever sees
 * unverified content as complete. `expectedSize` < 0 skips the length check.
 */
export class DigestVerifier extends Transform {
  private readonly hash = new Sha256();
  private seen = 0;

  constructor(
    private readonly expectedDigest: string,
    private readonly expectedSize: number,
    private readonly where: string,
  ) {
    super();
    requireSha256(expectedDigest, where);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.expectedSize >= 0 && this.seen > this.expectedSize) {
      done(
        new ContentError(
          `${this.where}: blob ${this.expectedDigest} is longer than the ${this.expectedSize} bytes its descriptor says`,
          { code: ErrorCode.SIZE_MISMATCH, hint: TAMPERED },
        ),
      );
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.expectedSize >= 0 && this.seen !== this.expectedSize) {
      done(
        new ContentError(
          `${this.where}: blob ${this.expectedDigest} is truncated: ${this.seen} of ${this.expectedSize} bytes`,
          { code: ErrorCode.SIZE_MISMATCH, hint: 'retry; if it persists the registry or file is corrupt' },
        ),
      );
      return;
    }
    const actual = this.hash.digest();
    if (actual !== this.expectedDigest) {
      done(digestMismatch(this.where, this.expectedDigest, actual));
      return;
    }
    done();
  }
}
