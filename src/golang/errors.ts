import { ErrorCode, UsageError } from '../errors.js';

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

/** The condition each reason names (errors.ts ErrorCode). */
const CODE: Record<GoAnalysisReason, ErrorCode> = {
  'not an ELF file': ErrorCode.NOT_AN_ELF,
  'not a Go binary (no Go build info)': ErrorCode.NOT_A_GO_BINARY,
  'packed with UPX': ErrorCode.PACKED_BINARY,
  truncated: ErrorCode.BINARY_CORRUPT,
  'unsupported pclntab': ErrorCode.UNSUPPORTED_BINARY,
  'unsupported ELF': ErrorCode.UNSUPPORTED_BINARY,
  'corrupt build info': ErrorCode.BINARY_CORRUPT,
  'corrupt pclntab': ErrorCode.BINARY_CORRUPT,
};

/** The only error the Go binary parsers throw (exit 2). */
export class GoAnalysisError extends UsageError {
  readonly reason: GoAnalysisReason;
  readonly detail?: string;
  /** The file, when known: it leads the message (`/bin/ls: not a Go binary (no Go build info)`). */
  readonly path?: string;
  constructor(reason: GoAnalysisReason, detail?: string, options?: { hint?: string; path?: string }) {
    const what = detail ? `${reason}: ${detail}` : reason;
    super(options?.path ? `${options.path}: ${what}` : what, {
      code: CODE[reason],
      ...(options?.hint ? { hint: options.hint } : {}),
    });
    this.reason = reason;
    if (detail !== undefined) this.detail = detail;
    if (options?.path !== undefined) this.path = options.path;
  }
}
