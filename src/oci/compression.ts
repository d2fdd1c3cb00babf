/**
 * How a layer blob is compressed, told by its first bytes (RFC 1952 gzip, RFC 8878 zstd) or claimed by
 * its media type. A tar starts with a file name, never with these bytes.
 */

export type Compression = 'gzip' | 'zstd' | 'none';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
/** Bytes needed to recognise every supported magic. */
export const MAGIC_LENGTH = 4;

function startsWith(prefix: Uint8Array, magic: number[]): boolean {
  return prefix.length >= magic.length && magic.every((byte, i) => prefix[i] === byte);
}

/** The compression the first bytes show ('none' for anything else, a tar included). */
export function sniffCompression(prefix: Uint8Array): Compression {
  if (startsWith(prefix, GZIP_MAGIC)) return 'gzip';
  if (startsWith(prefix, ZSTD_MAGIC)) return 'zstd';
  return 'none';
}

/** What the media type claims, or undefined when it says nothing (e.g. an unknown vendor type). */
export function compressionFromMediaType(mediaType: string): Compression | undefined {
  if (/[+.]gzip$|\.gz$/.test(mediaType)) return 'gzip';
  if (/[+.]zstd$/.test(mediaType)) return 'zstd';
  if (/\.tar$|rootfs\.diff\.tar$/.test(mediaType)) return 'none';
  return undefined;
}
