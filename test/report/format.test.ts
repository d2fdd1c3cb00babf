import { describe, expect, it } from 'vitest';
import { renderTable, shortDigest } from '../../src/report/format.js';

describe('shortDigest', () => {
  it('shortens digests to 12 hex digits', () => {
    expect(shortDigest(`sha256:${'0123456789abcdef'.repeat(4)}`)).toBe('0123456789ab');
    expect(shortDigest(undefined)).toBe('');
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
