/** Reading a Go executable from disk for `layerdelta gobin`: the path goes into every error line. */
import { UsageError } from '../errors.js';
import { readRegularFile, UnreadableFileError } from '../safe-read.js';
import { type AnalyzeOptions, analyzeGoBinary } from './analyze.js';
import { GoAnalysisError } from './errors.js';
import type { GoBinaryReport } from './types.js';

/** Larger than any Go executable seen; a bound so that a wrong path cannot exhaust memory. */
export const MAX_GO_FILE_BYTES = 1024 * 1024 * 1024;

export async function analyzeGoFile(path: string, options?: AnalyzeOptions): Promise<GoBinaryReport> {
  let data: Uint8Array;
  try {
    data = await readRegularFile(path, MAX_GO_FILE_BYTES);
  } catch (err) {
    if (!(err instanceof UnreadableFileError)) throw err;
    const notAFile = err.reason === 'not-regular' || err.reason === 'too-large';
    throw new UsageError(notAFile ? err.message : `cannot read ${path}: ${err.reason}`, {
      hint: notAFile ? 'gobin reads a Go executable file' : 'check the path and its permissions',
    });
  }
  try {
    return analyzeGoBinary(data, options);
  } catch (err) {
    if (!(err instanceof GoAnalysisError)) throw err;
    throw new GoAnalysisError(err.reason, err.detail, {
      path,
      hint: err.hint ?? 'gobin reads Linux Go executables (ELF) built by Go 1.18 or later',
    });
  }
}
