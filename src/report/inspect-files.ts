/**
 * What the file view adds to `inspect` (docs/design.md §11): each layer's uncompressed size and wasted
 * bytes, the directories that hold the image's bytes, and the OS packages. JSON gets a `files` field;
 * text gets one more section.
 */
import { biggestDirectories, directoryTotals } from '../files/rollup.js';
import type { DirectorySize, WastedBytes } from '../files/types.js';
import { wastedBytes } from '../files/wasted.js';
import { readImagePackages } from '../packages/read.js';
import type { PackageDatabase } from '../packages/types.js';
import type { ImageRead } from '../pipeline/layer-reader.js';
import { formatBytes } from '../units.js';
import { renderTable } from './format.js';
import type { InspectReport, InspectTextSection } from './inspect.js';

export interface InspectFiles {
  /** Regular files and symlinks of the final filesystem, and their bytes. */
  files: number;
  bytes: number;
  wasted: WastedBytes;
  /** The directories that explain where the bytes are (a directory one child explains gives way to it). */
  biggestDirectories: DirectorySize[];
  packages: { databases: PackageDatabase[]; count: number; installedBytes: number };
}

export async function addFilesToReport<R extends InspectReport>(
  report: R,
  scan: ImageRead,
  top: number,
): Promise<R & { files: InspectFiles }> {
  const root = directoryTotals(scan.filesystem).get('/') ?? { bytes: 0, files: 0 };
  const packages = await readImagePackages(scan.scans, scan.filesystem);
  let installedBytes = 0;
  for (const p of packages.packages.values()) installedBytes += p.installedSize;
  return {
    ...report,
    files: {
      files: root.files,
      bytes: root.bytes,
      wasted: wastedBytes(scan.scans, scan.filesystem),
      biggestDirectories: biggestDirectories(scan.filesystem, top),
      packages: { databases: packages.databases, count: packages.packages.size, installedBytes },
    },
  };
}

type WithFiles = Omit<InspectReport, 'layers'> & {
  layers: Array<InspectReport['layers'][number] & { uncompressedSize?: number }>;
  files?: InspectFiles;
};

export const filesSection: InspectTextSection = (report) => {
  const r = report as WithFiles;
  if (!r.files) return undefined;
  const f = r.files;
  const layers = renderTable(
    [
      { header: '#', align: 'right' },
      { header: 'COMPRESSED', align: 'right' },
      { header: 'UNCOMPRESSED', align: 'right' },
      { header: 'WASTED', align: 'right' },
    ],
    r.layers.map((l, i) => [
      String(l.index),
      formatBytes(l.compressedSize),
      l.uncompressedSize === undefined ? '?' : formatBytes(l.uncompressedSize),
      formatBytes(f.wasted.byLayer[i]?.bytes ?? 0),
    ]),
  );
  const dirs = renderTable(
    [{ header: 'DIRECTORY' }, { header: 'BYTES', align: 'right' }, { header: 'FILES', align: 'right' }],
    f.biggestDirectories.map((d) => [d.path, formatBytes(d.bytes), String(d.files)]),
  );
  const databases = f.packages.databases
    .map((d) => `${d.ecosystem} ${d.path}${d.status === 'read' ? '' : ` (not read: ${d.reason ?? ''})`}`)
    .join(', ');
  return [
    `Layer sizes (wasted = written by the layer, hidden by a later one)\n${layers}`,
    `Files: ${f.files} (${formatBytes(f.bytes)}); wasted ${formatBytes(f.wasted.bytes)} in ${f.wasted.files} files`,
    `OS packages: ${f.packages.count} (${formatBytes(f.packages.installedBytes)} installed)${databases ? ` from ${databases}` : ''}`,
    `Biggest directories (bytes of files and symlinks below them)\n${dirs}`,
  ].join('\n\n');
};
