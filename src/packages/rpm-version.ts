/**
 * rpm version ordering (rpm's rpmio/rpmvercmp.c and lib/rpmver.c): `[epoch:]version[-release]`; the
 * epoch compares as a number (none = 0), then version and release each with `rpmvercmp`: separators
 * are skipped, alternating digit runs (as numbers) and letter runs (as strings) compare in turn, a digit
 * run beats a letter run, `~` sorts before everything (even the end: 1.0~rc1 < 1.0) and `^` after the
 * end but before anything else (1.0 < 1.0^git1 < 1.0.1).
 */

export interface RpmVersion {
  epoch: number;
  version: string;
  release: string;
}

export function parseRpmVersion(text: string): RpmVersion {
  const match = /^(\d+):/.exec(text);
  const rest = match ? text.slice(match[0].length) : text;
  const hyphen = rest.lastIndexOf('-');
  return {
    epoch: match ? Number(match[1]) : 0,
    version: hyphen >= 0 ? rest.slice(0, hyphen) : rest,
    release: hyphen >= 0 ? rest.slice(hyphen + 1) : '',
  };
}

/** Negative when a < b, 0 when equal, positive when a > b (what rpm's `rpm.vercmp` decides). */
export function compareRpmVersions(a: string, b: string): number {
  const x = parseRpmVersion(a);
  const y = parseRpmVersion(b);
  if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1;
  return rpmvercmp(x.version, y.version) || rpmvercmp(x.release, y.release);
}

const isDigit = (c: string) => c >= '0' && c <= '9';
const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isSeparator = (c: string) => c !== '' && !isDigit(c) && !isAlpha(c) && c !== '~' && c !== '^';

export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  const at = (s: string, k: number) => (k < s.length ? s.charAt(k) : '');
  while (i < a.length || j < b.length) {
    while (isSeparator(at(a, i))) i++;
    while (isSeparator(at(b, j))) j++;
    const ca = at(a, i);
    const cb = at(b, j);
    if (ca === '~' || cb === '~') {
      if (ca !== '~') return 1;
      if (cb !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === '^' || cb === '^') {
      if (ca === '') return -1;
      if (cb === '') return 1;
      if (ca !== '^') return 1;
      if (cb !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (ca === '' || cb === '') break;
    const numeric = isDigit(ca);
    const run = numeric ? isDigit : isAlpha;
    let ei = i;
    let ej = j;
    while (run(at(a, ei))) ei++;
    while (run(at(b, ej))) ej++;
    // A digit run against a letter run: the digits are newer.
    if (ej === j) return numeric ? 1 : -1;
    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    if (numeric) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ei;
    j = ej;
  }
  const restA = i < a.length;
  const restB = j < b.length;
  if (!restA && !restB) return 0;
  return restA ? 1 : -1;
}
