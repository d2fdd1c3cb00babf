/**
 * Alpine version ordering, as apk-tools implements it (src/version.c, `apk_version_compare`):
 * `digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}`. Tokens compare one by one while both
 * versions have a token of the same kind: numbers as numbers (a later digit group with a leading zero
 * compares as a string), letters by character, suffixes by rank (alpha < beta < pre < rc < none < cvs
 * < svn < git < hg < p), the commit hash as a string. When one version runs out first, the longer one is
 * greater unless its next token is a pre-release suffix; an invalid remainder sorts above the end.
 */

enum Token {
  InitialDigit,
  Digit,
  Letter,
  Suffix,
  SuffixNumber,
  CommitHash,
  Revision,
  End,
  Invalid,
}

/** Suffix ranks; NONE (no suffix) sits between the pre-release and the post-release ones. */
const SUFFIX_RANK: Record<string, number> = {
  alpha: 1,
  beta: 2,
  pre: 3,
  rc: 4,
  cvs: 6,
  svn: 7,
  git: 8,
  hg: 9,
  p: 10,
};
const SUFFIX_NONE = 5;

interface TokenState {
  token: Token;
  /** The token's text (digits without the leading `.`, the letter, the suffix word, the hash). */
  value: string;
  suffix: number;
}

class Tokens {
  private at = 0;
  readonly state: TokenState = { token: Token.InitialDigit, value: '', suffix: 0 };

  constructor(private readonly text: string) {
    if (!this.digits()) this.state.token = Token.Invalid;
  }

  private take(pattern: RegExp): string {
    pattern.lastIndex = this.at;
    const match = pattern.exec(this.text);
    const value = match ? match[0] : '';
    this.at += value.length;
    return value;
  }

  /** Reads a digit run into the state's value; false when there is none. */
  private digits(): boolean {
    this.state.value = this.take(/[0-9]*/y);
    return this.state.value !== '';
  }

  next(): void {
    this.state.token = this.advance();
  }

  /** Reads the next token into the state and returns its kind (Invalid where apk's grammar says so). */
  private advance(): Token {
    const s = this.state;
    if (this.at >= this.text.length) return Token.End;
    const c = this.text.charAt(this.at);
    if (c >= 'a' && c <= 'z') {
      if (s.token > Token.Digit) return Token.Invalid;
      s.value = c;
      this.at++;
      return Token.Letter;
    }
    if (c === '.' || (c >= '0' && c <= '9')) {
      if (c === '.') {
        if (s.token > Token.Digit) return Token.Invalid;
        this.at++;
      }
      let kind: Token;
      if (s.token === Token.InitialDigit || s.token === Token.Digit) kind = Token.Digit;
      else if (s.token === Token.Suffix) kind = Token.SuffixNumber;
      else return Token.Invalid;
      return this.digits() ? kind : Token.Invalid;
    }
    if (c === '_') {
      if (s.token > Token.SuffixNumber) return Token.Invalid;
      this.at++;
      s.value = this.take(/[a-z]*/y);
      s.suffix = SUFFIX_RANK[s.value] ?? 0;
      return s.suffix === 0 ? Token.Invalid : Token.Suffix;
    }
    if (c === '~') {
      if (s.token >= Token.CommitHash) return Token.Invalid;
      this.at++;
      s.value = this.take(/[0-9a-f]*/y);
      return s.value === '' ? Token.Invalid : Token.CommitHash;
    }
    if (c === '-') {
      if (s.token >= Token.Revision || this.text.charAt(this.at + 1) !== 'r') return Token.Invalid;
      this.at += 2;
      return this.digits() ? Token.Revision : Token.Invalid;
    }
    return Token.Invalid;
  }
}

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** Byte order, then length (apk's `apk_blob_sort`). */
function stringOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Decimal digit strings as unbounded numbers (apk reads them as 64-bit; versions carry dates). */
function numberOrder(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  return sign(x.length - y.length) || stringOrder(x, y);
}

function tokenOrder(a: TokenState, b: TokenState): number {
  switch (a.token) {
    case Token.Digit:
      // A digit group with a leading zero compares as a string (as Gentoo's rules say).
      if (a.value.startsWith('0') || b.value.startsWith('0')) return stringOrder(a.value, b.value);
      return numberOrder(a.value, b.value);
    case Token.InitialDigit:
    case Token.SuffixNumber:
    case Token.Revision:
      return numberOrder(a.value, b.value);
    case Token.Letter:
      return stringOrder(a.value, b.value);
    case Token.Suffix:
      return sign(a.suffix - b.suffix);
    default:
      return stringOrder(a.value, b.value);
  }
}

/** Negative when a < b, 0 when equal, positive when a > b (what `apk version -t a b` decides). */
export function compareApkVersions(a: string, b: string): number {
  const ta = new Tokens(a);
  const tb = new Tokens(b);
  while (ta.state.token === tb.state.token && ta.state.token < Token.End) {
    const order = tokenOrder(ta.state, tb.state);
    if (order !== 0) return order;
    ta.next();
    tb.next();
  }
  const x = ta.state;
  const y = tb.state;
  if (x.token === y.token) return 0;
  // Equal so far: the version that goes on is greater, unless what follows is a pre-release suffix.
  if (x.token === Token.Suffix && x.suffix < SUFFIX_NONE) return -1;
  if (y.token === Token.Suffix && y.suffix < SUFFIX_NONE) return 1;
  return x.token > y.token ? -1 : 1;
}
