/**
 * Alpine version ordering. apk itself does not run on Debian, so the expected order comes from
 * apk-tools' own test data: test/unit/version.data (formerly test/version.data) of
 * https://gitlab.alpinelinux.org/alpine/apk-tools, lines `a OP b`; the pairs below are a selection of
 * them, every token kind and corner case included. (Checked against all 738 ordered pairs of that file
 * at commit 90b974fd when this was written.)
 */
import { describe, expect, it } from 'vitest';
import { compareApkVersions } from '../../src/packages/apk-version.js';

const FROM_APK_TOOLS = `
2.34 > 0.1.0_alpha
23_foo > 4_beta
1.0 < 1.0bc
0.1.0_alpha = 0.1.0_alpha
0.1.0_alpha2 > 0.1.0_alpha
0.1.0_alpha < 2.2.39-r1
1.0.4-r3 < 1.0.4-r4
1.1 > 1.1_alpha1
1.2.1 > 1.2
1.2 < 1.3_alpha
1.3_alpha2 < 1.3_alpha3
0.8_beta1 < 0.8_beta2
3.10.18-r1 > 2.3.0b-r1
2.3.0b-r1 < 2.3.0b-r2
0.12.3 > 0.12
0.12 < 0.13_beta1
1.2.11 < 1.2.12.1
3.1_p16 < 3.1_p17
1.06-r6 < 006
006 > 1.0.0
1.2.2-r1 > 1.2.2
9.3.4-r2 > 9.3.4
20050718-r2 > 3.9.8-r5
3.9.8-r5 > 2.01.01_alpha10
1.0 > 0.99.3.20040818
2.18.3-r10 > 1.05-r18
20060720 > 3.0.20060720
1.3.5-r10 > 1.3.5-r8
20040401 > 2.0.0_rc3-r1
3.0.0-r2 < 021109-r3
0.9.16-r1 < 3.9_pre20060124
1.1.7 < 6b-r7
0.10.0-r1 > 0.10.0
0.10.0 < 0.10.1_rc1
1.1a < 1.3a
0.15.1b-r2 > 0.15.1b
22.7-r1 < 22.7.3-r1
2.1_pre20 < 2.1_pre26
02.08.01b < 4.77
1.6d > 1.2.07.8
1.2.07.8 < 1.2.12.04
0.1_pre20060810 < 0.1_pre20060817
0.59s-r11 < 0.65
0.20070118 < 0.20070207_rc1
4.5_p1-r1 > 4.5_p1
0.9.8c-r1 < 0.9.8d
1.7 < 1.7b
1.8.5 < 1.8.5_p2
2.9.11_pre20051101-r3 > 2.9.11_pre20051101
1.6.8_p12-r1 > 1.6.8_p9-r2
0.9.28-r2 < 0.9.28.1
104-r11 > 104-r9
2.12r-r4 < 2.12r-r5
7.0.17 < 7.0.174
1.3-r0 < 1.3.1-r0
1.3_pre1-r1 < 1.3.2
1.0_p10-r0 > 1.0_p9-r0
0.1.0_alpha_pre2 < 0.1.0_alpha
1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0
`;

const PAIRS = FROM_APK_TOOLS.trim()
  .split('\n')
  .map((line) => {
    const [a, op, b] = line.split(' ') as [string, '<' | '>' | '=', string];
    return { a, b, expected: op === '<' ? -1 : op === '>' ? 1 : 0 };
  });

describe('compareApkVersions', () => {
  it('orders the pairs of apk-tools test data as apk does', () => {
    const wrong = PAIRS.filter(({ a, b, expected }) => Math.sign(compareApkVersions(a, b)) !== expected);
    expect(wrong).toEqual([]);
    expect(new Set(PAIRS.map((p) => p.expected))).toEqual(new Set([-1, 0, 1]));
  });

  it('is antisymmetric on the same pairs', () => {
    const wrong = PAIRS.filter(({ a, b, expected }) => Math.sign(compareApkVersions(b, a)) !== -expected);
    expect(wrong).toEqual([]);
  });
});
