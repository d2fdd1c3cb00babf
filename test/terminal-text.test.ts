import { describe, expect, it } from 'vitest';
import { escapeControl, escapeStrings } from '../src/terminal-text.js';

describe('escapeStrings (copy on write)', () => {
  it('escapes every string and key, deep, without touching the input', () => {
    const input = { 'a\nb': ['ok', { path: '/x\u001b[31m', n: 1 }], clean: { deep: ['y'] } };
    const before = JSON.stringify(input);
    const out = escapeStrings(input);
    expect(out).toEqual({ 'a\\nb': ['ok', { path: '/x\\x1b[31m', n: 1 }], clean: { deep: ['y'] } });
    expect(JSON.stringify(input)).toBe(before);
    // The untouched branch is shared, the touched one copied.
    expect(out.clean).toBe(input.clean);
    expect(out['a\nb' as 'a\nb']).toBeUndefined();
  });

  it('returns the value itself when nothing needs escaping', () => {
    const input = { layers: [{ digest: 'sha256:00', files: ['/usr/bin/app'] }], size: 3 };
    expect(escapeStrings(input)).toBe(input);
    expect(escapeControl('plain text')).toBe('plain text');
    expect(escapeControl('a\u2028b\tc')).toBe('a\\u2028b\\tc');
  });
});
