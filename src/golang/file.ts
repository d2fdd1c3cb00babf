/** Reading a Go executable from disk for `layerdelta gobin`: the path goes into every error line. */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { type AnalyzeOptions, analyzeGoBinary } from './analyze.js';
import { GoAnalysisError } from './errors.js';
import type { GoBinaryReport } from './types.js';

export async function analyzeGoFile(path: string, options?: AnalyzeOptions): Promise<GoBinaryReport> {
  let data: Uint8Array;
  try {
    data = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`cannot read ${path}: ${code}`, { hint: 'check the path and its permissions' });
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
