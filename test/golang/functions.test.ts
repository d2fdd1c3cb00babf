/**
 * Function sizes from the pclntab against `go tool nm -size`, the stripped twins against their
 * unstripped builds, and the exact accounting of .text against `readelf -SW`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeGoBinary } from '../../src/golang/analyze.js';
import { C_PACKAGE } from '../../src/golang/attribution.js';
import type { GoBinaryReport, GoFunction } from '../../src/golang/types.js';
import {
  otherArchBinaries,
  some,
  type TestBinary,
  testBinaries,
  unstrippedTwin,
} from './support/binaries.js';
import { goNm, type NmSymbol, readelfSections } from './support/toolchain.js';

let binaries: TestBinary[] = [];
const reports = new Map<string, GoBinaryReport>();

beforeAll(async () => {
  binaries = [...(await testBinaries()), ...(await otherArchBinaries())];
  for (const b of binaries) reports.set(b.file, analyzeGoBinary(readFileSync(b.file), { symbols: true }));
}, 900_000);

function report(b: TestBinary): GoBinaryReport {
  const r = reports.get(b.file);
  if (!r) throw new Error(`no report for ${b.file}`);
  return r;
}

/** Why an nm function symbol has no equal-sized pclntab function. */
type Category = 'text-marker' | 'outside-go-text' | 'host-object-section' | 'c-label-without-size';

interface Comparison {
  goSymbols: number;
  equal: number;
  explained: Map<Category, NmSymbol[]>;
  unexplained: string[];
}

function compareWithNm(functions: GoFunction[], nm: NmSymbol[]): Comparison {
  const byEntry = new Map<number, GoFunction[]>();
  for (const f of functions) byEntry.set(f.entry, [...(byEntry.get(f.entry) ?? []), f]);
  const text = nm.find((s) => s.name === 'runtime.text')?.addr ?? 0;
  const etext = nm.find((s) => s.name === 'runtime.etext')?.addr ?? Number.MAX_SAFE_INTEGER;
  const result: Comparison = { goSymbols: 0, equal: 0, explained: new Map(), unexplained: [] };
  const explain = (c: Category, s: NmSymbol) =>
    result.explained.set(c, [...(result.explained.get(c) ?? []), s]);
  for (const s of nm) {
    if (s.type !== 'T' && s.type !== 't') continue;
    // runtime.text/etext are zero-size labels at the start and end of Go's code, not functions.
    if (s.name === 'runtime.text' || s.name === 'runtime.etext') {
      explain('text-marker', s);
      continue;
    }
    // The external linker's C code (crt files, cgo's C) lies outside Go's text: the pclntab does
    // not describe it, and our accounting reports it as non-Go code.
    if (s.addr < text || s.addr >= etext) {
      explain('outside-go-text', s);
      continue;
    }
    // With internal linking, each C object linked in (cgo) also shows its whole `.text` section as a
    // local symbol `pkg(.text)`: a section, not a function; its functions are listed on their own.
    if (s.name.endsWith('(.text)')) {
      explain('host-object-section', s);
      continue;
    }
    const candidates = byEntry.get(s.addr) ?? [];
    // A C assembly label without an ELF size (e.g. runtime/cgo's crosscall1): nm prints 0, we give
    // the code up to the next function less the alignment fill (docs/design.md §4; checked against
    // objdump in linker-naming.test.ts).
    if (s.size === 0 && candidates.some((f) => f.package === C_PACKAGE && f.size > 0)) {
      explain('c-label-without-size', s);
      continue;
    }
    result.goSymbols++;
    // Keyed by entry: assembly names lack the `.abi0` the symbol table adds, and an ABI wrapper may
    // share its name with the function it wraps.
    const name = s.name.replace(/\.abi0$/, '');
    const ours = candidates.find((f) => f.name === name) ?? candidates[0];
    if (ours && ours.size === s.size) result.equal++;
    else
      result.unexplained.push(
        `${s.name} @${s.addr.toString(16)}: nm ${s.size}, ours ${ours ? ours.size : 'none'}`,
      );
  }
  return result;
}

describe('function sizes against go tool nm -size', () => {
  it('has unstripped binaries of every toolchain and arch to compare', () => {
    const unstripped = binaries.filter((b) => !b.stripped);
    expect(new Set(unstripped.map((b) => b.go)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(unstripped.map((b) => b.goarch))).toEqual(
      new Set(['amd64', 'arm64', '386', 's390x', 'mips']),
    );
    expect(unstripped.some((b) => b.cgo)).toBe(true);
  });

  it('matches at least 99% of Go function symbols exactly, and every other symbol is explained', async () => {
    for (const b of some(binaries, (x) => !x.stripped)) {
      const r = report(b);
      const nm = await goNm(b.file);
      const c = compareWithNm(r.functions ?? [], nm);
      const where = `${b.file} (go${b.go} ${b.goarch}${b.cgo ? ' cgo' : ''})`;
      expect(c.goSymbols, where).toBeGreaterThan(500);
      expect(c.equal / c.goSymbols, where).toBeGreaterThanOrEqual(0.99);
      expect(c.unexplained, where).toEqual([]);
      expect(c.explained.get('text-marker')?.length, where).toBe(2);
      // Code outside Go's text: never in our function list, and counted as non-Go bytes.
      const outside = c.explained.get('outside-go-text') ?? [];
      const outsideAddrs = new Set(outside.map((s) => s.addr));
      expect(
        (r.functions ?? []).filter((f) => outsideAddrs.has(f.entry)),
        where,
      ).toEqual([]);
      const outsideBytes = outside.reduce((n, s) => n + s.size, 0);
      expect(r.text.nonGoBytes, where).toBeGreaterThanOrEqual(outsideBytes);
      if (!b.cgo) expect(outside, where).toEqual([]);
    }
  }, 600_000);
});

describe('stripped binaries', () => {
  it('give the same functions and sizes as their unstripped twin', () => {
    let compared = 0;
    for (const b of some(binaries, (x) => x.stripped)) {
      const twin = unstrippedTwin(binaries, b);
      if (!twin) continue;
      compared++;
      const a = report(b);
      const u = report(twin);
      expect(a.stripped, b.file).toBe(true);
      expect(u.stripped, twin.file).toBe(false);
      const sig = (r: GoBinaryReport) => (r.functions ?? []).map((f) => `${f.name} ${f.size}`).sort();
      expect(sig(a), b.file).toEqual(sig(u));
      expect(a.text, b.file).toEqual(u.text);
      expect(a.packages, b.file).toEqual(u.packages);
    }
    expect(compared).toBeGreaterThan(0);
  });
});

describe('.text accounting', () => {
  it('adds up to the .text size readelf reports, exactly', async () => {
    for (const b of binaries) {
      const r = report(b);
      const text = (await readelfSections(b.file)).find((s) => s.name === '.text');
      expect(text, b.file).toBeDefined();
      const t = r.text;
      expect(t.textBytes, b.file).toBe(text?.size);
      expect(t.goFunctionBytes + t.paddingBytes + t.nonGoBytes, b.file).toBe(text?.size);
      const functionBytes = (r.functions ?? []).reduce((n, f) => n + f.size, 0);
      expect(t.goFunctionBytes, b.file).toBe(functionBytes);
      // Package and module totals cover the same bytes: the functions plus the non-Go row.
      const sum = (rows: Array<{ bytes: number }>) => rows.reduce((n, x) => n + x.bytes, 0);
      expect(sum(r.packages), b.file).toBe(t.goFunctionBytes + t.nonGoBytes);
      expect(sum(r.modules), b.file).toBe(t.goFunctionBytes + t.nonGoBytes);
      if (!b.cgo) expect(t.nonGoBytes, b.file).toBe(0);
    }
  });

  it("adds up for Debian's own (stripped, cgo, -trimpath) Go programs too", async () => {
    const programs = [
      '/usr/bin/docker-registry',
      '/usr/bin/prometheus-pushgateway',
      '/usr/bin/skopeo',
    ].filter((f) => existsSync(f));
    expect(programs.length).toBeGreaterThan(0);
    for (const file of programs) {
      const r = analyzeGoBinary(readFileSync(file));
      const text = (await readelfSections(file)).find((s) => s.name === '.text');
      const t = r.text;
      expect(t.textBytes, file).toBe(text?.size);
      expect(t.goFunctionBytes + t.paddingBytes + t.nonGoBytes, file).toBe(text?.size);
      // Go code is nearly all of it; the rest is the C of cgo and the C runtime's start files.
      expect(t.goFunctionBytes / t.textBytes, file).toBeGreaterThan(0.9);
    }
  });
});

describe('pclntab format', () => {
  it('is the one each toolchain writes', () => {
    const expected: Record<string, string> = { '1.19': 'go1.18', '1.21': 'go1.20', '1.23': 'go1.20' };
    for (const b of binaries) expect(report(b).pclntabVersion, b.file).toBe(expected[b.go]);
  });
});

describe('other ways to the pclntab', () => {
  it('position-independent builds have no .gopclntab section, and are still analysed (see the nm test)', async () => {
    const pie = binaries.filter((x) => x.program.endsWith('-pie'));
    expect(pie.length).toBeGreaterThan(0);
    for (const b of pie) {
      expect(
        (await readelfSections(b.file)).some((s) => s.name === '.gopclntab'),
        b.file,
      ).toBe(false);
      expect(report(b).functions?.length, b.file).toBeGreaterThan(1000);
    }
  });

  /** Byte offset of a section's name in the file, found through readelf's section table. */
  async function sectionNameOffset(file: string, data: Uint8Array, name: string): Promise<number> {
    const shstrtab = (await readelfSections(file)).find((s) => s.name === '.shstrtab');
    if (!shstrtab) throw new Error('no .shstrtab');
    const table = Buffer.from(data.subarray(shstrtab.offset, shstrtab.offset + shstrtab.size));
    const at = table.indexOf(Buffer.from(`${name}\0`));
    if (at < 0) throw new Error(`no ${name} in .shstrtab`);
    return shstrtab.offset + at;
  }

  it('finds the table by scanning when no section is named .gopclntab', async () => {
    for (const b of some(
      binaries,
      (x) => x.stripped && (x.goarch === 'amd64' || x.goarch === 'arm64') && !x.program.endsWith('-pie'),
    )) {
      const data = new Uint8Array(readFileSync(b.file));
      // Rename the section so that only the magic-number scan can find the table.
      data[(await sectionNameOffset(b.file, data, '.gopclntab')) + 1] = 'x'.charCodeAt(0);
      const renamed = analyzeGoBinary(data, { symbols: true });
      expect(
        renamed.sections.some((s) => s.name === '.xopclntab'),
        b.file,
      ).toBe(true);
      expect(renamed.functions, b.file).toEqual(report(b).functions);
    }
  });

  it('falls back to runtime.text or the .text address when the header says text start 0 (Go 1.26)', async () => {
    // Stripped: .text's address, right when Go linked alone. Unstripped: the runtime.text symbol,
    // right also when an external linker put C code first (cgo).
    const eligible = (x: TestBinary) => (x.stripped ? !x.cgo : true);
    for (const b of some(
      binaries,
      (x) =>
        eligible(x) &&
        x.go !== '1.19' &&
        x.goarch !== 'mips' &&
        x.goarch !== '386' &&
        !x.program.endsWith('-pie'),
    )) {
      const data = new Uint8Array(readFileSync(b.file));
      const section = (await readelfSections(b.file)).find((s) => s.name === '.gopclntab');
      const text = (await readelfSections(b.file)).find((s) => s.name === '.text');
      if (!section || !text) throw new Error(`${b.file}: sections missing`);
      const view = new DataView(data.buffer, data.byteOffset + section.offset);
      const littleEndian = b.goarch !== 's390x';
      // pcHeader: magic, pad, minLC, ptrSize, nfunc, nfiles, textStart (64-bit targets here).
      const runtimeText = b.stripped
        ? text.addr
        : (await goNm(b.file)).find((s) => s.name === 'runtime.text')?.addr;
      expect(Number(view.getBigUint64(24, littleEndian)), b.file).toBe(runtimeText);
      view.setBigUint64(24, 0n, littleEndian);
      expect(analyzeGoBinary(data, { symbols: true }).functions, b.file).toEqual(report(b).functions);
    }
  });
});
