/** One `WWW-Authenticate` challenge: its scheme and its auth-params (names lower-cased). */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parse a `WWW-Authenticate` header (RFC 7235): one or more challenges, each a scheme followed by
 * comma-separated `name=value` or `name="quoted value"` params. Scheme names come back lower-cased.
 */
export function parseChallenges(header: string | undefined): Challenge[] {
  if (!header) return [];
  const challenges: Challenge[] = [];
  let current: Challenge | undefined;
  let i = 0;
  const skip = (re: RegExp): void => {
    while (i < header.length && re.test(header[i] ?? '')) i++;
  };
  while (i < header.length) {
    skip(/[\s,]/);
    const tokenStart = i;
    while (i < header.length && /[^\s,=]/.test(header[i] ?? '')) i++;
    const token = header.slice(tokenStart, i);
    if (token === '') break;
    skip(/\s/);
    if (header[i] === '=' && current) {
      i++;
      skip(/\s/);
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < header.length && header[i] !== '"') {
          if (header[i] === '\\') i++;
          value += header[i] ?? '';
          i++;
        }
        i++;
      } else {
        const valueStart = i;
        while (i < header.length && header[i] !== ',') i++;
        value = header.slice(valueStart, i).trim();
      }
      current.params[token.toLowerCase()] = value;
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      challenges.push(current);
    }
  }
  return challenges;
}
