/** Sizes and percentages: parsing what users write, formatting what reports print. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import {
  changeRatio,
  formatBytes,
  formatDelta,
  formatLimitPercent,
  formatPercent,
  formatTolerance,
  parsePercent,
  parseSize,
} from '../src/units.js';

describe('parseSize', () => {
  it.each([
    ['5MB', 5_000_000],
    ['500kB', 500_000],
    ['500KB', 500_000],
    ['500k', 500_000],
    ['1.5GiB', 1_610_612_736],
    ['2MiB', 2_097_152],
    ['1234', 1234],
    ['1234B', 1234],
    [' 12 MB ', 12_000_000],
    [1234, 1234],
    ['0', 0],
    ['.5kB', 500],
  ])('%j → %d bytes', (input, bytes) => {
    expect(parseSize(input, 'test')).toBe(bytes);
  });
  it.each(['5XB', '-5MB', 'MB', '', '5 M B', '1e6', 'five'])('%j is a UsageError', (input) => {
    expect(() => parseSize(input, '--max-growth-bytes')).toThrow(UsageError);
    expect(() => parseSize(input, '--max-growth-bytes')).toThrow(/--max-growth-bytes/);
  });
});

describe('parsePercent', () => {
  it.each([
    ['5%', 0.05],
    ['5', 0.05],
    ['12.5%', 0.125],
    [10, 0.1],
    ['0', 0],
    ['150%', 1.5],
  ])('%j → %d', (input, fraction) => {
    expect(parsePercent(input, 'test')).toBeCloseTo(fraction, 12);
  });
  it.each(['-5%', '5%%', 'ten', '', '%'])('%j is a UsageError', (input) => {
    expect(() => parsePercent(input, '--max-growth')).toThrow(UsageError);
  });
});

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

describe('parse and format agree', () => {
  it.each([0, 999, 1500, 140_000, 6_290_000, 1_000_000_000])('parseSize(formatBytes(%d))', (bytes) => {
    expect(parseSize(formatBytes(bytes), 'test')).toBe(bytes);
  });
  it.each([0.05, 0.125, 1.5])('parsePercent(formatLimitPercent(%d))', (fraction) => {
    expect(parsePercent(formatLimitPercent(fraction), 'test')).toBeCloseTo(fraction, 12);
  });
});
