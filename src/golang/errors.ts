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
  constructor(reason: GoAnalysisReason, detail?: string, options?: { hint?: string }) {
    super(detail ? `${reason}: ${detail}` : reason, options);
    this.reason = reason;
  }
}
