/**
 * Label names layerdelta itself puts on metrics or that Prometheus reserves: a user label with one of
 * these names would clash with ours (the Pushgateway rejects such pushes), so it is refused up front.
 */
export const RESERVED_LABEL_NAMES: ReadonlySet<string> = new Set([
  'job',
  'instance',
  'repository',
  'platform',
  'side',
  'encoding',
  'status',
  'path',
  'section',
  'package',
  'module',
  'go_version',
  'main_module',
  'cgo',
  'stripped',
  'trimpath',
  'le',
  'quantile',
]);

/** Prometheus's label name grammar; names starting with `__` are reserved for internal use. */
export function isValidLabelName(name: string): boolean {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) && !name.startsWith('__');
}
