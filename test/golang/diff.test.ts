/**
 * diffGoBinary on real builds (fields checked against `go version -m` of both files) and on build
 * infos that exercise every module change kind.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeGoBinary } from '../../src/golang/analyze.js';
import { compareVersions, diffGoBinary } from '../../src/golang/diff.js';
import { joinSizes } from '../../src/golang/sizes.js';
import type { GoBinaryReport, GoModule } from '../../src/golang/types.js';
import { type TestBinary, testBinaries } from './support/binaries.js';
import { goVersionM } from './support/toolchain.js';

let binaries: TestBinary[] = [];
beforeAll(async () => {
  binaries = await testBinaries();
}, 900_000);

function withDeps(report: GoBinaryReport, deps: GoModule[]): GoBinaryReport {
  return { ...report, buildInfo: { ...report.buildInfo, deps } };
}

describe('diffGoBinary', () => {
  it('between two toolchains: version, every changed setting, size, sections and packages', async () => {
    const pick = (go: string) =>
      binaries.find((b) => b.program === 'goprog' && b.go === go && b.goarch === 'arm64' && !b.stripped);
    const [a, b] = [pick('1.21'), pick('1.23')];
    if (!a || !b) throw new Error('goprog builds missing');
    const [ra, rb] = [analyzeGoBinary(readFileSync(a.file)), analyzeGoBinary(readFileSync(b.file))];
    const d = diffGoBinary(ra, rb);
    const [ia, ib] = [await goVersionM(a.file), await goVersionM(b.file)];
    expect(d.goVersion).toEqual({ old: ia.goVersion, new: ib.goVersion });
    expect(d.delta).toBe(readFileSync(b.file).length - readFileSync(a.file).length);
    const before = new Map(ia.settings.map((s) => [s.key, s.value]));
    const after = new Map(ib.settings.map((s) => [s.key, s.value]));
    const changedKeys = [...new Set([...before.keys(), ...after.keys()])].filter(
      (k) => before.get(k) !== after.get(k),
    );
    expect(d.settingsChanged.map((s) => s.key).sort()).toEqual(changedKeys.sort());
    expect(d.modules).toEqual([]);
    const text = d.sections.find((s) => s.name === '.text');
    expect(text?.delta).toBe(rb.text.textBytes - ra.text.textBytes);
    // Package deltas add up to the change of Go code plus non-Go code.
    const sum = d.packages.reduce((n, p) => n + p.delta, 0);
    expect(sum).toBe(
      rb.text.goFunctionBytes + rb.text.nonGoBytes - (ra.text.goFunctionBytes + ra.text.nonGoBytes),
    );
    const deltas = d.packages.map((p) => p.delta);
    expect(deltas).toEqual([...deltas].sort((x, y) => y - x));
    expect(deltas).not.toContain(0);
  });

  it('classifies module changes', () => {
    const b = binaries.find((x) => x.program === 'goprog' && x.stripped);
    if (!b) throw new Error('goprog build missing');
    const base = analyzeGoBinary(readFileSync(b.file));
    const old = withDeps(base, [
      { path: 'a.example/up', version: 'v1.2.0' },
      { path: 'a.example/down', version: 'v2.0.0' },
      { path: 'a.example/gone', version: 'v0.1.0' },
      { path: 'a.example/local', version: 'v1.0.0', replace: { path: '../one', version: '(devel)' } },
      { path: 'a.example/pre', version: 'v1.0.0-rc.1' },
      { path: 'a.example/same', version: 'v1.0.0' },
    ]);
    const next = withDeps(base, [
      { path: 'a.example/up', version: 'v1.10.0' },
      { path: 'a.example/down', version: 'v1.9.9' },
      { path: 'a.example/local', version: 'v1.0.0', replace: { path: '../two', version: '(devel)' } },
      { path: 'a.example/pre', version: 'v1.0.0' },
      { path: 'a.example/same', version: 'v1.0.0' },
      { path: 'a.example/new', version: 'v0.0.0-20240101000000-abcdef123456' },
    ]);
    expect(diffGoBinary(old, next).modules).toEqual([
      { path: 'a.example/new', change: 'added', newVersion: 'v0.0.0-20240101000000-abcdef123456' },
      { path: 'a.example/pre', change: 'upgraded', oldVersion: 'v1.0.0-rc.1', newVersion: 'v1.0.0' },
      { path: 'a.example/up', change: 'upgraded', oldVersion: 'v1.2.0', newVersion: 'v1.10.0' },
      { path: 'a.example/down', change: 'downgraded', oldVersion: 'v2.0.0', newVersion: 'v1.9.9' },
      {
        path: 'a.example/local',
        change: 'replaced',
        oldVersion: 'v1.0.0 => ../one',
        newVersion: 'v1.0.0 => ../two',
      },
      { path: 'a.example/gone', change: 'removed', oldVersion: 'v0.1.0' },
    ]);
  });

  it('orders Go module versions like golang.org/x/mod/semver', () => {
    expect(compareVersions('v1.2.0', 'v1.10.0')).toBe(-1);
    expect(compareVersions('v1.10.0', 'v1.2.0')).toBe(1);
    expect(compareVersions('v1.0.0-rc.1', 'v1.0.0')).toBe(-1);
    expect(compareVersions('v1.0.0-rc.2', 'v1.0.0-rc.10')).toBe(-1);
    // +incompatible is build metadata: no order against the same version without it.
    expect(compareVersions('v2.0.0+incompatible', 'v2.0.0')).toBe(0);
    expect(compareVersions('v2.0.0+incompatible', 'v3.0.0+incompatible')).toBe(-1);
    expect(compareVersions('v1.9.9', 'v2.0.0+incompatible')).toBe(-1);
    // Pseudo-versions: by timestamp; a v1.2.4-0.… one sorts after v1.2.3 and before v1.2.4.
    const early = 'v0.0.0-20240101000000-abcdef123456';
    const late = 'v0.0.0-20240102000000-000000000000';
    expect(compareVersions(early, late)).toBe(-1);
    expect(compareVersions(early, 'v0.1.0')).toBe(-1);
    expect(compareVersions('v1.2.3', 'v1.2.4-0.20240101000000-abcdef123456')).toBe(-1);
    expect(compareVersions('v1.2.4-0.20240101000000-abcdef123456', 'v1.2.4')).toBe(-1);
    expect(compareVersions('v1.2.4-pre.0.20240101000000-abcdef123456', 'v1.2.4-pre')).toBe(1);
    // Not semver (a local replacement's `(devel)`, a missing `v`): no order, so `replaced`.
    expect(compareVersions('(devel)', 'v1.0.0')).toBe(0);
    expect(compareVersions('v1.0.0', '(devel)')).toBe(0);
    expect(compareVersions('1.0.0', 'v2.0.0')).toBe(0);
  });

  it('classifies +incompatible, pseudo-version and (devel) changes', () => {
    const b = binaries.find((x) => x.program === 'goprog' && x.stripped);
    if (!b) throw new Error('goprog build missing');
    const base = analyzeGoBinary(readFileSync(b.file));
    const old = withDeps(base, [
      { path: 'a.example/inc', version: 'v2.0.0+incompatible' },
      { path: 'a.example/pseudo', version: 'v1.2.4-0.20240101000000-abcdef123456' },
      { path: 'a.example/dev', version: '(devel)' },
    ]);
    const next = withDeps(base, [
      { path: 'a.example/inc', version: 'v3.1.0+incompatible' },
      { path: 'a.example/pseudo', version: 'v1.2.3' },
      { path: 'a.example/dev', version: 'v1.0.0' },
    ]);
    expect(diffGoBinary(old, next).modules.map((m) => [m.path, m.change])).toEqual([
      ['a.example/inc', 'upgraded'],
      ['a.example/pseudo', 'downgraded'],
      ['a.example/dev', 'replaced'],
    ]);
  });
});

describe('joinSizes', () => {
  it('one row per name of either side, 0 where absent, duplicates summed, largest growth first', () => {
    const rows = joinSizes(
      [
        { name: 'a', bytes: 10 },
        { name: 'gone', bytes: 5 },
        { name: 'dup', bytes: 1 },
        { name: 'dup', bytes: 2 },
        { name: 'same', bytes: 7 },
      ],
      [
        { name: 'a', bytes: 30 },
        { name: 'new', bytes: 20 },
        { name: 'same', bytes: 7 },
      ],
    );
    expect(rows).toEqual([
      { name: 'a', oldBytes: 10, newBytes: 30, delta: 20 },
      { name: 'new', oldBytes: 0, newBytes: 20, delta: 20 },
      { name: 'same', oldBytes: 7, newBytes: 7, delta: 0 },
      { name: 'dup', oldBytes: 3, newBytes: 0, delta: -3 },
      { name: 'gone', oldBytes: 5, newBytes: 0, delta: -5 },
    ]);
    expect(joinSizes(undefined, undefined)).toEqual([]);
  });
});
