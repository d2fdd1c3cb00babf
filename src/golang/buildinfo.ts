/**
 * Go build information, as `go version -m` prints it (format: Go's src/debug/buildinfo/buildinfo.go
 * and runtime/debug/mod.go). The linker writes a 32-byte header starting with `\xff Go buildinf:`,
 * 16-byte aligned, at the start of `.go.buildinfo` (or of the first writable, non-executable segment).
 * Go >= 1.18 stores the version and module strings inline after the header (flag bit 2); older Go
 * stores pointers to two Go string headers. The module string is wrapped in two 16-byte sentinels.
 */
import type { ElfFile } from './elf.js';
import { PF_W, PF_X, PT_LOAD, utf8String } from './elf.js';
import { GoAnalysisError } from './errors.js';
import type { GoBuildInfo, GoModule } from './types.js';

const MAGIC = [0xff, 0x20, 0x47, 0x6f, 0x20, 0x62, 0x75, 0x69, 0x6c, 0x64, 0x69, 0x6e, 0x66, 0x3a]; // "\xff Go buildinf:"
const HEADER_SIZE = 32;
const ALIGN = 16;
/** Go reads at most this much of the data segment looking for the header. */
const SEARCH_LIMIT = 64 * 1024;
const FLAG_BIG_ENDIAN = 0x1;
const FLAG_INLINE = 0x2;

/** The raw strings found in the binary. */
export interface RawBuildInfo {
  goVersion: string;
  modinfo: string;
}

export function readRawBuildInfo(elf: ElfFile): RawBuildInfo {
  const region = buildInfoRegion(elf);
  const at = findHeader(region);
  if (at < 0) throw new GoAnalysisError('not a Go binary (no Go build info)');
  const ptrSize = region[at + 14] ?? 0;
  const flags = region[at + 15] ?? 0;
  if (flags & FLAG_INLINE) {
    const data = region.subarray(at + HEADER_SIZE);
    const version = readVarString(data, 0);
    const mod = readVarString(data, version.next);
    return { goVersion: utf8String(version.bytes), modinfo: stripSentinels(mod.bytes) };
  }
  if (ptrSize !== 4 && ptrSize !== 8)
    throw new GoAnalysisError('corrupt build info', `pointer size ${ptrSize}`);
  const bigEndian = (flags & FLAG_BIG_ENDIAN) !== 0;
  const header = new DataView(region.buffer, region.byteOffset + at, HEADER_SIZE);
  const readPtr = (view: DataView, off: number): number => {
    if (ptrSize === 4) return view.getUint32(off, !bigEndian);
    const value = view.getBigUint64(off, !bigEndian);
    if (value > 2n ** 52n) throw new GoAnalysisError('corrupt build info', 'pointer out of range');
    return Number(value);
  };
  const readGoString = (addr: number): Uint8Array => {
    const hdrOff = elf.fileOffset(addr, 2 * ptrSize);
    if (hdrOff === undefined)
      throw new GoAnalysisError('corrupt build info', 'string header outside the file');
    const hdr = new DataView(elf.data.buffer, elf.data.byteOffset + hdrOff, 2 * ptrSize);
    const dataAddr = readPtr(hdr, 0);
    const length = readPtr(hdr, ptrSize);
    if (length === 0) return new Uint8Array(0);
    const dataOff = elf.fileOffset(dataAddr, length);
    if (dataOff === undefined) throw new GoAnalysisError('corrupt build info', 'string outside the file');
    return elf.data.subarray(dataOff, dataOff + length);
  };
  return {
    goVersion: utf8String(readGoString(readPtr(header, 16))),
    modinfo: stripSentinels(readGoString(readPtr(header, 16 + ptrSize))),
  };
}

function buildInfoRegion(elf: ElfFile): Uint8Array {
  const section = elf.section('.go.buildinfo');
  if (section) return limit(elf.sectionData(section));
  const segment = elf.programs.find((p) => p.type === PT_LOAD && (p.flags & (PF_X | PF_W)) === PF_W);
  if (!segment || segment.offset >= elf.data.length) return new Uint8Array(0);
  const end = Math.min(segment.offset + segment.filesz, elf.data.length);
  return limit(elf.data.subarray(segment.offset, end));
}

function limit(bytes: Uint8Array): Uint8Array {
  return bytes.length > SEARCH_LIMIT ? bytes.subarray(0, SEARCH_LIMIT) : bytes;
}

function findHeader(region: Uint8Array): number {
  for (let at = 0; at + HEADER_SIZE <= region.length; at += ALIGN) {
    let match = true;
    for (let i = 0; i < MAGIC.length; i++) {
      if (region[at + i] !== MAGIC[i]) {
        match = false;
        break;
      }
    }
    if (match) return at;
  }
  return -1;
}

/** A uvarint length followed by that many bytes. */
function readVarString(data: Uint8Array, start: number): { bytes: Uint8Array; next: number } {
  let length = 0;
  let shift = 0;
  let at = start;
  for (;;) {
    const b = data[at++];
    if (b === undefined) throw new GoAnalysisError('truncated', 'build info cut short');
    length += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
    if (shift > 49) throw new GoAnalysisError('corrupt build info', 'string length overflows');
  }
  if (at + length > data.length) throw new GoAnalysisError('truncated', 'build info string cut short');
  return { bytes: data.subarray(at, at + length), next: at + length };
}

/** debug/buildinfo: modinfo has 16 bytes of sentinel on each side, with a newline just before the end one. */
function stripSentinels(bytes: Uint8Array): string {
  if (bytes.length >= 33 && bytes[bytes.length - 17] === 0x0a) {
    return utf8String(bytes.subarray(16, bytes.length - 16));
  }
  return '';
}

/** runtime/debug.ParseBuildInfo, returning our shape. Lines that do not parse are ignored. */
export function parseModinfo(goVersion: string, modinfo: string): GoBuildInfo {
  const info: GoBuildInfo = { goVersion, path: '', deps: [], settings: [] };
  let last: GoModule | undefined;
  const lines = modinfo.split('\n');
  lines.pop(); // the text after the last newline is not a line (Go drops it too)
  for (const line of lines) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const word = line.slice(0, tab);
    const rest = line.slice(tab + 1);
    switch (word) {
      case 'path':
        info.path = rest;
        break;
      case 'mod': {
        const mod = moduleFromColumns(rest);
        if (mod) info.main = mod;
        last = mod;
        break;
      }
      case 'dep': {
        const mod = moduleFromColumns(rest);
        if (mod) info.deps.push(mod);
        last = mod;
        break;
      }
      case '=>': {
        const mod = moduleFromColumns(rest);
        if (mod && last) last.replace = mod;
        last = undefined;
        break;
      }
      case 'build': {
        const setting = parseSetting(rest);
        if (setting) info.settings.push(setting);
        break;
      }
    }
  }
  // Field order as `go version -m` prints them (JSON readers see path, mod, deps, build).
  const { main, ...rest } = info;
  return main
    ? { goVersion: rest.goVersion, path: rest.path, main, deps: rest.deps, settings: rest.settings }
    : rest;
}

function moduleFromColumns(text: string): GoModule | undefined {
  const cols = text.split('\t');
  if (cols.length !== 2 && cols.length !== 3) return undefined;
  const mod: GoModule = { path: cols[0] ?? '', version: cols[1] ?? '' };
  if (cols[2]) mod.sum = cols[2];
  return mod;
}

/**
 * One `build` line's `key=value` by runtime/debug.ParseBuildInfo's rules: a key is quoted (`"…"` or
 * `` `…` ``) or else non-empty and free of `= \t\r\n"` and backquote; a value is quoted or else free of
 * the same characters but `=`. Where Go fails the whole parse, we drop the one line.
 */
function parseSetting(kv: string): { key: string; value: string } | undefined {
  let key: string | undefined;
  let raw: string;
  if (kv[0] === '"' || kv[0] === '`') {
    const quoted = quotedPrefix(kv);
    if (quoted === undefined || kv[quoted.length] !== '=') return undefined;
    key = goUnquote(quoted);
    raw = kv.slice(quoted.length + 1);
  } else {
    const eq = kv.indexOf('=');
    if (eq < 0) return undefined;
    key = kv.slice(0, eq);
    raw = kv.slice(eq + 1);
    if (key === '' || NEEDS_QUOTES.test(key)) return undefined;
  }
  let value: string | undefined = raw;
  if (raw[0] === '"' || raw[0] === '`') value = goUnquote(raw);
  else if (NEEDS_QUOTES.test(raw)) return undefined;
  return key === undefined || value === undefined ? undefined : { key, value };
}

/** Characters that oblige Go's BuildInfo.String to quote a key or value (a key also when it holds `=`). */
const NEEDS_QUOTES = /[ \t\r\n"`]/;

/** strconv.QuotedPrefix: the valid Go string literal at the start of `s`, or undefined. */
function quotedPrefix(s: string): string | undefined {
  let end = -1;
  if (s[0] === '`') {
    end = s.indexOf('`', 1);
  } else {
    for (let i = 1; i < s.length; i++) {
      if (s[i] === '\\') i++;
      else if (s[i] === '"') {
        end = i;
        break;
      }
    }
  }
  if (end < 0) return undefined;
  const literal = s.slice(0, end + 1);
  return goUnquote(literal) === undefined ? undefined : literal;
}

/** The one-character escapes of a double-quoted Go string (`\'` is only valid in a rune literal). */
const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
};

const HEX = /^[0-9a-fA-F]+$/;
const OCTAL = /^[0-7]{3}$/;

/**
 * strconv.Unquote for a Go string literal, double-quoted or raw (backquoted); undefined where Go
 * returns ErrSyntax. Escapes take exactly their number of digits; `\x` and octal give one byte,
 * `\u`/`\U` a code point (no surrogates). A raw string drops its carriage returns, as Go does.
 */
export function goUnquote(s: string): string | undefined {
  if (s.length < 2 || s[0] !== s[s.length - 1]) return undefined;
  const body = s.slice(1, -1);
  if (s[0] === '`') return body.includes('`') ? undefined : body.replaceAll('\r', '');
  if (s[0] !== '"') return undefined;
  const bytes: number[] = [];
  const enc = new TextEncoder();
  const pushText = (t: string) => {
    for (const b of enc.encode(t)) bytes.push(b);
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '"' || c === '\n') return undefined;
    if (c !== '\\') {
      pushText(c);
      continue;
    }
    const e = body[++i];
    if (e === undefined) return undefined;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      pushText(simple);
    } else if (e === 'x') {
      const digits = body.slice(i + 1, i + 3);
      if (digits.length !== 2 || !HEX.test(digits)) return undefined;
      bytes.push(Number.parseInt(digits, 16));
      i += 2;
    } else if (e >= '0' && e <= '7') {
      const digits = body.slice(i, i + 3);
      const n = Number.parseInt(digits, 8);
      if (!OCTAL.test(digits) || n > 255) return undefined;
      bytes.push(n);
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const digits = body.slice(i + 1, i + (e === 'u' ? 5 : 9));
      if (digits.length !== (e === 'u' ? 4 : 8) || !HEX.test(digits)) return undefined;
      const n = Number.parseInt(digits, 16);
      if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return undefined;
      pushText(String.fromCodePoint(n));
      i += digits.length;
    } else {
      return undefined;
    }
  }
  return utf8String(Uint8Array.from(bytes));
}

export function readBuildInfo(elf: ElfFile): GoBuildInfo {
  const raw = readRawBuildInfo(elf);
  return parseModinfo(raw.goVersion, raw.modinfo);
}
