import { describe, expect, it } from 'vitest';
import {
  changeRatio,
  formatBytes,
  formatDelta,
  formatLimitPercent,
  formatPercent,
  formatTolerance,
  instructionText,
  renderTable,
  shortDigest,
  truncate,
} from '../../src/report/format.js';

describe('formatBytes (SI, like Docker)', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1 kB'],
    [1500, '1.5 kB'],
    [12_345, '12.3 kB'],
    [140_000, '140 kB'],
    [999_949, '1 MB'],
    [999_999, '1 MB'],
    [6_292_000, '6.29 MB'],
    [1_000_000_000, '1 GB'],
    [-512, '-512 B'],
    [-6_300_000, '-6.3 MB'],
  ])('%d → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatDelta / formatPercent / changeRatio', () => {
  it('signs deltas', () => {
    expect(formatDelta(6_300_000)).toBe('+6.3 MB');
    expect(formatDelta(-300)).toBe('-300 B');
    expect(formatDelta(0)).toBe('0 B');
  });
  it.each([
    [1.4, '+140%'],
    [0.052, '+5.2%'],
    [0.05, '+5%'],
    [-0.003, '-0.3%'],
    [0.0004, '+0.04%'],
    [0.00001, '+<0.01%'],
    [0, '0%'],
    [undefined, 'n/a'],
    [Number.POSITIVE_INFINITY, 'n/a'],
  ])('formatPercent(%s) → %s', (fraction, text) => {
    expect(formatPercent(fraction)).toBe(text);
  });
  it('ratios', () => {
    expect(changeRatio(100, 240)).toBe(1.4);
    expect(changeRatio(0, 5)).toBeUndefined();
    expect(formatLimitPercent(0.125)).toBe('12.5%');
    expect(formatTolerance(0.05)).toBe('±5%');
    expect(formatTolerance(0.07)).toBe('±7%');
  });
});

describe('shortDigest / instructionText / truncate', () => {
  it('shortens digests to 12 hex digits', () => {
    expect(shortDigest(`sha256:${'0123456789abcdef'.repeat(4)}`)).toBe('0123456789ab');
    expect(shortDigest(undefined)).toBe('');
  });
  it.each([
    ['/bin/sh -c #(nop) COPY file:abc in /usr/local/bin/app ', 'COPY file:abc in /usr/local/bin/app'],
    ['/bin/sh -c apk add --no-cache  ca-certificates', 'RUN apk add --no-cache ca-certificates'],
    ['COPY app /usr/local/bin/app # buildkit', 'COPY app /usr/local/bin/app'],
    ['RUN /bin/sh -c make # buildkit', 'RUN make'],
    ['RUN |1 VERSION=2 /bin/sh -c make # buildkit', 'RUN |1 VERSION=2 /bin/sh -c make'],
    [undefined, ''],
  ])('instructionText(%j) → %j', (createdBy, text) => {
    expect(instructionText(createdBy)).toBe(text);
  });
  it('truncates with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});

describe('renderTable', () => {
  it('aligns columns, right-aligns numbers and trims trailing spaces', () => {
    const text = renderTable(
      [{ header: 'NAME' }, { header: 'SIZE', align: 'right' }, { header: 'NOTE' }],
      [
        ['a', '1 kB', ''],
        ['longer', '12.3 MB', 'x'],
      ],
    );
    expect(text.split('\n')).toEqual(['NAME       SIZE  NOTE', 'a          1 kB', 'longer  12.3 MB  x']);
  });
  it('styles cells after padding (alignment kept)', () => {
    const text = renderTable([{ header: 'A' }, { header: 'B' }], [['x', 'y']], (t) => `[${t}]`);
    expect(text.split('\n')[1]).toBe('[x]  [y]');
  });
});
