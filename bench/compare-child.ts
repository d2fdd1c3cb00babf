/**
 * One compare in a fresh process (so peak RSS is this compare's alone), through the same pipeline the
 * compare command runs: resolve both images, scan every layer once through a LayerScanner, classify
 * the layers and pair the Go binaries. Rendering is left out.
 * Usage: node bench/out/js/bench/compare-child.js OLD_REF NEW_REF CACHE_DIR|- ; prints one JSON line.
 */
import { openScanCache } from '../src/cache/scan-cache.js';
import { compareImages } from '../src/pipeline/compare.js';
import { LayerScanner } from '../src/pipeline/scan-image.js';

const [oldRef, newRef, cacheDir] = process.argv.slice(2);
if (!oldRef || !newRef || !cacheDir) throw new Error('usage: compare-child OLD NEW CACHE_DIR|-');

const started = performance.now();
const scanner = new LayerScanner({
  cache: cacheDir === '-' ? openScanCache({ noCache: true }) : openScanCache({ cacheDir }),
});
const delta = await compareImages(oldRef, newRef, {
  tolerance: 0.05,
  scanner,
  sourceOptions: { insecure: true },
});
const ms = performance.now() - started;
const binaries = delta.binaries ?? [];
process.stdout.write(
  `${JSON.stringify({
    ms,
    loadMs: started,
    cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    stats: scanner.stats,
    goBinaries: {
      old: binaries.filter((b) => b.old).length,
      new: binaries.filter((b) => b.new).length,
    },
    changed: binaries.filter((b) => b.status === 'changed').length,
    analysed: binaries.filter((b) => (b.new ?? b.old)?.packages.length).length,
  })}\n`,
);
