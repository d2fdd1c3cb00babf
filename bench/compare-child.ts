/**
 * One compare in a fresh process (so peak RSS is this compare's alone), through the same pipeline the
 * compare command runs: resolve both images, scan every layer once through a LayerReader, classify
 * the layers and pair the Go binaries. Rendering is left out.
 * Usage: node bench/out/js/bench/compare-child.js OLD_REF NEW_REF CACHE_DIR|- ; prints one JSON line.
 */
import { openLayerCache } from '../src/cache/layer-cache.js';
import { compareImages } from '../src/pipeline/compare.js';
import { LayerReader } from '../src/pipeline/layer-reader.js';

const [oldRef, newRef, cacheDir] = process.argv.slice(2);
if (!oldRef || !newRef || !cacheDir) throw new Error('usage: compare-child OLD NEW CACHE_DIR|-');

const started = performance.now();
const layerReader = new LayerReader({
  cache: cacheDir === '-' ? openLayerCache({ noCache: true }) : openLayerCache({ cacheDir }),
});
const delta = await compareImages(oldRef, newRef, {
  tolerance: 0.05,
  layerReader,
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
    stats: layerReader.stats,
    goBinaries: {
      old: binaries.filter((b) => b.old).length,
      new: binaries.filter((b) => b.new).length,
    },
    changed: binaries.filter((b) => b.status === 'changed').length,
    analysed: binaries.filter((b) => (b.new ?? b.old)?.packages.length).length,
  })}\n`,
);
