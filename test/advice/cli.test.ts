import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdviceItem } from '../../src/advice/types.js';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { parseExposition } from '../metrics/exposition.js';
import { schemaErrors } from '../report/schema.js';
import { fixtureBinary, fixtureLayout, fixturePath } from '../support/fixtures.js';

const basic = fixturePath(fixtureLayout('basic').dir);
const OLD = `oci:${basic}:v1`;
const NEW = `oci:${basic}:v2`;
let work: string;

const twinSaving = (program: string) => {
  const file = (stripped: boolean) =>
    fixturePath(fixtureBinary({ program, go: '1.23', goarch: 'amd64', cgo: false, stripped }).file);
  return statSync(file(false)).size - statSync(file(true)).size;
};

beforeAll(async () => {
  await ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'layerdelta-advice-cli-'));
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('compare', () => {
  it('JSON: an advice array valid against the schema, -s -w savings within 5% of the stripped twins', async () => {
    const result = await runCli(['compare', OLD, NEW, '--json', '--no-cache']);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { advice: AdviceItem[] };
    expect(schemaErrors(report)).toEqual([]);
    const strip = (path: string) =>
      report.advice.find((a) => a.rule === 'go-strip' && a.paths?.[0] === path)!;
    const cases: Array<[string, string]> = [
      ['/usr/local/bin/app', 'app-v2'],
      ['/usr/bin/hello', 'hello'],
    ];
    for (const [path, program] of cases) {
      const real = twinSaving(program);
      expect(Math.abs(strip(path).savableBytes - real) / real, path).toBeLessThan(0.05);
    }
  });

  // One test per format: seven CLI runs in one test overran the 60 s test timeout on a loaded machine.
  it.each(['text', 'markdown', 'html'])('%s shows the section; --no-advice leaves it out', async (format) => {
    const shown = await runCli(['compare', OLD, NEW, '--output', format]);
    expect(shown.status).toBe(0);
    expect(shown.stdout, format).toMatch(/Advice: [\d.]+ [kM]B savable in 2 steps/);
    expect(shown.stdout, format).toContain('-ldflags=');
    const hidden = await runCli(['compare', OLD, NEW, '--output', format, '--no-advice']);
    expect(hidden.stdout, format).not.toContain('Advice');
  });

  it('JSON has no advice array with --no-advice', async () => {
    const json = await runCli(['compare', OLD, NEW, '--json', '--no-advice']);
    expect(JSON.parse(json.stdout)).not.toHaveProperty('advice');
  });
});

describe('check --max-savable-bytes', () => {
  it('fails above the limit (flag or .layerdelta.yml), passes below, warns when the advice is off', async () => {
    const failed = await runCli(['check', NEW, '--baseline', OLD, '--max-savable-bytes', '1MB', '--json']);
    expect(failed.status).toBe(1);
    const report = JSON.parse(failed.stdout) as {
      advice: AdviceItem[];
      check: { findings: Array<{ rule: string; actual?: number; limit?: number }> };
    };
    const total = report.advice.reduce((n, a) => n + a.savableBytes, 0);
    expect(report.check.findings).toContainEqual(
      expect.objectContaining({ rule: 'max-savable-bytes', actual: total, limit: 1_000_000 }),
    );
    expect(schemaErrors(report)).toEqual([]);

    const passed = await runCli(['check', NEW, '--baseline', OLD, '--max-savable-bytes', `${total}`]);
    expect(passed.status).toBe(0);

    writeFileSync(join(work, '.layerdelta.yml'), 'max-savable-bytes: 1MB\n');
    const fromFile = await runCli(['check', NEW, '--baseline', OLD], { cwd: work });
    expect(fromFile.status).toBe(1);
    expect(fromFile.stdout).toMatch(/above max-savable-bytes 1 MB/);

    const off = await runCli(['check', NEW, '--baseline', OLD, '--max-savable-bytes', '1MB', '--no-advice']);
    expect(off.status).toBe(0);
    expect(off.stdout).toMatch(/warning: the advice was not computed/);
  });
});

describe('metrics', () => {
  it('layerdelta_savable_bytes per rule equals the JSON report, every rule present', async () => {
    const file = join(work, 'metrics.txt');
    const result = await runCli(['compare', OLD, NEW, '--json', '--metrics-file', file]);
    expect(result.status).toBe(0);
    const advice = (JSON.parse(result.stdout) as { advice: AdviceItem[] }).advice;
    const samples = parseExposition(readFileSync(file, 'utf8')).filter(
      (s) => s.name === 'layerdelta_savable_bytes',
    );
    expect(samples.length).toBeGreaterThanOrEqual(9);
    for (const sample of samples) {
      expect(Object.keys(sample.labels).sort()).toEqual(['repository', 'rule']);
      const expected = advice
        .filter((a) => a.rule === sample.labels.rule)
        .reduce((n, a) => n + a.savableBytes, 0);
      expect(sample.value, sample.labels.rule).toBe(expected);
    }
    expect(samples.find((s) => s.labels.rule === 'go-strip')!.value).toBeGreaterThan(0);
  });
});

describe('inspect', () => {
  it('text, JSON and HTML carry the advice on the one image; --no-advice hides it', async () => {
    const json = await runCli(['inspect', NEW, '--json']);
    expect(json.status).toBe(0);
    const advice = (JSON.parse(json.stdout) as { advice: AdviceItem[] }).advice;
    expect(advice.map((a) => a.rule)).toEqual(['go-strip', 'go-strip']);
    for (const format of ['text', 'html']) {
      const shown = await runCli(['inspect', NEW, '--output', format]);
      expect(shown.stdout, format).toContain('Advice: ');
      const hidden = await runCli(['inspect', NEW, '--output', format, '--no-advice']);
      expect(hidden.stdout, format).not.toContain('Advice');
    }
  });
});
