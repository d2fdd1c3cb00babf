/**
 * One compare in a fresh process (so peak RSS is this compare's alone): resolve both images, scan every
 * layer through the shared LayerScanner, build both filesystems and pair the Go binaries.
 * Usage: tsx bench/compare-child.ts OLD_REF NEW_REF CACHE_DIR|- ; prints one JSON line.
 */
import { openScanCache } from '../src/cache/scan-cache.js';
import { diffBinaries } from '../src/delta/binaries.js';
import { LayerScanner } from '../src/pipeline/scan-image.js';
import { openSource } from '../src/source/open.js';

const [oldRef, newRef, cacheDir] = process.argv.slice(2);
if (!oldRef || !newRef || !cacheDir) throw new Error('usage: compare-child OLD NEW CACHE_DIR|-');

const started = performance.now();
const oldSource = await openSource(oldRef, { insecure: true });
const newSource = await openSource(newRef, { insecure: true });
const [oldImage, newImage] = await Promise.all([oldSource.resolve(), newSource.resolve()]);
const resolvedMs = performance.now() - started;
const scanner = new LayerScanner({
  cache: cacheDir === '-' ? openScanCache({ noCache: true }) : openScanCache({ cacheDir }),
});
const [oldScan, newScan] = await scanner.scanImages([
  { source: oldSource, image: oldImage },
  { source: newSource, image: newImage },
]);
const binaries = diffBinaries(oldScan!.filesystem, newScan!.filesystem);
const ms = performance.now() - started;
process.stdout.write(
  `${JSON.stringify({
    ms,
    resolveMs: resolvedMs,
    loadMs: started,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    stats: scanner.stats,
    goBinaries: { old: oldScan!.filesystem.goBinaries.size, new: newScan!.filesystem.goBinaries.size },
    changed: binaries.filter((b) => b.status === 'changed').length,
    analysed: binaries.filter((b) => (b.new ?? b.old)?.packages.length).length,
  })}\n`,
);
