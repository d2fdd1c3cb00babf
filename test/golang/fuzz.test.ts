/**
 * Property-based fuzzing of the ELF, build info and pclntab parsers (docs/design.md §9): random bytes and
 * real binaries with flipped bytes, truncations and corrupted headers and tables. The only error
 * allowed is GoAnalysisError; nothing may hang or allocate more than the input's size. The strict
 * entry point is used, so a read the parsers forgot to bound fails here instead of being caught.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeStrict } from '../../src/golang/analyze.js';
import { GoAnalysisError } from '../../src/golang/errors.js';
import type { GoBinaryReport } from '../../src/golang/types.js';
import { type TestBinary, testBinaries } from './support/binaries.js';

let seeds: Array<{ name: string; data: Uint8Array }> = [];

beforeAll(async () => {
  const all = await testBinaries();
  // Small binaries keep each run fast: one stripped, one unstripped (with .symtab), one big-endian-free arm64.
  const pick = (f: (b: TestBinary) => boolean) => all.filter(f).sort((a, b) => size(a) - size(b))[0];
  const size = (b: TestBinary) => readFileSync(b.file).length;
  const chosen = [
    pick((b) => b.stripped && b.goarch === 'amd64' && b.go === '1.23'),
    pick((b) => !b.stripped && b.goarch === 'arm64' && b.go === '1.19'),
    pick((b) => b.cgo && !b.stripped),
  ].filter((b): b is TestBinary => b !== undefined);
  expect(chosen).toHaveLength(3);
  seeds = chosen.map((b) => ({ name: b.file, data: new Uint8Array(readFileSync(b.file)) }));
}, 900_000);

/** Runs the analysis; passes when it returns a bounded report or throws GoAnalysisError. */
function check(data: Uint8Array): void {
  let report: GoBinaryReport;
  try {
    report = analyzeStrict(data, { symbols: true });
  } catch (err) {
    if (err instanceof GoAnalysisError) return;
    throw err;
  }
  // Nothing in the report can be larger than what the input could describe.
  expect(report.size).toBe(data.length);
  expect((report.functions ?? []).length).toBeLessThanOrEqual(data.length / 8);
  expect(report.sections.length).toBeLessThanOrEqual(data.length / 40);
  const t = report.text;
  expect(t.goFunctionBytes + t.paddingBytes + t.nonGoBytes).toBe(t.textBytes);
  for (const v of [t.goFunctionBytes, t.paddingBytes, t.nonGoBytes]) expect(v).toBeGreaterThanOrEqual(0);
}

/** Fields whose corruption reaches deep into the parsers: ELF header, section headers, tables. */
function hotOffsets(data: Uint8Array): number[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const shoff = Number(view.getBigUint64(40, true));
  const shnum = view.getUint16(60, true);
  const offsets = [...Array(64).keys()];
  for (let i = 0; i < shnum; i++) for (let j = 0; j < 64; j++) offsets.push(shoff + i * 64 + j);
  // Starts of every section: pclntab header and functab, buildinfo header, symtab entries.
  for (let i = 0; i < shnum; i++) {
    const off = Number(view.getBigUint64(shoff + i * 64 + 24, true));
    for (let j = 0; j < 96; j++) offsets.push(off + j);
  }
  return offsets.filter((o) => o < data.length);
}

const RUNS = Number(process.env.GOBIN_FUZZ_RUNS ?? 50);

describe('parsers under fuzzing', () => {
  it('random bytes, with and without an ELF header in front', () => {
    const elfHeader = fc.constantFrom(
      new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]),
      new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 2, 1, 0]),
      new Uint8Array(0),
    );
    fc.assert(
      fc.property(elfHeader, fc.uint8Array({ maxLength: 4096 }), (head, rest) => {
        const data = new Uint8Array(head.length + rest.length);
        data.set(head);
        data.set(rest, head.length);
        check(data);
      }),
      { numRuns: 500 },
    );
  });

  it('real binaries with random bytes flipped in headers and tables', () => {
    expect(seeds.length).toBeGreaterThan(0);
    for (const seed of seeds) {
      const hot = hotOffsets(seed.data);
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat({ max: hot.length - 1 }), fc.integer({ min: 1, max: 255 })), {
            minLength: 1,
            maxLength: 8,
          }),
          (flips) => {
            const data = seed.data.slice();
            for (const [i, x] of flips) {
              const at = hot[i] as number;
              data[at] = (data[at] ?? 0) ^ x;
            }
            check(data);
          },
        ),
        { numRuns: RUNS },
      );
    }
  });

  it('real binaries with section header fields and table words overwritten', () => {
    for (const seed of seeds) {
      const hot = hotOffsets(seed.data).filter((o) => o % 4 === 0 && o + 8 <= seed.data.length);
      const word = fc.oneof(
        fc.constantFrom(0, 1, 0xffffffff, 0x7fffffff, 0x80000000, seed.data.length, seed.data.length - 1),
        fc.nat(),
      );
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat({ max: hot.length - 1 }), word, fc.boolean()), {
            minLength: 1,
            maxLength: 4,
          }),
          (writes) => {
            const data = seed.data.slice();
            const view = new DataView(data.buffer);
            for (const [i, value, wide] of writes) {
              const at = hot[i] as number;
              if (wide) view.setBigUint64(at, BigInt(value) * (value % 3 === 0 ? 0x100000000n : 1n), true);
              else view.setUint32(at, value >>> 0, true);
            }
            check(data);
          },
        ),
        { numRuns: RUNS },
      );
    }
  });

  it('real binaries truncated anywhere', () => {
    for (const seed of seeds) {
      fc.assert(
        fc.property(fc.nat({ max: seed.data.length }), (length) => {
          check(seed.data.subarray(0, length));
        }),
        { numRuns: RUNS },
      );
    }
  });

  it('real binaries with random bytes flipped anywhere', () => {
    for (const seed of seeds) {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat({ max: seed.data.length - 1 }), fc.integer({ min: 1, max: 255 })), {
            minLength: 1,
            maxLength: 64,
          }),
          (flips) => {
            const data = seed.data.slice();
            for (const [i, x] of flips) data[i] = (data[i] ?? 0) ^ x;
            check(data);
          },
        ),
        { numRuns: RUNS },
      );
    }
  });
});
