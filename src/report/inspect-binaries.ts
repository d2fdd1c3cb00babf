/**
 * What the layer scan adds to `inspect`: uncompressed layer sizes, the Go executables of the final
 * filesystem (Go version, main module, size, top packages) and the ELF executables that could not be
 * analysed, with the reason. JSON gets optional fields; text gets one more section.
 */
import type { ImageRead } from '../pipeline/layer-reader.js';
import { formatBytes } from '../units.js';
import { renderTable } from './format.js';
import type { InspectReport, InspectTextSection } from './inspect.js';

export interface InspectGoBinary {
  path: string;
  /** Layer (manifest index) that last wrote the file. */
  layer: number;
  size: number;
  /** sha256 of the file. */
  digest: string;
  goVersion: string;
  mainModule?: string;
  arch: string;
  stripped: boolean;
  cgo: boolean;
  /** Bytes of code per package, top 5 (from the pclntab; works on stripped binaries). */
  topPackages: Array<{ name: string; bytes: number }>;
}

export interface InspectScan {
  goBinaries: InspectGoBinary[];
  notAnalysable: Array<{ path: string; layer: number; size: number; reason: string }>;
}

export type ScannedInspectReport = Omit<InspectReport, 'layers' | 'totals'> & {
  /** `notDownloaded` (why) instead of `uncompressedSize` for a foreign layer. */
  layers: Array<InspectReport['layers'][number] & { uncompressedSize?: number; notDownloaded?: string }>;
  totals: InspectReport['totals'] & { uncompressedSize?: number };
  binaries?: InspectScan;
};

export function addScanToReport(report: InspectReport, scan: ImageRead): ScannedInspectReport {
  const layers = report.layers.map((layer, i): ScannedInspectReport['layers'][number] => {
    const layerScan = scan.scans[i]!;
    return layerScan.notDownloaded !== undefined
      ? { ...layer, notDownloaded: layerScan.notDownloaded }
      : { ...layer, uncompressedSize: layerScan.uncompressedSize };
  });
  const goBinaries = [...scan.filesystem.goBinaries.values()].map(({ path, layer, report: bin }) => ({
    path,
    layer,
    size: bin.size,
    digest: bin.digest,
    goVersion: bin.buildInfo.goVersion,
    ...(bin.buildInfo.main ? { mainModule: bin.buildInfo.main.path } : {}),
    arch: bin.arch,
    stripped: bin.stripped,
    cgo: bin.buildInfo.settings.some((s) => s.key === 'CGO_ENABLED' && s.value === '1'),
    topPackages: bin.packages.slice(0, 5).map((p) => ({ name: p.name, bytes: p.bytes })),
  }));
  const notAnalysable = [...scan.filesystem.otherExecutables.values()].map(({ path, layer, info }) => ({
    path,
    layer,
    size: info.size,
    reason: info.reason,
  }));
  return {
    ...report,
    layers,
    totals: {
      ...report.totals,
      uncompressedSize: layers.reduce((sum, l) => sum + (l.uncompressedSize ?? 0), 0),
    },
    binaries: { goBinaries, notAnalysable },
  };
}

export const goBinariesSection: InspectTextSection = (r) => {
  const scanned = r as ScannedInspectReport;
  if (!scanned.binaries) return undefined;
  const { goBinaries, notAnalysable } = scanned.binaries;
  const parts: string[] = [];
  const uncompressed = scanned.totals.uncompressedSize;
  const skipped = scanned.layers.filter((l) => l.notDownloaded !== undefined);
  if (uncompressed !== undefined)
    parts.push(
      `Uncompressed: ${formatBytes(uncompressed)} (tar streams of all layers${skipped.length > 0 ? ' but the ones not downloaded' : ''})`,
    );
  for (const layer of skipped)
    parts.push(`Not downloaded: layer ${layer.index} ${layer.digest}: ${layer.notDownloaded}`);
  if (goBinaries.length === 0) parts.push('Go binaries\n  (none in the final filesystem)');
  else {
    const table = renderTable(
      [
        { header: 'PATH' },
        { header: 'LAYER', align: 'right' },
        { header: 'SIZE', align: 'right' },
        { header: 'GO' },
        { header: 'ARCH' },
        { header: 'STRIPPED' },
        { header: 'CGO' },
        { header: 'MAIN MODULE' },
        { header: 'TOP PACKAGES (code)' },
      ],
      goBinaries.map((b) => [
        b.path,
        String(b.layer),
        formatBytes(b.size),
        b.goVersion,
        b.arch,
        b.stripped ? 'yes' : 'no',
        b.cgo ? 'yes' : 'no',
        b.mainModule ?? '',
        b.topPackages
          .slice(0, 3)
          .map((p) => `${p.name} ${formatBytes(p.bytes)}`)
          .join(', '),
      ]),
    );
    parts.push(`Go binaries (file sizes)\n${table}`);
  }
  if (notAnalysable.length > 0) {
    parts.push(
      `Executables not analysable\n${notAnalysable.map((e) => `  ${e.path} (layer ${e.layer}, ${formatBytes(e.size)}): ${e.reason}`).join('\n')}`,
    );
  }
  return parts.join('\n\n');
};
