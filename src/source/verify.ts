import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { RegistryError } from '../errors.js';

/**
 * A pass-through stream that hashes what flows and fails (instead of ending) when the bytes do not
 * match the descriptor: too many, too few, or a different sha256. Every source wraps blobs in it, so
 * nothing downstream ever sees unverified content as complete.
 */
export class DigestVerifier extends Transform {
  private readonly hash = createHash('sha256');
  private seen = 0;

  constructor(
    private readonly expectedDigest: string,
    private readonly expectedSize: number,
    private readonly where: string,
  ) {
    super();
    if (!expectedDigest.startsWith('sha256:')) {
      throw new RegistryError(`${where}: unsupported digest algorithm in ${expectedDigest}`, {
        hint: 'only sha256 is supported',
      });
    }
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.expectedSize >= 0 && this.seen > this.expectedSize) {
      done(
        new RegistryError(
          `${this.where}: blob ${this.expectedDigest} is longer than the ${this.expectedSize} bytes its descriptor says`,
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
        new RegistryError(
          `${this.where}: blob ${this.expectedDigest} is truncated: ${this.seen} of ${this.expectedSize} bytes`,
          { hint: 'retry; if it persists the registry or file is corrupt' },
        ),
      );
      return;
    }
    const actual = `sha256:${this.hash.digest('hex')}`;
    if (actual !== this.expectedDigest) {
      done(
        new RegistryError(`${this.where}: digest mismatch: expected ${this.expectedDigest}, got ${actual}`, {
          hint: 'the content is corrupt or was tampered with',
        }),
      );
      return;
    }
    done();
  }
}

/** sha256 of a buffer in `sha256:hex` form. */
export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
