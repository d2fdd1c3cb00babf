/**
 * docs/hostile-input.md, "Exit paths": numbers past exact arithmetic are bad input (exit 2, one line),
 * not "unexpected error … BigInt" and not a threshold that can never be crossed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { TestLayout } from '../source/layout-builder.js';
import { expectOneLine } from './support.js';

const HUGE = '9'.repeat(400);
let root: string;
let image: string;

beforeAll(async () => {
  await ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'layerdelta-exits-'));
  const layout = new TestLayout(join(root, 'layout'));
  layout.tag(await layout.image({ layers: [{ files: { a: 'a' } }] }), 'v1');
  layout.finish();
  image = `oci:${join(root, 'layout')}:v1`;
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('numbers past exact arithmetic are bad input', { timeout: 300_000 }, () => {
  it.each([
    ['compare', '--tolerance', /percentage "9+" for --tolerance is too large/],
    ['check', '--max-growth', /percentage "9+" for .*max-growth.* is too large/],
    ['check', '--max-growth-bytes', /size "9+" for .*max-growth-bytes.* is too large/],
  ])('%s %s with 400 nines → exit 2', async (command, flag, message) => {
    const baseline = command === 'check' ? ['--baseline', image] : [image];
    const result = await runCli([command, image, ...baseline, '--no-cache', flag, HUGE], {
      timeoutMs: 90_000,
    });
    expectOneLine(result, 2, message);
  });
});
