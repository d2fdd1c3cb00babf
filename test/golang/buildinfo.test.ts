/**
 * Build info and ELF facts against the Go toolchain and readelf: every fixture binary, our own
 * builds for the other ELF shapes, and Debian's own Go programs (stripped, cgo, -trimpath).
 */
import { existsSync, readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeGoBinary } from '../../src/golang/analyze.js';
import type { GoBinaryReport } from '../../src/golang/types.js';
import { otherArchBinaries, some, type TestBinary, testBinaries } from './support/binaries.js';
import { goVersionMAll, readelfHeader, readelfSections } from './support/toolchain.js';

const DEBIAN_GO_PROGRAMS = [
  '/usr/bin/docker-registry',
  '/usr/bin/prometheus-pushgateway',
  '/usr/lib/go-1.23/bin/go',
  '/usr/lib/go-1.19/bin/go',
  '/usr/bin/skopeo',
].filter((f) => existsSync(f));

let binaries: TestBinary[] = [];
/** Our report of each file, made once: the build-info and the ELF tests read the same one. */
const reports = new Map<string, GoBinaryReport>();

function report(file: string): GoBinaryReport {
  if (!reports.has(file)) reports.set(file, analyzeGoBinary(readFileSync(file)));
  return reports.get(file)!;
}

beforeAll(async () => {
  binaries = [...(await testBinaries()), ...(await otherArchBinaries())];
}, 900_000);

describe('build info equals go version -m', () => {
  it('for every test binary', async () => {
    expect(binaries.length).toBeGreaterThan(10);
    // One `go version -m` run for all of them.
    const truth = await goVersionMAll(binaries.map((b) => b.file));
    expect(truth.size).toBe(binaries.length);
    for (const b of binaries) {
      const ours = report(b.file).buildInfo;
      const theirs = truth.get(b.file);
      expect(ours, b.file).toEqual(theirs);
      expect(ours.goVersion.startsWith(`go${b.go}`), b.file).toBe(true);
      expect(ours.settings.find((s) => s.key === 'GOARCH')?.value, b.file).toBe(b.goarch);
    }
  }, 300_000);

  it("for Debian's own Go programs", async () => {
    expect(DEBIAN_GO_PROGRAMS.length).toBeGreaterThanOrEqual(3);
    const truth = await goVersionMAll(DEBIAN_GO_PROGRAMS);
    for (const file of DEBIAN_GO_PROGRAMS) expect(report(file).buildInfo, file).toEqual(truth.get(file));
  }, 300_000);

  it('includes a replaced dependency for our test program', async () => {
    const b = binaries.find((x) => x.program === 'goprog');
    expect(b).toBeDefined();
    const info = report(b?.file ?? '').buildInfo;
    expect(info.deps).toContainEqual({
      path: 'example.com/greet',
      version: 'v0.1.0',
      replace: { path: './greet', version: '(devel)' },
    });
  });
});

describe('ELF facts equal readelf', () => {
  it('class, byte order, machine and every section size', async () => {
    const machines: Record<string, string> = {
      amd64: 'Advanced Micro Devices X86-64',
      arm64: 'AArch64',
      '386': 'Intel 80386',
      s390x: 'IBM S/390',
      mips: 'MIPS R3000',
    };
    for (const b of [...binaries, ...DEBIAN_GO_PROGRAMS.map((file) => ({ file, goarch: 'amd64' }))]) {
      const r = report(b.file);
      const header = await readelfHeader(b.file);
      expect(r.format, b.file).toBe(
        `${header.class === 'ELF64' ? 'elf64' : 'elf32'}-${header.data.includes('little') ? 'little' : 'big'}`,
      );
      expect(header.machine, b.file).toBe(machines[r.arch]);
      expect(r.arch, b.file).toBe(b.goarch);
      const sections = await readelfSections(b.file);
      let data: Buffer | undefined;
      expect(
        r.sections.map((s) => s.name),
        b.file,
      ).toEqual(sections.map((s) => s.name));
      for (const s of sections) {
        const ours = r.sections.find((x) => x.name === s.name);
        expect(ours?.fileSize, `${b.file} ${s.name}`).toBe(s.type === 'NOBITS' ? 0 : s.size);
        expect(ours?.compressed, `${b.file} ${s.name}`).toBe(
          s.flags.includes('C') || s.name.startsWith('.zdebug'),
        );
        if (!ours?.compressed || s.type === 'NOBITS') continue;
        // The uncompressed size, checked by inflating the section with zlib.
        data ??= readFileSync(b.file);
        const raw = data.subarray(s.offset, s.offset + s.size);
        const headerSize = s.name.startsWith('.zdebug') ? 12 : r.format.startsWith('elf64') ? 24 : 12;
        expect(ours.memSize, `${b.file} ${s.name}`).toBe(inflateSync(raw.subarray(headerSize)).length);
      }
      expect(r.stripped, b.file).toBe(!sections.some((s) => s.name === '.symtab'));
    }
  }, 300_000);

  it('compressed DWARF is found in unstripped builds of every toolchain', () => {
    for (const b of some(binaries, (x) => !x.stripped && x.program === 'goprog')) {
      const r = report(b.file);
      expect(
        r.sections.some((s) => s.compressed && s.memSize > s.fileSize),
        b.file,
      ).toBe(true);
    }
  });
});
