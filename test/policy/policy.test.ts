import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildImageDelta } from '../../src/delta/compare.js';
import type { BinaryDelta } from '../../src/delta/types.js';
import { UsageError } from '../../src/errors.js';
import { FROM_FLAGS, loadConfigFile, mergeSettings, parseSettings } from '../../src/policy/config.js';
import { evaluateThresholds } from '../../src/policy/evaluate.js';
import { resolvedImage, sampleDelta } from '../delta/images.js';

describe('settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerdelta-policy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses every known setting; undefined values are skipped', () => {
    expect(
      parseSettings(
        {
          tolerance: '2%',
          'max-growth': '10%',
          'max-growth-bytes': '5MB',
          'max-layer-growth': 20,
          'max-new-layer-bytes': '50MB',
          'max-binary-growth': '15%',
          'max-binary-growth-bytes': '1MiB',
          unused: undefined,
        },
        'flags',
      ),
    ).toEqual({
      tolerance: 0.02,
      thresholds: {
        maxGrowth: 0.1,
        maxGrowthBytes: 5_000_000,
        maxLayerGrowth: 0.2,
        maxNewLayerBytes: 50_000_000,
        maxBinaryGrowth: 0.15,
        maxBinaryGrowthBytes: 1_048_576,
      },
    });
  });

  it('names the flag or the file in errors', () => {
    expect(() => parseSettings({ 'max-growth': 'ten' }, FROM_FLAGS)).toThrow(
      'invalid percentage "ten" for --max-growth',
    );
    expect(() => parseSettings({ 'max-growth': 'ten' }, 'ci.yml')).toThrow(
      'invalid percentage "ten" for max-growth in ci.yml',
    );
  });

  it('rejects unknown keys and non-scalar values', () => {
    expect(() => parseSettings({ 'max-grwoth': '10%' }, 'x.yml')).toThrow(
      /unknown setting "max-grwoth" in x.yml/,
    );
    expect(() => parseSettings({ 'max-growth': ['10%'] }, 'x.yml')).toThrow(UsageError);
  });

  it('reads .layerdelta.yml from the directory, or nothing when absent', () => {
    expect(loadConfigFile(undefined, dir)).toEqual({ thresholds: {} });
    writeFileSync(join(dir, '.layerdelta.yml'), '# CI limits\nmax-growth: 10%\nmax-new-layer-bytes: 5MB\n');
    expect(loadConfigFile(undefined, dir)).toEqual({
      thresholds: { maxGrowth: 0.1, maxNewLayerBytes: 5_000_000 },
    });
  });

  it('reads --config relative to the directory; a missing explicit file is a UsageError', () => {
    writeFileSync(join(dir, 'ci.yml'), 'tolerance: 1\n');
    expect(loadConfigFile('ci.yml', dir)).toEqual({ thresholds: {}, tolerance: 0.01 });
    expect(() => loadConfigFile('missing.yml', dir)).toThrow(/config file missing.yml not found/);
  });

  it('turns bad YAML and non-mappings into UsageErrors', () => {
    writeFileSync(join(dir, 'bad.yml'), 'max-growth: [10%\n');
    expect(() => loadConfigFile('bad.yml', dir)).toThrow(UsageError);
    writeFileSync(join(dir, 'list.yml'), '- max-growth\n');
    expect(() => loadConfigFile('list.yml', dir)).toThrow(/must be a mapping/);
    writeFileSync(join(dir, 'empty.yml'), '');
    expect(loadConfigFile('empty.yml', dir)).toEqual({ thresholds: {} });
  });

  it('flags override the file, field by field', () => {
    const file = { thresholds: { maxGrowth: 0.1, maxGrowthBytes: 5 }, tolerance: 0.01 };
    const flags = { thresholds: { maxGrowth: 0.5 } };
    expect(mergeSettings(file, flags)).toEqual({
      thresholds: { maxGrowth: 0.5, maxGrowthBytes: 5 },
      tolerance: 0.01,
    });
  });
});

describe('evaluateThresholds', () => {
  // sampleDelta: 8.5 MB → 15.702 MB (+7.202 MB, +84.7%); app layer 4.5 → 10.8 MB (+140%); static new 1.2 MB.
  const delta = sampleDelta();
  const rules = (t: Parameters<typeof evaluateThresholds>[1]) =>
    evaluateThresholds(delta, t).findings.map((f) => `${f.severity} ${f.rule}`);

  it('passes without thresholds, warning about the layer beyond tolerance', () => {
    const result = evaluateThresholds(delta, {});
    expect(result.passed).toBe(true);
    expect(rules({})).toEqual(['warning significant-layer-growth']);
  });

  it.each([
    ['max-growth just under the growth', { maxGrowth: 0.84 }, ['error max-growth']],
    ['max-growth above the growth', { maxGrowth: 0.85 }, []],
    ['max-growth-bytes exactly the growth (not crossed)', { maxGrowthBytes: 7_202_000 }, []],
    ['max-growth-bytes one byte under', { maxGrowthBytes: 7_201_999 }, ['error max-growth-bytes']],
    ['max-layer-growth crossed by the app layer', { maxLayerGrowth: 1.39 }, ['error max-layer-growth']],
    ['max-layer-growth not crossed', { maxLayerGrowth: 1.4 }, []],
    ['max-new-layer-bytes crossed', { maxNewLayerBytes: 1_199_999 }, ['error max-new-layer-bytes']],
    ['max-new-layer-bytes exactly the size', { maxNewLayerBytes: 1_200_000 }, []],
  ])('%s', (_name, thresholds, expected) => {
    const errors = rules(thresholds).filter((r) => r.startsWith('error'));
    expect(errors).toEqual(expected);
    expect(evaluateThresholds(delta, thresholds).passed).toBe(expected.length === 0);
  });

  it('lists every crossed threshold with actual and limit', () => {
    const result = evaluateThresholds(delta, {
      maxGrowth: 0.1,
      maxGrowthBytes: 1_000_000,
      maxLayerGrowth: 0.5,
      maxNewLayerBytes: 1000,
    });
    expect(result.passed).toBe(false);
    expect(result.findings).toEqual([
      {
        severity: 'error',
        rule: 'max-growth',
        message: 'image grew +7.2 MB (+85%) compressed, above max-growth 10%',
        actual: 7_202_000 / 8_500_000,
        limit: 0.1,
      },
      {
        severity: 'error',
        rule: 'max-growth-bytes',
        message: 'image grew +7.2 MB compressed, above max-growth-bytes 1 MB',
        actual: 7_202_000,
        limit: 1_000_000,
      },
      {
        severity: 'error',
        rule: 'max-layer-growth',
        message:
          'layer 3 (COPY app /usr/local/bin/app) grew +6.3 MB (+140%) compressed, above max-layer-growth 50%',
        actual: 6_300_000 / 4_500_000,
        limit: 0.5,
        layer: 3,
      },
      {
        severity: 'error',
        rule: 'max-new-layer-bytes',
        message: 'new layer 4 (COPY static /srv/static) is 1.2 MB compressed, above max-new-layer-bytes 1 kB',
        actual: 1_200_000,
        limit: 1000,
        layer: 4,
      },
    ]);
  });

  it('never fails on shrinking', () => {
    const shrunk = buildImageDelta(resolvedImage('a', [['x', 2000]]), resolvedImage('b', [['y', 1000]]), {
      tolerance: 0.05,
    });
    const result = evaluateThresholds(shrunk, { maxGrowth: 0, maxGrowthBytes: 0, maxLayerGrowth: 0 });
    expect(result).toMatchObject({ passed: true, findings: [] });
  });

  it('treats growth from an empty image as infinite growth (no actual ratio)', () => {
    const fromEmpty = buildImageDelta(resolvedImage('a', []), resolvedImage('b', [['y', 1000]]), {
      tolerance: 0.05,
    });
    const [finding] = evaluateThresholds(fromEmpty, { maxGrowth: 10 }).findings;
    expect(finding).toEqual({
      severity: 'error',
      rule: 'max-growth',
      message: 'image grew +1 kB (from 0 B) compressed, above max-growth 1000%',
      limit: 10,
    });
  });

  it('applies binary thresholds to changed and added binaries, and warns when binaries were not analysed', () => {
    expect(rules({ maxBinaryGrowth: 0.1 })).toContain('warning binaries-not-analysed');
    const binary = (
      path: string,
      status: BinaryDelta['status'],
      oldSize: number | undefined,
      newSize: number,
    ): BinaryDelta => ({
      path,
      status,
      ...(oldSize === undefined ? {} : { old: { size: oldSize } as NonNullable<BinaryDelta['old']> }),
      new: { size: newSize } as NonNullable<BinaryDelta['new']>,
      delta: newSize - (oldSize ?? 0),
      goVersion: {},
      settingsChanged: [],
      modules: [],
      packages: [],
      sections: [],
    });
    const withBinaries = sampleDelta({
      binaries: [
        binary('/app', 'changed', 1_000_000, 1_200_000),
        binary('/tool', 'added', undefined, 3_000_000),
        binary('/same', 'unchanged', 500, 500),
      ],
    });
    const findings = evaluateThresholds(withBinaries, {
      maxBinaryGrowth: 0.1,
      maxBinaryGrowthBytes: 2_000_000,
    }).findings;
    expect(findings.filter((f) => f.severity === 'error').map((f) => f.message)).toEqual([
      'Go binary /app grew +200 kB (+20%), above max-binary-growth 10%',
      'Go binary /tool was added with +3 MB, above max-binary-growth-bytes 2 MB',
    ]);
  });
});
