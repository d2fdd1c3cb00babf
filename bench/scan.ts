/**
 * Registry-wide scan benchmark (`npx tsx bench/scan.ts [SHARED_REPOSITORIES]`, default 60; also called
 * at the end of `npm run bench`): a real local docker-registry seeded with repositories sharing layers
 * (test/registry-scan/seed.ts), a counting proxy in front. Reports repositories per second, and distinct layer
 * blobs fetched against the layer requests a per-repository tool would make, for a cold scan (empty
 * cache directory) and a warm one (same cache: no layer blob fetched at all).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLayerCache } from '../src/cache/layer-cache.js';
import { staticCredentialStore } from '../src/registry/auth/credentials.js';
import { runScan, type ScanReport } from '../src/registry-scan/run.js';
import { renderScanText } from '../src/report/registry-scan.js';
import { seedRegistry } from '../test/registry-scan/seed.js';
import { startProxy, startRegistry } from '../test/support/registry.js';

const BLOB_GET = /^\/v2\/.+\/blobs\/(sha256:[0-9a-f]{64})$/;
const sharedCount = Number(process.argv[2] ?? 60);

const registry = await startRegistry();
const cacheDir = mkdtempSync(join(tmpdir(), 'layerdelta-bench-scan-'));
try {
  const seedStart = performance.now();
  const seeded = await seedRegistry(registry, sharedCount);
  const layerDigests = new Set(
    seeded.repositories.flatMap((r) => r.images.flatMap((i) => i.pushed.layers.map((l) => l.digest))),
  );
  process.stderr.write(
    `seeded ${seeded.repositories.length} repositories (${layerDigests.size} distinct layers) in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`,
  );
  const proxy = await startProxy(registry.url);

  const measure = async (label: string) => {
    proxy.reset();
    // Peak resident memory during the scan alone (seeding ran in this process too): sampled.
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 50);
    const start = performance.now();
    const report = await runScan({
      registry: proxy.host,
      credentials: staticCredentialStore({}),
      cache: openLayerCache({ cacheDir }),
      concurrency: 8,
    });
    const seconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    const layerGets = proxy.requests.filter((r) => {
      const match = r.method === 'GET' && r.status === 200 ? BLOB_GET.exec(r.path) : null;
      return match !== null && layerDigests.has(match[1]!);
    });
    return { label, report, seconds, layerGets: layerGets.length, requests: proxy.requests.length, peakRss };
  };

  const cold = await measure('cold (empty cache)');
  const warm = await measure('warm (same cache)');
  process.stdout.write(`${renderScanText(cold.report).split('\n').slice(0, 8).join('\n')}\n...\n\n`);

  const layerRequests = (report: ScanReport) =>
    report.summary.blobsFetched + report.summary.blobRequestsShared + report.summary.cacheHits;
  process.stdout.write(
    `scan benchmark: ${cold.report.summary.repositories} repositories (${cold.report.summary.compared} compared, ${cold.report.summary.skipped} skipped, ${cold.report.summary.failed} failed on purpose), --concurrency 8\n`,
  );
  for (const run of [cold, warm]) {
    const s = run.report.summary;
    const asked = layerRequests(run.report);
    process.stdout.write(
      `  ${run.label.padEnd(20)} ${run.seconds.toFixed(2).padStart(6)} s  ${(s.repositories / run.seconds).toFixed(1).padStart(6)} repositories/s  ` +
        `layer blobs fetched ${String(run.layerGets).padStart(3)} (proxy) / ${s.blobsFetched} (layerReader) of ${asked} layer requests: ` +
        `${asked - s.blobsFetched} avoided (${s.blobRequestsShared} shared in this scan, ${s.cacheHits} cache hits); ${run.requests} HTTP requests in all; ` +
        `peak RSS ${(run.peakRss / 1e6).toFixed(0)} MB, report ${(JSON.stringify(run.report).length / 1e6).toFixed(1)} MB as JSON\n`,
    );
  }
  process.stdout.write(
    `  machine: ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}, node ${process.version}; in-process (tsx), one run each\n`,
  );
  await proxy.stop();
} finally {
  await registry.stop();
  rmSync(cacheDir, { recursive: true, force: true });
}
