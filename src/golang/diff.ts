import type { BinaryDelta } from '../delta/types.js';
import type { GoBinaryReport } from './types.js';

/** The part of a BinaryDelta that depends only on the two analyses (the caller adds path, status, layers). */
export type GoBinaryDiff = Omit<BinaryDelta, 'path' | 'status' | 'oldLayer' | 'newLayer' | 'old' | 'new'>;

export function diffGoBinary(oldReport: GoBinaryReport, newReport: GoBinaryReport): GoBinaryDiff {
  return {
    delta: newReport.size - oldReport.size,
    goVersion: { old: oldReport.buildInfo.goVersion, new: newReport.buildInfo.goVersion },
    settingsChanged: [],
    modules: [],
    packages: [],
    sections: [],
  };
}
