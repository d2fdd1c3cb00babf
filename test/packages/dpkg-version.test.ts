/**
 * Debian version ordering against dpkg itself: every pair (hand-picked corner cases and random valid
 * versions) must order as `dpkg --compare-versions` orders it.
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDebianVersions } from '../../src/packages/dpkg-version.js';

const CORNER_CASES: Array<[string, string]> = [
  ['1.0', '1.0'],
  ['1.0', '1.0-0'],
  ['1.0~rc1', '1.0'],
  ['1.0~~', '1.0~'],
  ['1.0~', '1.0'],
  ['1.0', '1.0a'],
  ['1.0a', '1.0+'],
  ['1.0+dfsg', '1.0.1'],
  ['1:0.1', '2.0'],
  ['0:2.0', '2.0'],
  ['2.36-9+deb12u4', '2.36-9+deb12u10'],
  ['7.88.1-10+deb12u8', '7.88.1-10+deb12u12'],
  ['1.2.3-1', '1.2.3-1.1'],
  ['1.10', '1.9'],
  ['1.010', '1.10'],
  ['2023c-5', '2024a-0+deb12u1'],
  ['3.0.11-1~deb12u2', '3.0.11-1'],
  ['9.1-0.1', '9.1-0'],
  ['1.0-1ubuntu1', '1.0-1'],
  ['1:2.38.1-5+deb12u1', '2.38.1-5+deb12u3'],
];

/** dpkg's verdict for each pair: -1, 0 or 1 (one bash loop, so the test spawns two processes, not hundreds). */
function dpkgOrder(pairs: Array<[string, string]>): number[] {
  const script =
    'while IFS=" " read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; ' +
    'elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done';
  const result = spawnSync('bash', ['-c', script], {
    input: pairs.map(([a, b]) => `${a} ${b}\n`).join(''),
    encoding: 'utf8',
  });
  expect(result.stderr).toBe('');
  return result.stdout.trim().split('\n').map(Number);
}

const part = (first: string, rest: string, max: number) =>
  fc
    .tuple(fc.constantFrom(...first), fc.array(fc.constantFrom(...rest), { maxLength: max }))
    .map(([head, tail]) => head + tail.join(''));

/** Valid Debian versions (deb-version(7)): small alphabets so that random pairs often share prefixes. */
const version = fc
  .tuple(
    fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    part('0129', '0129.a+~z', 8),
    fc.option(part('019', '019.+~a', 4), { nil: undefined }),
  )
  .map(
    ([epoch, upstream, revision]) =>
      `${epoch === undefined ? '' : `${epoch}:`}${upstream}${revision ? `-${revision}` : ''}`,
  );

describe('compareDebianVersions', () => {
  it('orders the corner cases as dpkg --compare-versions does', () => {
    const expected = dpkgOrder(CORNER_CASES);
    const ours = CORNER_CASES.map(([a, b]) => Math.sign(compareDebianVersions(a, b)));
    expect(ours).toEqual(expected);
    // The test would pass on a constant comparator if dpkg said "equal" everywhere: it does not.
    expect(new Set(expected)).toEqual(new Set([-1, 0, 1]));
  });

  it('orders 100 random valid versions as dpkg does', { timeout: 120_000 }, () => {
    const pairs = fc.sample(fc.tuple(version, version), { numRuns: 100, seed: 13 });
    const expected = dpkgOrder(pairs);
    const ours = pairs.map(([a, b]) => Math.sign(compareDebianVersions(a, b)));
    const mismatches = pairs.filter((_, i) => ours[i] !== expected[i]);
    expect(mismatches).toEqual([]);
  });
});
