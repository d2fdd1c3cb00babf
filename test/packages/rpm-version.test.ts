/**
 * rpm version ordering against rpm itself (Debian's `rpm` package): every pair, hand-picked corner
 * cases and random EVRs, must order as rpm's Lua `rpm.vercmp` (lib/rpmver.c `rpmverCmp`) orders it.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRpmVersions } from '../../src/packages/rpm-version.js';

const CORNER_CASES: Array<[string, string]> = [
  ['1.0', '1.0'],
  ['1.0~rc1', '1.0'],
  ['1.0~rc1', '1.0~rc2'],
  ['1.0~~', '1.0~'],
  ['1.0^git1', '1.0'],
  ['1.0^git1', '1.0.1'],
  ['1.0^', '1.0~'],
  ['1.0a', '1.0'],
  ['1.0a', '1.0.1'],
  ['1.010', '1.10'],
  ['1.9', '1.10'],
  ['1.0.', '1.0'],
  ['1_0', '1.0'],
  ['2:1.0-1', '3.0-1'],
  ['0:2.0-1', '2.0-1'],
  ['1.0-2', '1.0-10'],
  ['1.0-1.el9', '1.0-1.el9_2'],
  ['2.34-60.el9', '2.34-100.el9_4.2'],
  ['1.0', '1.0-1'],
  ['a', '1'],
  ['abc', 'abd'],
];

/** rpm's verdict for each pair: -1, 0 or 1, from one `rpm --eval` with a Lua loop. */
function rpmOrder(pairs: Array<[string, string]>): number[] {
  const table = pairs.map(([a, b]) => `{"${a}","${b}"}`).join(',');
  const lua = `%{lua: for _, p in ipairs({${table}}) do print(rpm.vercmp(p[1], p[2]) .. ";") end}`;
  const result = spawnSync('rpm', ['--eval', lua], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout.trim().replace(/;$/, '').split(';').map(Number);
}

const run = (alphabet: string, max: number) =>
  fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: max }).map((chars) => chars.join(''));

/** EVRs from small alphabets (separators, `~`, `^`, digits with leading zeros, letters) so pairs collide. */
const evr = fc
  .tuple(
    fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
    run('0129.ab~^_', 7),
    run('019.a~^', 4),
  )
  .map(([epoch, version, release]) => `${epoch === undefined ? '' : `${epoch}:`}${version}-${release}`);

describe('compareRpmVersions', () => {
  it('orders the corner cases as rpm does', () => {
    const expected = rpmOrder(CORNER_CASES);
    const ours = CORNER_CASES.map(([a, b]) => Math.sign(compareRpmVersions(a, b)));
    expect(ours).toEqual(expected);
    expect(new Set(expected)).toEqual(new Set([-1, 0, 1]));
  });

  it('orders 300 random EVRs as rpm does', () => {
    const pairs = fc.sample(fc.tuple(evr, evr), { numRuns: 300, seed: 13 });
    const expected = rpmOrder(pairs);
    const ours = pairs.map(([a, b]) => Math.sign(compareRpmVersions(a, b)));
    expect(pairs.filter((_, i) => ours[i] !== expected[i])).toEqual([]);
    expect(new Set(expected)).toEqual(new Set([-1, 1]));
  });
});
