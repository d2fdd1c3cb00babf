/**
 * Where a plain reading of the symbol table or debug/gosym differs from what the toolchain built:
 * promoted-method wrappers (Go 1.19 and later), the race runtime's C++ code (aliases at one address,
 * code ending in a 0xcc byte, gcc's `.cold` parts) and C assembly labels without an ELF size. Ground
 * truth: `go tool nm -size`, `go list std` and `objdump -d`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeGoBinary } from '../../src/golang/analyze.js';
import { C_PACKAGE, GENERATED_PACKAGE, STD_MODULE } from '../../src/golang/attribution.js';
import type { GoBinaryReport, GoFunction } from '../../src/golang/types.js';
import { some, type TestBinary, unstrippedTwin, wrapperBinaries } from './support/binaries.js';
import { goListStd, goNm, type NmSymbol, objdumpCodeEnd } from './support/toolchain.js';

let binaries: TestBinary[] = [];
const reports = new Map<string, GoBinaryReport>();

beforeAll(async () => {
  binaries = await wrapperBinaries();
  for (const b of binaries) reports.set(b.file, analyzeGoBinary(readFileSync(b.file), { symbols: true }));
}, 900_000);

function report(b: TestBinary): GoBinaryReport {
  const r = reports.get(b.file);
  if (!r) throw new Error(`no report for ${b.file}`);
  return r;
}

function functionsAt(r: GoBinaryReport): Map<number, GoFunction[]> {
  const byEntry = new Map<number, GoFunction[]>();
  for (const f of r.functions ?? []) byEntry.set(f.entry, [...(byEntry.get(f.entry) ?? []), f]);
  return byEntry;
}

/** nm's function symbols inside Go's text, less the section and text markers that are not functions. */
function nmFunctions(nm: NmSymbol[]): NmSymbol[] {
  const text = nm.find((s) => s.name === 'runtime.text')?.addr ?? 0;
  const etext = nm.find((s) => s.name === 'runtime.etext')?.addr ?? 0;
  return nm.filter(
    (s) =>
      (s.type === 'T' || s.type === 't') &&
      s.addr >= text &&
      s.addr < etext &&
      s.name !== 'runtime.text' &&
      // A host object's sections (`runtime/cgo(.text)`, `…(.text.unlikely)`): sections, not functions.
      !/\(\.text[^)]*\)$/.test(s.name),
  );
}

function ours(byEntry: Map<number, GoFunction[]>, s: NmSymbol): GoFunction | undefined {
  const at = byEntry.get(s.addr) ?? [];
  return at.find((f) => f.name === s.name.replace(/\.abi0$/, '')) ?? at[0];
}

describe('promoted-method wrappers are filed under the package the linker names them for', () => {
  const wrapper = /\.example\.com\/wrappers\/hidden\.(?:bump|peek)$/;

  it('named receivers: the receiver type’s package, not the method’s path', async () => {
    for (const b of some(binaries, (x) => !x.stripped)) {
      const byEntry = functionsAt(report(b));
      const named = (await goNm(b.file)).filter((s) => s.name.startsWith('main.') && wrapper.test(s.name));
      expect(named.length, b.file).toBeGreaterThanOrEqual(2);
      for (const s of named) {
        const f = ours(byEntry, s);
        expect([f?.name, f?.size, f?.package, f?.module], b.file).toEqual([
          s.name,
          s.size,
          'main',
          'example.com/wrappers',
        ]);
      }
    }
  });

  it('anonymous struct receivers (`go.struct {…}`, `go:(*struct {…})`): compiler-generated', async () => {
    for (const b of some(binaries, (x) => !x.stripped)) {
      const byEntry = functionsAt(report(b));
      const anonymous = (await goNm(b.file)).filter((s) => /^go[.:](?:\(\*)?struct \{/.test(s.name));
      // Both wrappers per anonymous type and method: value and pointer receiver.
      expect(anonymous.length, b.file).toBeGreaterThanOrEqual(4);
      for (const s of anonymous) {
        const f = ours(byEntry, s);
        expect([f?.name, f?.size, f?.package, f?.module], b.file).toEqual([
          s.name,
          s.size,
          GENERATED_PACKAGE,
          GENERATED_PACKAGE,
        ]);
      }
    }
  });

  it('stripped builds file them the same way (from the pclntab alone)', () => {
    for (const b of some(binaries, (x) => x.stripped)) {
      const twin = unstrippedTwin(binaries, b);
      if (!twin) throw new Error(`${b.file}: no unstripped twin`);
      expect(report(b).packages, b.file).toEqual(report(twin).packages);
      expect(report(b).modules, b.file).toEqual(report(twin).modules);
    }
  });

  it('every standard-library package reported is one `go list std` of that toolchain knows', async () => {
    const debian = ['/usr/bin/skopeo', '/usr/bin/docker-registry', '/usr/bin/prometheus-pushgateway'];
    const cases = [
      ...some(binaries, () => true).map((b) => ({ file: b.file, go: b.go, r: report(b) })),
      // Debian's Go 1.19 programs hold `go.struct {…}` wrappers of real code (io.Reader + io.Closer).
      ...debian
        .filter((f) => existsSync(f))
        .map((file) => ({ file, go: '1.19', r: analyzeGoBinary(readFileSync(file), { symbols: true }) })),
    ];
    for (const { file, go, r } of cases) {
      const std = await goListStd(go);
      const stdPackages = new Set(
        (r.functions ?? []).filter((f) => f.module === STD_MODULE).map((f) => f.package),
      );
      expect(stdPackages.size, file).toBeGreaterThan(20);
      for (const p of stdPackages) expect(std.has(p), `${file}: ${p}`).toBe(true);
      // Nothing made up elsewhere either: no receiver text in a package name.
      for (const p of r.packages) expect(p.name, file).not.toMatch(/^[^(].*[ ({*]/);
    }
  }, 120_000);
});

describe('the race runtime’s C++ code against go tool nm -size', () => {
  const race = () => some(binaries, (b) => b.race === true && !b.stripped);

  it('every C and Go function symbol in Go’s text has nm’s size', async () => {
    for (const b of race()) {
      const byEntry = functionsAt(report(b));
      const nm = nmFunctions(await goNm(b.file));
      const differ = nm
        .filter((s) => s.name !== 'crosscall_amd64' && s.name !== 'crosscall1')
        .map((s) => [s, ours(byEntry, s)] as const)
        .filter(([s, f]) => f?.size !== s.size)
        .map(([s, f]) => `${s.name}: nm ${s.size}, ours ${f?.size}`);
      expect(differ, b.file).toEqual([]);
      expect(nm.length, b.file).toBeGreaterThan(2000);
    }
  });

  it('aliases at one address (C1/C2 constructors) each get the size, counted once in the totals', async () => {
    for (const b of race()) {
      const r = report(b);
      const nm = nmFunctions(await goNm(b.file));
      const at = new Map<number, NmSymbol[]>();
      for (const s of nm) at.set(s.addr, [...(at.get(s.addr) ?? []), s]);
      const aliased = [...at.values()].filter((group) => group.length > 1 && group.some((s) => s.size > 0));
      expect(aliased.length, b.file).toBeGreaterThan(10);
      const byEntry = functionsAt(r);
      for (const group of aliased) {
        const functions = byEntry.get(group[0]?.addr ?? -1) ?? [];
        expect(functions.length, b.file).toBe(group.length);
        // All but one are aliases: the bytes are counted once.
        expect(functions.filter((f) => !f.alias).length, b.file).toBe(1);
      }
      const counted = (r.functions ?? []).filter((f) => !f.alias).reduce((n, f) => n + f.size, 0);
      expect(r.text.goFunctionBytes, b.file).toBe(counted);
      const sum = (rows: Array<{ bytes: number }>) => rows.reduce((n, x) => n + x.bytes, 0);
      expect(sum(r.packages), b.file).toBe(r.text.goFunctionBytes + r.text.nonGoBytes);
      expect(r.text.goFunctionBytes + r.text.paddingBytes + r.text.nonGoBytes, b.file).toBe(r.text.textBytes);
    }
  });

  it('code whose last instruction ends in 0xcc keeps that byte (`jmp rel8` as `eb cc`)', async () => {
    for (const b of race()) {
      const data = readFileSync(b.file);
      const r = report(b);
      const nm = nmFunctions(await goNm(b.file));
      const byEntry = functionsAt(r);
      const endsInCc = nm.filter((s) => {
        const f = ours(byEntry, s);
        return f && f.package === C_PACKAGE && s.size > 1 && lastBytes(data, s) === 'ebcc';
      });
      expect(endsInCc.length, b.file).toBeGreaterThan(0);
      for (const s of endsInCc) expect(ours(byEntry, s)?.size, `${b.file}: ${s.name}`).toBe(s.size);
    }
  });

  it('C names with dots (gcc’s .cold, .part.0, .localalias) are C, not a package', async () => {
    for (const b of race()) {
      const dotted = (report(b).functions ?? []).filter(
        (f) => f.name.startsWith('_Z') && f.name.includes('.'),
      );
      expect(dotted.length, b.file).toBeGreaterThan(0);
      for (const f of dotted) expect([f.name, f.package], b.file).toEqual([f.name, C_PACKAGE]);
    }
  });
});

describe('C assembly labels without an ELF size (crosscall_amd64, crosscall1)', () => {
  it('nm prints 0 (no .size directive); we give the bytes of code objdump decodes up to the next symbol', async () => {
    for (const b of some(binaries, (x) => x.race === true && !x.stripped)) {
      const nm = (await goNm(b.file))
        .filter((s) => s.type === 'T' || s.type === 't')
        .sort((x, y) => x.addr - y.addr);
      const labels = nm.filter((s) => s.name === 'crosscall_amd64' || s.name === 'crosscall1');
      expect(labels.length, b.file).toBeGreaterThan(0);
      const byEntry = functionsAt(report(b));
      for (const s of labels) {
        expect(s.size, `${b.file}: ${s.name}`).toBe(0);
        const next = nm.find((o) => o.addr > s.addr);
        if (!next) throw new Error(`${s.name}: no symbol after it`);
        const end = await objdumpCodeEnd(b.file, s.addr, next.addr);
        expect(end - s.addr, `${b.file}: ${s.name}`).toBeGreaterThan(0);
        expect(ours(byEntry, s)?.size, `${b.file}: ${s.name}`).toBe(end - s.addr);
      }
    }
  });
});

/** The last two code bytes of an nm symbol, as hex, read from the file through the ELF segments. */
function lastBytes(data: Buffer, s: NmSymbol): string {
  const off = fileOffset(data, s.addr + s.size - 2);
  return off === undefined ? '' : data.subarray(off, off + 2).toString('hex');
}

/** File offset of an address by the program headers (64-bit little-endian ELF). */
function fileOffset(data: Buffer, addr: number): number | undefined {
  const phoff = Number(data.readBigUInt64LE(32));
  const phentsize = data.readUInt16LE(54);
  const phnum = data.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (data.readUInt32LE(at) !== 1) continue;
    const offset = Number(data.readBigUInt64LE(at + 8));
    const vaddr = Number(data.readBigUInt64LE(at + 16));
    const filesz = Number(data.readBigUInt64LE(at + 32));
    if (addr >= vaddr && addr < vaddr + filesz) return offset + addr - vaddr;
  }
  return undefined;
}
