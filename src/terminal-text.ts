/**
 * Image data and server text in text output (docs/design.md §9): a control character is written as an
 * escape, the way `go version -m` and Go's strconv.Quote write it, so a tar path or a Go build setting
 * cannot start a new line (no `::warning` workflow command under GitHub Actions), move the cursor or
 * recolour the terminal.
 */

/** C0 controls, DEL, C1 controls, and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED: Record<string, string> = {
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
  '\v': '\\v',
};

/** Same set, to test for one (a non-global regex keeps no state between calls). */
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** `text` with every control character escaped (`\n`, `\x1b`, `\u2028`). */
export function escapeControl(text: string): string {
  if (!HAS_CONTROL.test(text)) return text;
  return text.replace(CONTROL, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/**
 * `value` with every string (and object key) passed through escapeControl. Copy on write: an array or
 * object with nothing to escape is returned as it is (renderers only read it), so a large report with
 * clean strings costs a walk, not a deep copy.
 */
export function escapeStrings<T>(value: T): T {
  if (typeof value === 'string') return escapeControl(value) as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const escaped = escapeStrings(value[i]);
      if (escaped !== value[i]) {
        copy ??= value.slice();
        copy[i] = escaped;
      }
    }
    return (copy ?? value) as T;
  }
  if (value instanceof Map) {
    return new Map([...value].map(([k, v]) => [escapeStrings(k), escapeStrings(v)])) as T;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    let changed = false;
    const entries: Array<[string, unknown]> = [];
    for (const key of Object.keys(record)) {
      const escapedKey = escapeControl(key);
      const escaped = escapeStrings(record[key]);
      if (escapedKey !== key || escaped !== record[key]) changed = true;
      entries.push([escapedKey, escaped]);
    }
    return (changed ? Object.fromEntries(entries) : value) as T;
  }
  return value;
}
