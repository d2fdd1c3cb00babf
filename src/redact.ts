/**
 * Credentials never reach output (docs/design.md §9): every secret the run learns (passwords, tokens,
 * `user:password` pairs and their base64) is remembered here, and `redact` removes those and anything
 * shaped like a credential (an Authorization value, a JWT, a URL's user:password@, a JSON token field)
 * from any text that leaves the process: error lines, reports, cache files.
 */

const known = new Set<string>();

/** Shorter strings would redact ordinary words; real secrets are longer. */
const MIN_SECRET_LENGTH = 4;

/** Remember a secret the run uses, with the base64 forms that travel in `Basic` headers. */
export function rememberSecret(secret: string | undefined): void {
  if (secret === undefined || secret.length < MIN_SECRET_LENGTH) return;
  known.add(secret);
}

/** `user:password` as sent in `Authorization: Basic …`: the password and the pair's base64 are secrets. */
export function rememberLogin(user: string | undefined, password: string | undefined): void {
  rememberSecret(password);
  if (password !== undefined && password !== '') {
    rememberSecret(Buffer.from(`${user ?? ''}:${password}`).toString('base64'));
  }
}

const REDACTED = '[redacted]';

const SHAPES: Array<[RegExp, string]> = [
  // Authorization values: `Basic aGk6dGhlcmU=`, `Bearer eyJ…`, with or without a header name before them.
  [/\b(Basic|Bearer)(?:\s+|%20)[A-Za-z0-9+/=._~-]{8,}/gi, `$1 ${REDACTED}`],
  // A JWT anywhere (three base64url parts, the first a JSON object).
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // user:password@ at the start of a URL's or a reference's host (not `repo:tag@sha256:…`).
  [/(^|[\s('"=]|[a-z][a-z0-9+.-]*:\/\/)[^\s/@:'"]+:[^\s/@'"]+@/gi, `$1${REDACTED}@`],
  // JSON token answers and docker config fields.
  [
    /("(?:access_token|refresh_token|token|password|secret|auth|identitytoken|registrytoken)"\s*:\s*")[^"]*"/gi,
    `$1${REDACTED}"`,
  ],
];

export function redact(text: string): string {
  let out = text;
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [shape, replacement] of SHAPES) out = out.replace(shape, replacement);
  return out;
}
