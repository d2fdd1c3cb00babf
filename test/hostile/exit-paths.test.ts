/**
 * docs/hostile-input.md, "Exit paths": numbers past exact arithmetic are bad input (exit 2, one line),
 * not "unexpected error … BigInt" and not a threshold that can never be crossed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { settingsFromFlags } from '../../src/cli/check-flags.js';
import { toleranceFlag } from '../../src/cli/report-flags.js';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { TestLayout } from '../source/layout-builder.js';
import { expectFailure } from '../support/failure.js';
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
  it('check --max-growth-bytes with 400 nines → exit 2 (CLI)', async () => {
    const result = await runCli(
      ['check', image, '--baseline', image, '--no-cache', '--max-growth-bytes', HUGE],
      {
        timeoutMs: 90_000,
      },
    );
    expectOneLine(result, 2, /size "9+" for .*max-growth-bytes.* is too large/);
  });

  // The functions compare and check parse these flags with (before any image is read), in-process.
  it.each([
    ['compare --tolerance', () => toleranceFlag(HUGE), /percentage "9+" for --tolerance is too large/],
    [
      'check --max-growth',
      () => settingsFromFlags({ 'max-growth': HUGE }),
      /percentage "9+" for .*max-growth.* is too large/,
    ],
  ])('%s with 400 nines → exit 2 (in-process)', async (_name, parse, message) => {
    await expectFailure(parse, 2, message);
  });
});
