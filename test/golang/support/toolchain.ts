/**
 * Ground truth from independent tools, parsed into our shapes: `go version -m`, `go tool nm -size`
 * and `readelf -hSW`. These parsers are deliberately separate from src/golang so the tests can fail.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { GoBuildInfo, GoModule } from '../../../src/golang/types.js';
import { memoize } from '../../support/memo.js';
import { goTool, referenceGo } from './binaries.js';

const run = promisify(execFile);

/**
 * A tool's stdout, run once per argument list in this test file: the binaries do not change while
 * the tests read them, and several tests ask the same tool about the same file.
 */
const output = memoize(
  async (command: string, args: string[], maxBuffer: number) =>
    (await run(command, args, { maxBuffer })).stdout,
);

export async function goVersionM(file: string): Promise<GoBuildInfo> {
  return parseVersionM((await output(referenceGo(), ['version', '-m', file], 1 << 26)).split('\n'));
}

/**
 * `go version -m` of many Go binaries in one run (one `go` start-up, not one per file), by file.
 * Every file must be a Go binary: go exits 1 on any other.
 */
export async function goVersionMAll(files: string[]): Promise<Map<string, GoBuildInfo>> {
  const stdout = await output(referenceGo(), ['version', '-m', ...files], 1 << 28);
  const byFile = new Map<string, GoBuildInfo>();
  let block: string[] = [];
  const flush = () => {
    if (block.length === 0) return;
    const first = block[0]!;
    byFile.set(first.slice(0, first.lastIndexOf(': ')), parseVersionM(block));
  };
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    if (!line.startsWith('\t')) {
      flush();
      block = [];
    }
    block.push(line);
  }
  flush();
  return byFile;
}

/** One file's `go version -m` lines: `FILE: goVERSION`, then the tab-indented build info. */
function parseVersionM(block: string[]): GoBuildInfo {
  const lines = [...block];
  const first = lines.shift() ?? '';
  const info: GoBuildInfo = {
    goVersion: first.slice(first.lastIndexOf(': ') + 2).trim(),
    path: '',
    deps: [],
    settings: [],
  };
  let last: GoModule | undefined;
  const mod = (cols: string[]): GoModule => {
    const m: GoModule = { path: cols[0] ?? '', version: cols[1] ?? '' };
    if (cols[2]) m.sum = cols[2];
    return m;
  };
  for (const raw of lines) {
    if (!raw.startsWith('\t')) continue;
    const cols = raw.slice(1).split('\t');
    const word = cols.shift();
    if (word === 'path') info.path = cols.join('\t');
    else if (word === 'mod') {
      info.main = mod(cols);
      last = info.main;
    } else if (word === 'dep') {
      last = mod(cols);
      info.deps.push(last);
    } else if (word === '=>' && last) {
      last.replace = mod(cols);
      last = undefined;
    } else if (word === 'build') {
      const kv = cols.join('\t');
      // go version -m quotes keys/values with strconv.Quote; JSON reads the same escapes for these.
      const m = /^("(?:[^"\\]|\\.)*"|[^=]*)=(.*)$/.exec(kv);
      if (!m) continue;
      const key = m[1]?.startsWith('"') ? (JSON.parse(m[1]) as string) : (m[1] ?? '');
      const value = m[2]?.startsWith('"') ? (JSON.parse(m[2]) as string) : (m[2] ?? '');
      info.settings.push({ key, value });
    }
  }
  return info;
}

export interface NmSymbol {
  addr: number;
  size: number;
  type: string;
  name: string;
}

export async function goNm(file: string): Promise<NmSymbol[]> {
  const stdout = await output(referenceGo(), ['tool', 'nm', '-size', file], 1 << 28);
  const out: NmSymbol[] = [];
  for (const line of stdout.split('\n')) {
    // Names may contain spaces (generic instantiations): everything after the type letter is the name.
    const m = /^\s*([0-9a-f]+)\s+(\d+)\s+(\S)\s(.*)$/.exec(line);
    if (m)
      out.push({
        addr: Number.parseInt(m[1] ?? '', 16),
        size: Number(m[2]),
        type: m[3] ?? '',
        name: m[4] ?? '',
      });
  }
  return out;
}

export interface ReadelfSection {
  name: string;
  type: string;
  addr: number;
  offset: number;
  size: number;
  flags: string;
}

/** `readelf -hSW`: the file header and the section table, read by one run for both functions below. */
const readelf = (file: string) => output('readelf', ['-hSW', file], 1 << 24);

export async function readelfSections(file: string): Promise<ReadelfSection[]> {
  const stdout = await readelf(file);
  const out: ReadelfSection[] = [];
  for (const line of stdout.split('\n')) {
    // [Nr] Name Type Address Off Size ES Flg Lk Inf Al
    const m =
      /^\s*\[\s*(\d+)\]\s+(\S+)\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([A-Za-z]*)\s+\d+/.exec(
        line,
      );
    if (!m || m[1] === '0') continue;
    out.push({
      name: m[2] ?? '',
      type: m[3] ?? '',
      addr: Number.parseInt(m[4] ?? '', 16),
      offset: Number.parseInt(m[5] ?? '', 16),
      size: Number.parseInt(m[6] ?? '', 16),
      flags: m[7] ?? '',
    });
  }
  return out;
}

export async function readelfHeader(file: string): Promise<{ class: string; data: string; machine: string }> {
  const stdout = await readelf(file);
  const field = (label: string): string => new RegExp(`${label}:\\s+(.*)`).exec(stdout)?.[1]?.trim() ?? '';
  return { class: field('Class'), data: field('Data'), machine: field('Machine') };
}

/** The standard library's packages as `go list std` of that toolchain prints them. */
export async function goListStd(version: string): Promise<Set<string>> {
  return new Set((await goListStdOutput(version)).split('\n').filter(Boolean));
}

const goListStdOutput = memoize(
  async (version: string) =>
    (
      await run(goTool(version), ['list', 'std'], {
        env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' },
        maxBuffer: 1 << 24,
      })
    ).stdout,
);

/**
 * Where the code in [start, stop) ends as `objdump -d` decodes it: the end of the last instruction
 * that is not alignment fill (int3, nop). Independent of our byte-pattern trimming.
 */
export async function objdumpCodeEnd(file: string, start: number, stop: number): Promise<number> {
  const { stdout } = await run(
    'objdump',
    ['-d', '-w', `--start-address=0x${start.toString(16)}`, `--stop-address=0x${stop.toString(16)}`, file],
    { maxBuffer: 1 << 24 },
  );
  let end = start;
  for (const line of stdout.split('\n')) {
    // "  436bde:\tc3                   \tret" — address, bytes, instruction.
    const m = /^\s*([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t(.*)$/.exec(line);
    if (!m) continue;
    if (/^(?:int3|(?:data16 |cs )*nop\w*|xchg\s+%ax,%ax)\b/.test(m[3] ?? '')) continue;
    const addr = Number.parseInt(m[1] ?? '', 16);
    const length = (m[2] ?? '').trim().split(' ').length;
    end = addr + length;
  }
  return end;
}
