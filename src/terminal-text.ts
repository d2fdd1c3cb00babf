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

/** `text` with every control character escaped (`\n`, `\x1b`, `\u2028`). */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/** A deep copy of `value` with every string (and object key) passed through escapeControl. */
export function escapeStrings<T>(value: T): T {
  if (typeof value === 'string') return escapeControl(value) as T;
  if (Array.isArray(value)) return value.map(escapeStrings) as T;
  if (value instanceof Map) {
    return new Map([...value].map(([k, v]) => [escapeStrings(k), escapeStrings(v)])) as T;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [escapeControl(k), escapeStrings(v)]),
    ) as T;
  }
  return value;
}
