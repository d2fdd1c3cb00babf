/**
 * A table of contents of an uncompressed tar file, read by random access: only the 512-byte headers
 * are read, each member's content is skipped by seeking, so a `docker save` archive of any size is
 * indexed without reading its layers. Understands ustar prefixes, GNU long names and pax paths/sizes.
 */
import type { FileHandle } from 'node:fs/promises';
import { posix } from 'node:path';
import { ErrorCode, UsageError } from '../errors.js';

export interface TarMember {
  /** Normalised path (no leading `./` or `/`, no trailing `/`). */
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  /** Offset of the content in the file. */
  offset: number;
  size: number;
  linkname?: string;
}

const BLOCK = 512;
const MAX_MEMBERS = 1_000_000;

function cString(buf: Buffer, start: number, length: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

/** Octal (NUL/space padded), or base-256 when the high bit of the first byte is set (GNU, > 8 GiB). */
function numeric(buf: Buffer, start: number, length: number): number {
  const first = buf[start] ?? 0;
  if (first & 0x80) {
    let value = first & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + (buf[i] ?? 0);
    return value;
  }
  const text = cString(buf, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return Number.NaN;
  return Number.parseInt(text, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = numeric(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum === stored;
}

export function normaliseTarPath(name: string): string {
  const clean = posix.normalize(`/${name}`).replace(/\/+$/, '');
  return clean.replace(/^\/+/, '');
}

function parsePax(content: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let pos = 0;
  while (pos < content.length) {
    const space = content.indexOf(0x20, pos);
    if (space === -1) break;
    const length = Number.parseInt(content.toString('utf8', pos, space), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = content.toString('utf8', space + 1, pos + length - 1);
    const eq = record.indexOf('=');
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1);
    pos += length;
  }
  return records;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** Index every member of the tar open in `handle`; `where` names the file in errors. */
export async function indexTar(handle: FileHandle, where: string): Promise<Map<string, TarMember>> {
  const { size: fileSize } = await handle.stat();
  const members = new Map<string, TarMember>();
  let position = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  const corrupt = (why: string) =>
    new UsageError(`${where} is not a readable tar archive: ${why} at byte ${position}`, {
      code: ErrorCode.SOURCE_INVALID,
      hint: 'give the file `docker save` or `skopeo copy ... docker-archive:FILE` wrote',
    });
  while (position + BLOCK <= fileSize) {
    const header = await readAt(handle, position, BLOCK);
    if (header.length < BLOCK) throw corrupt('short header');
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    if (!checksumOk(header)) throw corrupt('bad header checksum');
    const typeflag = String.fromCharCode(header[156] ?? 0);
    let size = numeric(header, 124, 12);
    if (pax.size !== undefined) size = Number(pax.size);
    if (!Number.isSafeInteger(size) || size < 0) throw corrupt('bad member size');
    const offset = position + BLOCK;
    if (offset + size > fileSize) throw corrupt('member runs past the end of the file (truncated?)');
    position = offset + Math.ceil(size / BLOCK) * BLOCK;

    if (typeflag === 'L' || typeflag === 'K' || typeflag === 'x') {
      const content = await readAt(handle, offset, size);
      if (typeflag === 'L') longName = cString(content, 0, content.length);
      else if (typeflag === 'K') longLink = cString(content, 0, content.length);
      else pax = parsePax(content);
      continue;
    }
    if (typeflag === 'g') continue; // global pax header: nothing we need
    const magic = header.toString('latin1', 257, 263);
    const prefix = magic.startsWith('ustar') ? cString(header, 345, 155) : '';
    const rawName =
      pax.path ?? longName ?? (prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100));
    const rawLink = pax.linkpath ?? longLink ?? cString(header, 157, 100);
    pax = {};
    longName = undefined;
    longLink = undefined;
    const type: TarMember['type'] =
      typeflag === '0' || typeflag === '\0' || typeflag === '7'
        ? 'file'
        : typeflag === '5'
          ? 'dir'
          : typeflag === '2'
            ? 'symlink'
            : typeflag === '1'
              ? 'hardlink'
              : 'other';
    const member: TarMember = {
      name: normaliseTarPath(rawName),
      type,
      offset,
      size: type === 'file' ? size : 0,
    };
    if (type === 'symlink' || type === 'hardlink') member.linkname = rawLink;
    members.set(member.name, member);
    if (members.size > MAX_MEMBERS) throw corrupt('too many members');
  }
  // Stopping inside a block (no end-of-archive marker reached) means the file was cut short.
  if (position < fileSize && position + BLOCK > fileSize)
    throw corrupt('archive ends inside a header (truncated?)');
  return members;
}

/** The regular file a name leads to, following symlinks (relative to the link) and hard links. */
export function resolveMember(members: Map<string, TarMember>, name: string): TarMember | undefined {
  let current = members.get(normaliseTarPath(name));
  for (let hops = 0; current !== undefined && hops < 16; hops++) {
    if (current.type === 'file') return current;
    if (current.linkname === undefined) return undefined;
    const target =
      current.type === 'symlink' && !current.linkname.startsWith('/')
        ? posix.join(posix.dirname(current.name), current.linkname)
        : current.linkname;
    current = members.get(normaliseTarPath(target));
  }
  return undefined;
}
