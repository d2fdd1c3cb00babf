/**
 * Stops a tar stream at its end-of-archive marker (two zero blocks): whatever follows is passed over,
 * as Docker and containerd do (Go's archive/tar returns io.EOF there and the rest is drained).
 * tar-stream would read on and fail the layer on the trailing bytes ("Invalid tar header").
 * It follows the block structure only: every header carries the size of the data blocks after it
 * (pax and GNU long-name headers too); old GNU sparse headers may add extension blocks.
 */
import { Transform, type TransformCallback } from 'node:stream';

const BLOCK = 512;

export class TarEnd extends Transform {
  /** Bytes of the current 512-byte block seen so far (headers are collected whole). */
  private header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  /** Data bytes (padded to blocks) still to pass before the next header. */
  private dataLeft = 0;
  /** Old GNU sparse extension blocks expected before the data. */
  private extension = false;
  /** The data size of a sparse header, due once its extension blocks are passed. */
  private pendingData = 0;
  private zeroBlocks = 0;
  private ended = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let offset = 0;
    while (offset < chunk.length && !this.ended) {
      if (this.dataLeft > 0) {
        const take = Math.min(this.dataLeft, chunk.length - offset);
        this.dataLeft -= take;
        offset += take;
        continue;
      }
      const take = Math.min(BLOCK - this.headerFill, chunk.length - offset);
      chunk.copy(this.header, this.headerFill, offset, offset + take);
      this.headerFill += take;
      offset += take;
      if (this.headerFill < BLOCK) continue;
      this.headerFill = 0;
      this.block();
    }
    const passUntil = this.ended ? offset : chunk.length;
    if (passUntil > 0) this.push(passUntil === chunk.length ? chunk : chunk.subarray(0, passUntil));
    done();
  }

  /** One whole 512-byte block in `header`, at a place where a header (or an extension) belongs. */
  private block(): void {
    const h = this.header;
    if (this.extension) {
      this.extension = h[504] !== 0; // isextended of the extension block
      if (!this.extension) this.dataLeft = this.pendingData;
      return;
    }
    if (h.every((b) => b === 0)) {
      if (++this.zeroBlocks === 2) this.ended = true;
      return;
    }
    this.zeroBlocks = 0;
    const data = Math.ceil(sizeOf(h) / BLOCK) * BLOCK;
    // Old GNU sparse ('S') with isextended: extension blocks come before the data.
    if (h[156] === 0x53 && h[482] !== 0) {
      this.extension = true;
      this.pendingData = data;
    } else this.dataLeft = data;
  }
}

/** The size field (offset 124, 12 bytes): octal text, or base-256 when the top bit is set. */
function sizeOf(header: Buffer): number {
  const field = header.subarray(124, 136);
  if ((field[0] ?? 0) & 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  const value = Number.parseInt(text || '0', 8);
  return Number.isFinite(value) ? value : 0;
}
