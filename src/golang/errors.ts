import { UsageError } from '../errors.js';

/** Why a file cannot be analysed as a Go executable; each is one clear line for the user. */
export type GoAnalysisReason =
  | 'not an ELF file'
  | 'not a Go binary (no Go build info)'
  | 'packed with UPX'
  | 'truncated'
  | 'unsupported pclntab'
  | 'unsupported ELF'
  | 'corrupt build info'
  | 'corrupt pclntab';

/** The only error the Go binary parsers throw (exit 2). */
export class GoAnalysisError extends UsageError {
  readonly reason: GoAnalysisReason;
  readonly detail?: string;
  /** The file, when known: it leads the message (`/bin/ls: not a Go binary (no Go build info)`). */
  readonly path?: string;
  constructor(reason: GoAnalysisReason, detail?: string, options?: { hint?: string; path?: string }) {
    const what = detail ? `${reason}: ${detail}` : reason;
    super(
      options?.path ? `${options.path}: ${what}` : what,
      options?.hint ? { hint: options.hint } : undefined,
    );
    this.reason = reason;
    if (detail !== undefined) this.detail = detail;
    if (options?.path !== undefined) this.path = options.path;
  }
}
