/**
 * Whether an ELF file in a layer is worth buffering whole for the Go analysis, decided from as few of its
 * first bytes as the format allows (docs/design.md §9, §11): 511 MB of zeros behind the ELF magic must not
 * be held in memory. Three checkpoints, in stream order:
 * 1. the ELF header (64 bytes): class, byte order, version, type (executable or shared object), a known
 *    machine, and program and section header tables that lie inside the file;
 * 2. the program headers (usually right after it): loadable segments inside the file, at least one of them
 *    writable and not executable (where Go's linker puts `.go.buildinfo`);
 * 3. the writable segments, as each has been read: one must hold the build info magic `\xff Go buildinf:`
 *    (Go's debug/buildinfo looks there when a file has no section headers; with them, `.go.buildinfo` is
 *    still inside one of these segments).
 * Section names (`.go.buildinfo`, `.gopclntab`) come from the section header table at the end of the file:
 * too late to save anything, so they are left to the analysis.
 */

export type GateVerdict =
  /** Call again once `bytes` bytes of the file are at hand. */
  | { kind: 'more'; bytes: number }
  /** A Go executable as far as the gate can tell: buffer it whole. */
  | { kind: 'go' }
  /** Not a Go executable: hash it as it flows, never buffer it. */
  | { kind: 'not-go'; reason: string };

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const ET_EXEC = 2;
const ET_DYN = 3;
/** Machines Go builds for (GOARCH), as ELF numbers them. */
const GO_MACHINES = new Set([3, 8, 20, 21, 22, 40, 62, 183, 243, 258]);
const PT_LOAD = 1;
const PF_X = 0x1;
const PF_W = 0x2;
/** More program headers than any linker writes: a count beyond it is a crafted file. */
const MAX_PROGRAM_HEADERS = 256;

interface Header {
  is64: boolean;
  little: boolean;
  phoff: number;
  phentsize: number;
  phnum: number;
}

/** The verdict on a file of `size` bytes whose first `head.length` bytes are `head`. */
export function elfGate(head: Uint8Array, size: number): GateVerdict {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const header = readHeader(bytes, size);
  if ('kind' in header) return header;
  const tableEnd = header.phoff + header.phnum * header.phentsize;
  if (bytes.length < tableEnd) return { kind: 'more', bytes: tableEnd };
  const segments = writableSegments(bytes, header, size);
  if (!Array.isArray(segments)) return segments;
  for (const segment of segments) {
    if (bytes.length < segment.end) return { kind: 'more', bytes: segment.end };
    if (bytes.subarray(segment.start, segment.end).includes(BUILDINFO_MAGIC)) return { kind: 'go' };
  }
  return notGo('no Go build info in its writable segments');
}

function notGo(why: string): GateVerdict {
  return { kind: 'not-go', reason: `not a Go binary (${why})` };
}

function readHeader(bytes: Buffer, size: number): Header | GateVerdict {
  if (bytes.length < 64 && size >= 64) return { kind: 'more', bytes: 64 };
  if (bytes.length < 52 || !bytes.subarray(0, 4).equals(ELF_MAGIC)) return notGo('ELF header cut short');
  const elfClass = bytes[4];
  const order = bytes[5];
  if ((elfClass !== 1 && elfClass !== 2) || (order !== 1 && order !== 2) || bytes[6] !== 1) {
    return notGo(`ELF class ${elfClass}, byte order ${order}, version ${bytes[6]}`);
  }
  const is64 = elfClass === 2;
  const little = order === 1;
  if (is64 && bytes.length < 64) return notGo('ELF header cut short');
  const u16 = (at: number) => (little ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const word = (at: number) => readWord(bytes, at, is64, little);
  const type = u16(16);
  const machine = u16(18);
  if (type !== ET_EXEC && type !== ET_DYN) return notGo(`ELF type ${type}, not an executable`);
  if (!GO_MACHINES.has(machine)) return notGo(`ELF machine ${machine}`);
  const [phoff, shoff] = is64 ? [word(32), word(40)] : [word(28), word(32)];
  const base = is64 ? 52 : 40;
  const phentsize = u16(base + 2);
  const phnum = u16(base + 4);
  const shentsize = u16(base + 6);
  const shnum = u16(base + 8);
  const entry = is64 ? 56 : 32;
  if (phnum === 0 || phnum > MAX_PROGRAM_HEADERS || phentsize !== entry) {
    return notGo(`${phnum} program headers of ${phentsize} bytes`);
  }
  if (phoff + phnum * phentsize > size) return notGo('program headers past the end of the file');
  if (shnum !== 0 && (shentsize !== (is64 ? 64 : 40) || shoff + shnum * shentsize > size)) {
    return notGo('section headers past the end of the file');
  }
  return { is64, little, phoff, phentsize, phnum };
}

/** File ranges of the writable, non-executable loadable segments, in file order. */
function writableSegments(
  bytes: Buffer,
  header: Header,
  size: number,
): Array<{ start: number; end: number }> | GateVerdict {
  const { is64, little } = header;
  const u32 = (at: number) => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const segments: Array<{ start: number; end: number }> = [];
  for (let i = 0; i < header.phnum; i++) {
    const at = header.phoff + i * header.phentsize;
    if (u32(at) !== PT_LOAD) continue;
    const flags = is64 ? u32(at + 4) : u32(at + 24);
    const offset = is64 ? readWord(bytes, at + 8, true, little) : u32(at + 4);
    const filesz = is64 ? readWord(bytes, at + 32, true, little) : u32(at + 16);
    if (offset + filesz > size) return notGo('a loadable segment past the end of the file');
    if ((flags & (PF_W | PF_X)) === PF_W && filesz > 0)
      segments.push({ start: offset, end: offset + filesz });
  }
  if (segments.length === 0) return notGo('no writable data segment');
  return segments.sort((a, b) => a.start - b.start);
}

/** An address or offset; a 64-bit value beyond 2^52 counts as "past any file" (Infinity). */
function readWord(bytes: Buffer, at: number, is64: boolean, little: boolean): number {
  if (!is64) return little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at);
  const value = little ? bytes.readBigUInt64LE(at) : bytes.readBigUInt64BE(at);
  return value > 2n ** 52n ? Number.POSITIVE_INFINITY : Number(value);
}
