import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdviceItem } from '../../src/advice/types.js';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { parseExposition } from '../metrics/exposition.js';
import { schemaErrors } from '../report/schema.js';
import { fixtureBinary, fixtureLayout, fixturePath } from '../support/fixtures.js';
import { memoize } from '../support/memo.js';
import { type JsonReport, renderAs } from '../support/reports.js';

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

/**
 * One cold `compare --json` (metrics file written too), and one with --no-advice, read by every test
 * of the comparison: the formats are rendered from them in-process by the CLI's renderer
 * (test/support/reports.ts); the text one also goes through the CLI.
 */
const compared = memoize(async () => {
  const metricsFile = join(work, 'metrics.txt');
  const result = await runCli(['compare', OLD, NEW, '--json', '--no-cache', '--metrics-file', metricsFile]);
  expect(result.status, result.stderr).toBe(0);
  return { report: JSON.parse(result.stdout) as JsonReport & { advice: AdviceItem[] }, metricsFile };
});
const comparedWithoutAdvice = memoize(async () => {
  const result = await runCli(['compare', OLD, NEW, '--json', '--no-advice']);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as JsonReport;
});

describe('compare', () => {
  it('JSON: an advice array valid against the schema, -s -w savings within 5% of the stripped twins', async () => {
    const { report } = await compared();
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

  it('text (through the CLI) shows the section', async () => {
    const shown = await runCli(['compare', OLD, NEW]);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toMatch(/Advice: [\d.]+ [kM]B savable in 2 steps/);
    expect(shown.stdout).toContain('-ldflags=');
  });

  it.each(['text', 'markdown', 'html'] as const)(
    '%s shows the section; --no-advice leaves it out',
    async (format) => {
      const shown = renderAs((await compared()).report, format);
      expect(shown, format).toMatch(/Advice: [\d.]+ [kM]B savable in 2 steps/);
      expect(shown, format).toContain('-ldflags=');
      expect(renderAs(await comparedWithoutAdvice(), format), format).not.toContain('Advice');
    },
  );

  it('JSON has no advice array with --no-advice', async () => {
    expect(await comparedWithoutAdvice()).not.toHaveProperty('advice');
  });
});

describe('check --max-savable-bytes', () => {
  it('fails above the limit (flag or .layerdelta.yml), passes below, warns when the advice is off', async () => {
    // The limit from .layerdelta.yml alone: exceeded.
    writeFileSync(join(work, '.layerdelta.yml'), 'max-savable-bytes: 1MB\n');
    const failed = await runCli(['check', NEW, '--baseline', OLD, '--json'], { cwd: work });
    expect(failed.status).toBe(1);
    const report = JSON.parse(failed.stdout) as JsonReport & { advice: AdviceItem[] };
    const total = report.advice.reduce((n, a) => n + a.savableBytes, 0);
    expect(report.check?.findings).toContainEqual(
      expect.objectContaining({ rule: 'max-savable-bytes', actual: total, limit: 1_000_000 }),
    );
    expect(schemaErrors(report)).toEqual([]);
    expect(renderAs(report, 'text')).toMatch(/above max-savable-bytes 1 MB/);

    // The flag, over the file's limit: the savable total itself passes.
    const passed = await runCli(['check', NEW, '--baseline', OLD, '--max-savable-bytes', `${total}`], {
      cwd: work,
    });
    expect(passed.status).toBe(0);

    // The flag alone, the advice off: nothing to judge, said as a warning.
    const off = await runCli(['check', NEW, '--baseline', OLD, '--max-savable-bytes', '1MB', '--no-advice']);
    expect(off.status).toBe(0);
    expect(off.stdout).toMatch(/warning: the advice was not computed/);
  });
});

describe('metrics', () => {
  it('layerdelta_savable_bytes per rule equals the JSON report, every rule present', async () => {
    const { report, metricsFile } = await compared();
    const advice = report.advice;
    const samples = parseExposition(readFileSync(metricsFile, 'utf8')).filter(
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
    }
    // One decision (no advice computed) for every format of inspect: seen through text.
    const hidden = await runCli(['inspect', NEW, '--no-advice']);
    expect(hidden.status).toBe(0);
    expect(hidden.stdout).not.toContain('Advice');
  });
});
