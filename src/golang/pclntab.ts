/**
 * The Go runtime's function table (pclntab), which survives `-s -w` stripping. Layouts from Go's
 * runtime/symtab.go (pcHeader, _func) and debug/gosym/pclntab.go:
 *   magic 0xfffffffa  Go 1.16–1.17: functab entries are (entry uintptr, funcoff uintptr)
 *   magic 0xfffffff0  Go 1.18–1.19: header gains textStart; functab entries are (entryoff u32, funcoff u32)
 *   magic 0xfffffff1  Go 1.20+:     same functab and _func prefix as 1.18 (startLine added further on)
 * A function's code size is where its pcsp table ends (the same number `go tool nm -size` prints);
 * the distance to the next entry also counts alignment padding.
 */
import type { ElfFile, ElfSection } from './elf.js';
import { asBuffer, cString, SHF_ALLOC, SHF_EXECINSTR, SHT_NOBITS } from './elf.js';
import { GoAnalysisError } from './errors.js';

const MAGIC_116 = 0xfffffffa;
const MAGIC_118 = 0xfffffff0;
const MAGIC_120 = 0xfffffff1;
const KNOWN_MAGICS = new Set([MAGIC_116, MAGIC_118, MAGIC_120]);

export interface PclnFunction {
  name: string;
  entry: number;
  /** Code size: end of the pcsp table, or (without pcsp) next entry minus trailing padding. */
  size: number;
  /** Address of the next function (or the end of the table): entry + size + padding. */
  next: number;
  /** False for code without a pcsp table (cgo and C code linked internally). */
  hasPcsp: boolean;
  /**
   * Another name for the code of the next function: C symbols at one address (C++ C1/C2
   * constructor and destructor aliases, identical code folded). Its size is that code's, as nm
   * prints it; its bytes are counted once, with the last function at the address.
   */
  alias: boolean;
}

export interface Pclntab {
  /** `go1.16`, `go1.18` or `go1.20`: the first Go version that wrote this format. */
  version: string;
  textStart: number;
  /** End of the last function. */
  textEnd: number;
  /** Sorted by entry. */
  functions: PclnFunction[];
  /** The file table's names (each source file once: `runtime/proc.go`, or absolute without -trimpath). */
  fileNames: string[];
}

/**
 * The table's bytes, found by the `.gopclntab` section, else the `runtime.pclntab`/`runtime.epclntab`
 * symbols, else a scan of the read-only sections for a header that validates.
 */
export function locatePclntab(elf: ElfFile): Uint8Array {
  const section = elf.sections.find((s) => s.name === '.gopclntab' || s.name.endsWith('.gopclntab'));
  if (section && section.type !== SHT_NOBITS && section.size > 0) return elf.sectionData(section);

  const symbols = elf.symbols();
  const start = symbols.find((s) => s.name === 'runtime.pclntab');
  const end = symbols.find((s) => s.name === 'runtime.epclntab');
  if (start && end && end.value > start.value) {
    const off = elf.fileOffset(start.value, end.value - start.value);
    if (off !== undefined) return elf.data.subarray(off, off + (end.value - start.value));
  }

  // Stripped binaries without the section (e.g. some PIE or externally linked layouts): scan the
  // read-only data for a header that validates.
  const candidates = elf.sections.filter(
    (s) => s.flags & SHF_ALLOC && !(s.flags & SHF_EXECINSTR) && s.type !== SHT_NOBITS && s.size >= 64,
  );
  // Crafted files may declare many sections over the same bytes: scan each range once, and at most
  // the file's size in total.
  let budget = elf.data.length;
  const seen = new Set<string>();
  for (const s of candidates) {
    const key = `${s.offset}:${s.size}`;
    if (seen.has(key) || s.size > budget) continue;
    seen.add(key);
    budget -= s.size;
    const found = scanForHeader(elf, s);
    if (found) return found;
  }
  throw new GoAnalysisError('unsupported pclntab', 'no Go function table found');
}

function scanForHeader(elf: ElfFile, s: ElfSection): Uint8Array | undefined {
  if (s.offset + s.size > elf.data.length) return undefined;
  const bytes = elf.sectionData(s);
  const step = elf.ptrSize;
  for (let at = 0; at + 64 <= bytes.length; at += step) {
    // Cheap pre-check on the constant bytes before reading the magic.
    if (bytes[at + 4] !== 0 || bytes[at + 5] !== 0) continue;
    const magic = elf.u32(s.offset + at);
    if (!KNOWN_MAGICS.has(magic)) continue;
    const candidate = bytes.subarray(at);
    try {
      parseHeader(elf, candidate);
      return candidate;
    } catch {
      // not a real header; keep scanning
    }
  }
  return undefined;
}

interface Header {
  magic: number;
  minLC: number;
  ptrSize: number;
  nfunc: number;
  textStart: number;
  funcnameOffset: number;
  filetabOffset: number;
  pctabOffset: number;
  pclnOffset: number;
}

function parseHeader(elf: ElfFile, data: Uint8Array): Header {
  if (data.length < 8) throw new GoAnalysisError('truncated', 'pclntab header cut short');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = elf.littleEndian;
  const magic = view.getUint32(0, le);
  if (!KNOWN_MAGICS.has(magic)) {
    throw new GoAnalysisError('unsupported pclntab', `magic 0x${magic.toString(16)}`);
  }
  const minLC = data[6] ?? 0;
  const ptrSize = data[7] ?? 0;
  if (data[4] !== 0 || data[5] !== 0 || ![1, 2, 4].includes(minLC) || (ptrSize !== 4 && ptrSize !== 8)) {
    throw new GoAnalysisError('unsupported pclntab', 'malformed header');
  }
  const fields = magic === MAGIC_116 ? 7 : 8;
  if (data.length < 8 + fields * ptrSize) throw new GoAnalysisError('truncated', 'pclntab header cut short');
  const word = (i: number): number => {
    if (ptrSize === 4) return view.getUint32(8 + i * ptrSize, le);
    const value = view.getBigUint64(8 + i * ptrSize, le);
    // Real tables hold sizes and addresses far below 2^52; more would make sums inexact.
    if (value > 2n ** 52n) throw new GoAnalysisError('unsupported pclntab', 'header value out of range');
    return Number(value);
  };
  const nfunc = word(0);
  const header: Header =
    magic === MAGIC_116
      ? {
          magic,
          minLC,
          ptrSize,
          nfunc,
          textStart: 0,
          funcnameOffset: word(2),
          filetabOffset: word(4),
          pctabOffset: word(5),
          pclnOffset: word(6),
        }
      : {
          magic,
          minLC,
          ptrSize,
          nfunc,
          textStart: word(2),
          funcnameOffset: word(3),
          filetabOffset: word(5),
          pctabOffset: word(6),
          pclnOffset: word(7),
        };
  const fieldSize = magic === MAGIC_116 ? ptrSize : 4;
  const functabBytes = (nfunc * 2 + 1) * fieldSize;
  if (
    header.funcnameOffset >= data.length ||
    header.pctabOffset >= data.length ||
    header.pclnOffset >= data.length ||
    header.pclnOffset + functabBytes > data.length
  ) {
    throw new GoAnalysisError('truncated', 'pclntab offsets point past its end');
  }
  return header;
}

/**
 * Read every function of the table. `textAddr` gives the start of Go's code when the header's
 * textStart is 0 (Go 1.26): asked only then.
 */
export function readPclntab(elf: ElfFile, data: Uint8Array, textAddr: () => number): Pclntab {
  const h = parseHeader(elf, data);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = elf.littleEndian;
  const is116 = h.magic === MAGIC_116;
  const fieldSize = is116 ? h.ptrSize : 4;
  const readField = (off: number): number => {
    if (fieldSize === 4) return view.getUint32(off, le);
    const value = view.getBigUint64(off, le);
    if (value > 2n ** 52n) throw new GoAnalysisError('corrupt pclntab', 'function table value out of range');
    return Number(value);
  };
  // Go 1.26 writes 0 as textStart: entries are then offsets from the start of .text.
  const textStart = is116 ? 0 : h.textStart !== 0 ? h.textStart : textAddr();
  const names = asBuffer(data.subarray(h.funcnameOffset));
  const pctab = data.subarray(h.pctabOffset);
  const pcln = h.pclnOffset;
  // _func: 1.18+ starts entryOff u32, nameOff i32, args, deferreturn, pcsp; 1.16 starts entry uintptr.
  const nameAt = is116 ? h.ptrSize : 4;
  const pcspAt = is116 ? h.ptrSize + 12 : 16;

  const entryOf = (i: number): number => textStart + readField(pcln + i * 2 * fieldSize);
  const functions: PclnFunction[] = [];
  const textEnd = entryOf(h.nfunc);
  // The linker dedups identical pc-value tables, so functions share offsets: walk each once. The
  // budget keeps crafted tables (many offsets into one long unterminated table) linear.
  const pcspLengths = new Map<number, number>();
  let walkBudget = 2 * pctab.length + 4096;
  for (let i = 0; i < h.nfunc; i++) {
    const entry = entryOf(i);
    const next = entryOf(i + 1);
    if (next < entry) throw new GoAnalysisError('corrupt pclntab', 'function table not sorted by address');
    const funcOff = readField(pcln + (i * 2 + 1) * fieldSize);
    const at = pcln + funcOff;
    if (at + pcspAt + 4 > data.length)
      throw new GoAnalysisError('truncated', 'function record past the table end');
    const nameOff = view.getInt32(at + nameAt, le);
    const pcsp = view.getUint32(at + pcspAt, le);
    const name = nameOff >= 0 ? cString(names, nameOff) : '';
    const span = next > entry ? next - entry : 0;
    let size: number;
    if (pcsp !== 0) {
      let length = pcspLengths.get(pcsp);
      if (length === undefined) {
        const walked = pcTableLength(pctab, pcsp, h.minLC);
        walkBudget -= walked.bytes;
        if (walkBudget < 0) throw new GoAnalysisError('corrupt pclntab', 'pc tables overlap');
        length = walked.pc;
        pcspLengths.set(pcsp, length);
      }
      size = Math.min(length, span);
    } else {
      size = span - trailingPadding(elf, entry, span);
    }
    functions.push({ name, entry, size, next: Math.max(next, entry), hasPcsp: pcsp !== 0, alias: false });
  }
  // Aliases take the size of the last function at their address (the one with the code's span).
  for (let i = functions.length - 2; i >= 0; i--) {
    const f = functions[i] as PclnFunction;
    const after = functions[i + 1] as PclnFunction;
    if (!f.hasPcsp && f.entry === after.entry) {
      f.size = after.size;
      f.next = after.next;
      f.alias = true;
    }
  }
  return {
    version: h.magic === MAGIC_120 ? 'go1.20' : h.magic === MAGIC_118 ? 'go1.18' : 'go1.16',
    textStart,
    textEnd,
    functions,
    fileNames: fileNames(data, h),
  };
}

/**
 * The file table: NUL-terminated names from its offset to the pc tables (runtime/symtab.go: the
 * linker writes each name once). An offset out of order gives no names rather than an error: the
 * names only feed advice (-trimpath), not the size attribution.
 */
function fileNames(data: Uint8Array, h: Header): string[] {
  if (h.filetabOffset === 0 || h.filetabOffset >= h.pctabOffset || h.pctabOffset > data.length) return [];
  return asBuffer(data.subarray(h.filetabOffset, h.pctabOffset))
    .toString('latin1')
    .split('\0')
    .filter((name) => name !== '');
}

/**
 * Total pc span covered by a pc-value table: walk (value delta, pc delta) varint pairs until the
 * terminating zero value delta (debug/gosym LineTable.step). Bounded by the table's bytes.
 */
export function pcTableLength(
  pctab: Uint8Array,
  off: number,
  quantum: number,
): { pc: number; bytes: number } {
  // Varints decoded inline: this loop runs over the whole table, allocation here shows up as GC.
  let at = off;
  let pc = 0;
  let first = true;
  const end = pctab.length;
  while (at < end) {
    let value = 0;
    let shift = 0;
    let b = 0x80;
    while (at < end && b & 0x80 && shift <= 35) {
      b = pctab[at++] as number;
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
    }
    if (value === 0 && !first) break;
    first = false;
    let delta = 0;
    shift = 0;
    b = 0x80;
    while (at < end && b & 0x80 && shift <= 35) {
      b = pctab[at++] as number;
      delta += (b & 0x7f) * 2 ** shift;
      shift += 7;
    }
    pc += delta * quantum;
  }
  return { pc, bytes: at - off };
}

/**
 * The x86 multi-byte NOPs compilers align C functions with (Intel SDM's recommended forms), as the
 * tail of a gap; `data16` (0x66) prefixes may be repeated in front of the long forms.
 */
const X86_NOPS: number[][] = [
  [0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0],
  [0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0],
  [0x0f, 0x1f, 0x80, 0, 0, 0, 0],
  [0x0f, 0x1f, 0x44, 0, 0],
  [0x0f, 0x1f, 0x40, 0],
  [0x0f, 0x1f, 0x00],
  [0x90],
];
const ARM64_NOP = [0x1f, 0x20, 0x03, 0xd5];

/** True when code[at - pattern.length, at) equals the pattern, within [start, at). */
function endsWith(code: Uint8Array, start: number, at: number, pattern: number[]): boolean {
  const from = at - pattern.length;
  if (from < start) return false;
  for (let i = 0; i < pattern.length; i++) if (code[from + i] !== pattern[i]) return false;
  return true;
}

/**
 * Length of the alignment fill that ends at `end` (exclusive), not going below `start`. `once`: the
 * fill after a function's code, which is the compiler's NOPs up to its alignment followed by the
 * linker's pad bytes (INT3 on x86, zeros elsewhere) up to the next entry, in that order only; without
 * it, NOP and pad runs may alternate (a gap that is fill throughout). Taking a pad run before a
 * NOP run would eat code: `jmp rel8` to 0xcc is `eb cc`.
 */
function fillSuffix(code: Uint8Array, start: number, end: number, arch: string, once = false): number {
  let at = end;
  for (;;) {
    const before = at;
    at = nopRun(code, start, padRun(code, start, at, arch), arch);
    if (once || at === before) return end - at;
  }
}

function isX86(arch: string): boolean {
  return arch === 'amd64' || arch === '386';
}

/** Start of the run of linker pad bytes ending at `at`. */
function padRun(code: Uint8Array, start: number, at: number, arch: string): number {
  const pad = isX86(arch) ? 0xcc : 0;
  while (at > start && code[at - 1] === pad) at--;
  return at;
}

/** Start of the run of compiler NOPs ending at `at`. */
function nopRun(code: Uint8Array, start: number, at: number, arch: string): number {
  for (;;) {
    const before = at;
    if (isX86(arch)) {
      const nop = X86_NOPS.find((n) => endsWith(code, start, at, n));
      if (nop) {
        at -= nop.length;
        // `data16` prefixes lengthen the long forms.
        for (let prefixes = 0; prefixes < 8 && at > start && code[at - 1] === 0x66; prefixes++) at--;
      }
    } else if (arch === 'arm64' && endsWith(code, start, at, ARM64_NOP)) {
      at -= 4;
    }
    if (at === before) return at;
  }
}

/** Alignment never needs more fill than this; longer runs are not padding (and are not scanned). */
const MAX_FILL = 4096;

/** How many bytes at the end of [entry, entry+span) are alignment fill (for code without pcsp). */
function trailingPadding(elf: ElfFile, entry: number, span: number): number {
  if (span === 0) return 0;
  const off = elf.fileOffset(entry, span);
  if (off === undefined) return 0;
  const end = off + span;
  return fillSuffix(elf.data, Math.max(off, end - MAX_FILL), end, elf.arch, true);
}

/** True when [addr, addr+length) is nothing but alignment fill (INT3, zeros, compiler NOPs). */
export function isAlignmentFill(elf: ElfFile, addr: number, length: number): boolean {
  if (length > MAX_FILL) return false;
  const off = elf.fileOffset(addr, length);
  if (off === undefined) return false;
  return fillSuffix(elf.data, off, off + length, elf.arch) === length;
}
