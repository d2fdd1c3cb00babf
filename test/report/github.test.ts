import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  annotation,
  appendStepSummary,
  escapeData,
  escapeProperty,
  isGitHubActions,
  STEP_SUMMARY_LIMIT,
  trimForStepSummary,
} from '../../src/report/github.js';

describe('workflow command escaping (GitHub toolkit rules)', () => {
  it('escapes data: % CR LF', () => {
    expect(escapeData('50% of a\r\nb\nc')).toBe('50%25 of a%0D%0Ab%0Ac');
    expect(escapeData('a:b,c')).toBe('a:b,c');
  });
  it('escapes properties: also : and ,', () => {
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });
  it('formats annotations', () => {
    expect(
      annotation({
        severity: 'error',
        rule: 'max-growth',
        message: 'image grew +1 MB (+20%), above max-growth 10%',
      }),
    ).toBe('::error title=layerdelta max-growth::image grew +1 MB (+20%25), above max-growth 10%25');
    expect(annotation({ severity: 'warning', rule: 'significant-layer-growth', message: 'a\nb' })).toBe(
      '::warning title=layerdelta significant-layer-growth::a%0Ab',
    );
  });
  it('detects GitHub Actions only for GITHUB_ACTIONS=true', () => {
    expect(isGitHubActions({ GITHUB_ACTIONS: 'true' })).toBe(true);
    expect(isGitHubActions({ GITHUB_ACTIONS: '1' })).toBe(false);
    expect(isGitHubActions({})).toBe(false);
  });
});

describe('step summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layerdelta-gh-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps reports under the limit as they are', () => {
    expect(trimForStepSummary('# small\n')).toBe('# small\n');
  });

  it('trims larger reports at a line boundary, within the limit, with a note', () => {
    const line = `| row | ${'é'.repeat(40)} |\n`; // multi-byte characters: the limit is in bytes
    const big = line.repeat(Math.ceil((STEP_SUMMARY_LIMIT * 1.5) / Buffer.byteLength(line)));
    const trimmed = trimForStepSummary(big);
    expect(Buffer.byteLength(trimmed)).toBeLessThanOrEqual(STEP_SUMMARY_LIMIT);
    expect(Buffer.byteLength(trimmed)).toBeGreaterThan(
      STEP_SUMMARY_LIMIT - 2 * Buffer.byteLength(line) - 300,
    );
    expect(trimmed).toMatch(/report trimmed from \d+ bytes to fit GitHub's 1 MiB step summary limit/);
    const body = trimmed.slice(0, trimmed.indexOf('\n\n> **Note:**'));
    expect(body.split('\n').every((l) => l === line.trimEnd())).toBe(true);
  });

  it('appends to the summary file', () => {
    const file = join(dir, 'summary.md');
    writeFileSync(file, 'before\n');
    appendStepSummary(file, '### report\n');
    expect(readFileSync(file, 'utf8')).toBe('before\n### report\n\n');
  });

  it('an unwritable summary path is a one-line UsageError', () => {
    expect(() => appendStepSummary(join(dir, 'no', 'such', 'dir', 'f.md'), 'x')).toThrow(
      /cannot write GITHUB_STEP_SUMMARY/,
    );
  });
});
