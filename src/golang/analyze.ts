import { GoAnalysisError } from './errors.js';
import type { GoBinaryReport } from './types.js';

export { GoAnalysisError } from './errors.js';

/** True when the bytes start with the ELF magic (enough to decide whether to buffer a tar entry). */
export function isElf(prefix: Uint8Array): boolean {
  return (
    prefix.length >= 4 && prefix[0] === 0x7f && prefix[1] === 0x45 && prefix[2] === 0x4c && prefix[3] === 0x46
  );
}

/** Analyse one Go executable held in memory. Throws only GoAnalysisError. */
export function analyzeGoBinary(data: Uint8Array, options?: { symbols?: boolean }): GoBinaryReport {
  void options;
  if (!isElf(data)) throw new GoAnalysisError('not an ELF file');
  throw new GoAnalysisError('unsupported pclntab', 'analysis not implemented yet');
}
