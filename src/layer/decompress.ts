/**
 * Layer blob → uncompressed tar bytes, streaming. Detects the compression from the magic bytes (the
 * media type is only a cross-check), counts the uncompressed bytes and computes the diff_id on the way.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { Decompress as ZstdStream } from 'fzstd';
import { type Compression, compressionFromMediaType, sniffCompression } from '../oci/compression.js';
import { Sha256 } from '../oci/digest.js';

/**
 * Magic bytes decide: registries and `docker save` are known to mislabel layers, and a tar starts with a
 * file name, never with these bytes. The media type is only used to reject content that claims a
 * compression it does not have.
 */
export function detectCompression(prefix: Uint8Array, mediaType: string): Compression {
  const fromMagic = sniffCompression(prefix);
  const claimed = compressionFromMediaType(mediaType);
  if (claimed !== undefined && claimed !== 'none' && fromMagic !== claimed && prefix.length > 0) {
    throw new Error(`media type ${mediaType} says ${claimed} but the content does not start like ${claimed}`);
  }
  return fromMagic;
}

/** Node 22.15+/23.8+ ship zstd in zlib; older versions fall back to the pure-JS fzstd. */
type ZlibWithZstd = typeof zlib & { createZstdDecompress?: (options?: object) => Transform };
const nativeZstd = (zlib as ZlibWithZstd).createZstdDecompress;

export function zstdImplementation(): 'node:zlib' | 'fzstd' {
  return nativeZstd ? 'node:zlib' : 'fzstd';
}

/** Streaming zstd via fzstd: throws on corrupt data, and at the end when the last frame is incomplete. */
class FzstdDecompressor extends Transform {
  private readonly decoder: ZstdStream;

  constructor() {
    super({ readableHighWaterMark: 1 << 20 });
    this.decoder = new ZstdStream((chunk) => {
      // In streaming mode fzstd allocates every block afresh: wrap it, no copy needed.
      if (chunk.length > 0) this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.decoder.push(chunk);
      done();
    } catch (error) {
      done(asError(error, 'corrupt zstd data'));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
      done();
    } catch (error) {
      done(asError(error, 'truncated zstd data'));
    }
  }
}

function asError(error: unknown, fallback: string): Error {
  if (error instanceof Error) {
    // fzstd's messages are terse ("unexpected EOF"); say what was being read.
    error.message = `${fallback}: ${error.message}`;
    return error;
  }
  return new Error(fallback);
}

const ZLIB_CHUNK = 256 * 1024;

/** A decoder for the compression, or undefined for an uncompressed tar. */
export function createDecompressor(compression: Compression): Transform | undefined {
  switch (compression) {
    case 'gzip':
      return zlib.createGunzip({ chunkSize: ZLIB_CHUNK });
    case 'zstd':
      return nativeZstd ? nativeZstd({ chunkSize: ZLIB_CHUNK }) : new FzstdDecompressor();
    case 'none':
      return undefined;
  }
}

/** Pass-through that measures the uncompressed tar: its length and sha256 (the diff_id). */
export class TarMeter extends Transform {
  private readonly hash = new Sha256();
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    done(null, chunk);
  }

  /** Only valid after the stream ended. */
  diffId(): string {
    return this.hash.digest();
  }
}

/**
 * Gathers small chunks (sockets deliver 16-64 KiB) into pieces of at least `size` bytes: the
 * decompressor then emits fewer, larger chunks, and the per-chunk cost of everything downstream (hash,
 * tar parser) drops several-fold. Costs one memcpy of the compressed bytes.
 */
export class Coalescer extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly size = 512 * 1024) {
    super({ readableHighWaterMark: size });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.size) this.release();
    done();
  }

  override _flush(done: TransformCallback): void {
    this.release();
    done();
  }

  private release(): void {
    if (this.pendingBytes === 0) return;
    this.push(this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
  }
}

/** Pass-through that reports how many stored (compressed) bytes went by. */
export class ByteCounter extends Transform {
  constructor(private readonly onBytes: (n: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.onBytes(chunk.length);
    done(null, chunk);
  }
}

/**
 * Read the first bytes of a stream without losing them, so the compression can be detected before
 * anything is piped. Returns the bytes (fewer only when the stream is that short) and the stream to
 * read from: the same one with the bytes put back, or, when it already ended, a replay of them.
 */
export async function peek(stream: Readable, length: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let have = 0;
  let ended = false;
  while (have < length && !ended) {
    const chunk: Buffer | null = stream.read();
    if (chunk !== null) {
      chunks.push(chunk);
      have += chunk.length;
      continue;
    }
    ended = await nextReadableOrEnd(stream);
  }
  const head = Buffer.concat(chunks);
  if (ended) return { head, stream: Readable.from(head.length > 0 ? [head] : []) };
  stream.unshift(head);
  return { head: head.subarray(0, length), stream };
}

/** Resolves true when the stream ended, false when there is more to read; rejects on its error. */
function nextReadableOrEnd(stream: Readable): Promise<boolean> {
  const closedEarly = () => stream.errored ?? new Error('stream closed before it ended');
  if (stream.readableEnded) return Promise.resolve(true);
  if (stream.destroyed) return Promise.reject(closedEarly());
  return new Promise<boolean>((resolve, reject) => {
    const cleanup = () => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    function onReadable() {
      cleanup();
      resolve(false);
    }
    function onEnd() {
      cleanup();
      resolve(true);
    }
    function onError(error: Error) {
      cleanup();
      reject(error);
    }
    function onClose() {
      cleanup();
      if (stream.readableEnded) resolve(true);
      else reject(closedEarly());
    }
    stream.once('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.once('close', onClose);
  });
}
