/**
 * A section's size means one thing in every diff, table and metric: the Size column of `readelf -S`
 * (file bytes, memory bytes for NOBITS sections such as .bss; docs/metrics.md). Checked on the fixture
 * binaries app-v1 → app-v2, whose .bss grows while its file bytes stay 0.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffBinaries } from '../../src/delta/binaries.js';
import type { BinaryDelta } from '../../src/delta/types.js';
import { analyzeGoBinary } from '../../src/golang/analyze.js';
import { diffGoBinary } from '../../src/golang/diff.js';
import { sectionSizes } from '../../src/golang/sizes.js';
import type { GoBinaryReport } from '../../src/golang/types.js';
import type { ImageFilesystem } from '../../src/layer/filesystem.js';
import { buildMetricsRegistry } from '../../src/metrics/definitions.js';
import { parseExposition, select } from '../metrics/exposition.js';
import { deltaWithOneBinary } from '../metrics/sample-delta.js';
import { manifestBinaries, type TestBinary } from './support/binaries.js';
import { readelfSections } from './support/toolchain.js';

interface Build {
  file: string;
  report: GoBinaryReport;
  /** Section name → Size column of `readelf -SW`. */
  readelf: Map<string, number>;
}

const pairs: Array<{ v1: Build; v2: Build }> = [];

async function load(b: TestBinary): Promise<Build> {
  const sections = await readelfSections(b.file);
  return {
    file: b.file,
    report: analyzeGoBinary(readFileSync(b.file)),
    readelf: new Map(sections.map((s) => [s.name, s.size])),
  };
}

beforeAll(async () => {
  const fixtures = manifestBinaries().filter((b) => !b.stripped);
  for (const v1 of fixtures.filter((b) => b.program === 'app-v1')) {
    const v2 = fixtures.find((b) => b.program === 'app-v2' && b.go === v1.go && b.goarch === v1.goarch);
    if (v2) pairs.push({ v1: await load(v1), v2: await load(v2) });
  }
}, 120_000);

/** What readelf says each row of a two-sided section table must hold. */
function expectedRows(before: Build | undefined, after: Build | undefined) {
  const names = new Set([...(before?.readelf.keys() ?? []), ...(after?.readelf.keys() ?? [])]);
  return [...names].map((name) => {
    const oldBytes = before?.readelf.get(name) ?? 0;
    const newBytes = after?.readelf.get(name) ?? 0;
    return { name, oldBytes, newBytes, delta: newBytes - oldBytes };
  });
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);

describe('section sizes equal readelf -S', () => {
  it('every section of the fixture builds, NOBITS by memory size', () => {
    expect(pairs.length, 'fixtures/build.sh has not built app-v1 and app-v2').toBeGreaterThan(0);
    for (const { v1, v2 } of pairs) {
      for (const b of [v1, v2]) {
        const ours = new Map(sectionSizes(b.report.sections).map((s) => [s.name, s.bytes]));
        expect(ours, b.file).toEqual(b.readelf);
        for (const nobits of ['.bss', '.noptrbss']) {
          expect(b.report.sections.find((s) => s.name === nobits)?.fileSize, b.file).toBe(0);
          expect(ours.get(nobits), b.file).toBeGreaterThan(0);
        }
      }
    }
  });

  it('diffGoBinary: old, new and delta of every section, .bss included', () => {
    for (const { v1, v2 } of pairs) {
      const d = diffGoBinary(v1.report, v2.report);
      expect([...d.sections].sort(byName), v2.file).toEqual(expectedRows(v1, v2).sort(byName));
      // The fixture's point: app-v2 has more zero-initialised globals, which only memory sizes show.
      expect(d.sections.find((s) => s.name === '.bss')?.delta, v2.file).not.toBe(0);
      const deltas = d.sections.map((s) => s.delta);
      expect(deltas).toEqual([...deltas].sort((x, y) => y - x));
    }
  });

  it('added, removed and changed binaries of an image diff, and the metrics of the same delta', async () => {
    const fs = (binaries: Record<string, GoBinaryReport>): ImageFilesystem => ({
      files: new Map(),
      otherExecutables: new Map(),
      goBinaries: new Map(
        Object.entries(binaries).map(([path, report]) => [path, { path, layer: 0, report }]),
      ),
    });
    for (const { v1, v2 } of pairs) {
      const binaries = diffBinaries(
        fs({ '/app': v1.report, '/gone': v1.report }),
        fs({ '/app': v2.report, '/added': v2.report }),
      );
      const find = (path: string): BinaryDelta => {
        const b = binaries.find((x) => x.path === path);
        if (!b) throw new Error(`${path} missing`);
        return b;
      };
      const sorted = (b: BinaryDelta) => [...b.sections].sort(byName);
      expect(find('/app').status).toBe('changed');
      expect(sorted(find('/app'))).toEqual(expectedRows(v1, v2).sort(byName));
      expect(sorted(find('/added'))).toEqual(expectedRows(undefined, v2).sort(byName));
      expect(sorted(find('/gone'))).toEqual(expectedRows(v1, undefined).sort(byName));

      const registry = buildMetricsRegistry(
        [{ repository: 'r', delta: { ...deltaWithOneBinary(), binaries } }],
        { labels: {}, topN: 5, durationSeconds: 1 },
      );
      const samples = parseExposition(await registry.metrics());
      const series = (name: string, path: string) =>
        new Map(select(samples, name, { path }).map((s) => [s.labels.section, s.value]));
      for (const path of ['/app', '/added']) {
        // section_bytes of the new side and section_delta agree with readelf, so they mean the same.
        expect(series('layerdelta_go_binary_section_bytes', path), path).toEqual(v2.readelf);
        const old = path === '/app' ? v1 : undefined;
        expect(series('layerdelta_go_binary_section_delta_bytes', path), path).toEqual(
          new Map(expectedRows(old, v2).map((r) => [r.name, r.delta])),
        );
      }
    }
  });
});
