/**
 * `gobin --symbols` on Debian's skopeo (stripped, with generic instantiations whose names run past
 * 200 characters): the table cuts long names and keeps rows short; --json keeps every name whole.
 */
import { describe, expect, it } from 'vitest';
import { FUNCTION_NAME_WIDTH } from '../../src/report/gobin.js';
import { ensureBuilt, runCli } from './cli.js';

const SKOPEO = '/usr/bin/skopeo';

describe('gobin --symbols', () => {
  it('cuts long function names in the table and keeps them whole in JSON', async () => {
    await ensureBuilt();
    const [text, json] = await Promise.all([
      runCli(['gobin', SKOPEO, '--symbols'], { timeoutMs: 170_000 }),
      runCli(['gobin', SKOPEO, '--symbols', '--json'], { timeoutMs: 170_000 }),
    ]);
    expect(text.status, text.stderr).toBe(0);
    const names = (JSON.parse(json.stdout) as { functions: Array<{ name: string }> }).functions.map(
      (f) => f.name,
    );
    const longest = names.reduce((a, b) => (b.length > a.length ? b : a));
    expect(longest.length).toBeGreaterThan(FUNCTION_NAME_WIDTH); // else this test proves nothing
    const lines = text.stdout.split('\n');
    expect(lines).toContain(
      `(function names longer than ${FUNCTION_NAME_WIDTH} characters end in …; --json has them whole)`,
    );
    expect(lines.some((line) => line.endsWith(`${longest.slice(0, FUNCTION_NAME_WIDTH - 1)}…`))).toBe(true);
    // size + entry + package and module (≤ 60 each) + name, with two spaces between columns.
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(
      20 + 20 + 60 + 60 + FUNCTION_NAME_WIDTH + 8,
    );
    // Every function row still ends in its (possibly cut) name: names are the table's last column.
    expect(lines.filter((l) => l.endsWith('…')).length).toBe(
      names.filter((n) => n.length > FUNCTION_NAME_WIDTH).length,
    );
  }, 180_000);
});
