/**
 * Go binaries of two images paired by path (a binary that moved is removed at its old path and added
 * at its new one): added, removed, changed, or unchanged (same content digest).
 */
import { diffGoBinary } from '../golang/diff.js';
import { joinSizes, sectionSizes } from '../golang/sizes.js';
import type { GoBinaryDiff, GoBinaryReport } from '../golang/types.js';
import type { ImageFilesystem, LocatedBinary } from '../layer/filesystem.js';
import type { LayerRead } from '../layer/types.js';
import type { BinaryDelta } from './types.js';

/** Sorted by |delta| descending, then by path. */
export function diffBinaries(oldFs: ImageFilesystem, newFs: ImageFilesystem): BinaryDelta[] {
  const paths = new Set([...oldFs.goBinaries.keys(), ...newFs.goBinaries.keys()]);
  const deltas = [...paths].map((path) => pair(path, oldFs.goBinaries.get(path), newFs.goBinaries.get(path)));
  return deltas.sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || compare(a.path, b.path));
}

function pair(path: string, oldBinary?: LocatedBinary, newBinary?: LocatedBinary): BinaryDelta {
  if (oldBinary && newBinary) {
    const unchanged = oldBinary.report.digest === newBinary.report.digest;
    return {
      path,
      status: unchanged ? 'unchanged' : 'changed',
      oldLayer: oldBinary.layer,
      newLayer: newBinary.layer,
      old: oldBinary.report,
      new: newBinary.report,
      ...(unchanged ? sameBinary(oldBinary.report) : diffGoBinary(oldBinary.report, newBinary.report)),
    };
  }
  if (newBinary) return oneSided(path, newBinary, 'new');
  if (oldBinary) return oneSided(path, oldBinary, 'old');
  throw new Error(`no binary at ${path} on either side`);
}

function sameBinary(report: GoBinaryReport): GoBinaryDiff {
  const version = report.buildInfo.goVersion;
  return {
    delta: 0,
    goVersion: { old: version, new: version },
    settingsChanged: [],
    modules: [],
    packages: [],
    sections: [],
  };
}

/** An added binary grows by all of it, a removed one shrinks by all of it: every package and section. */
function oneSided(path: string, binary: LocatedBinary, side: 'old' | 'new'): BinaryDelta {
  const { layer, report } = binary;
  const [before, after] = side === 'new' ? [undefined, report] : [report, undefined];
  return {
    path,
    ...(side === 'new'
      ? { status: 'added', newLayer: layer, new: report }
      : { status: 'removed', oldLayer: layer, old: report }),
    delta: (side === 'new' ? 1 : -1) * report.size,
    goVersion: { [side]: report.buildInfo.goVersion },
    settingsChanged: [],
    modules: [],
    packages: joinSizes(before?.packages, after?.packages),
    sections: joinSizes(sectionSizes(before?.sections), sectionSizes(after?.sections)),
  };
}

/** Uncompressed tar length of every scanned layer, by layer digest. */
export function uncompressedSizes(scans: Iterable<LayerRead>): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const scan of scans) sizes.set(scan.digest, scan.uncompressedSize);
  return sizes;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
