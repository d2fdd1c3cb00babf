/**
 * Where a layer scan's time goes: scan local layer blobs with and without Go analysis, one after another.
 * Usage: tsx bench/scan-files.ts FILE.tar.gz...
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { readLayer } from '../src/layer/read.js';

for (const file of process.argv.slice(2)) {
  const descriptor = {
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    digest: `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`,
    size: statSync(file).size,
  };
  for (const analyze of [false, true]) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const scan = await readLayer(
      createReadStream(file, { highWaterMark: Number(process.env.HWM ?? 1 << 20) }),
      descriptor,
      { analyze },
    );
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    process.stdout.write(
      `${file} analyze=${analyze}: ${ms.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU, ${(scan.uncompressedSize / 1e6).toFixed(1)} MB tar, ${Object.keys(scan.goBinaries).length} Go binaries\n`,
    );
  }
}
