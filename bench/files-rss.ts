/**
 * Peak memory of one layer scan with many small files (docs/design.md §8, §11): writes a gzip layer of
 * N files of 100 bytes each (plus a dpkg status and .list files, which the scan keeps), scans it in this
 * process and prints the peak RSS. Usage: tsx bench/files-rss.ts [N=200000] [DIR=.cache/bench-files]
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { readLayer } from '../src/layer/read.js';

const count = Number(process.argv[2] ?? 200_000);
const dir = process.argv[3] ?? join('.cache', 'bench-files');
const file = join(dir, `small-files-${count}.tar.gz`);

async function writeLayer(): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const tar = pack();
  const writing = pipeline(tar, createGzip({ level: 1 }), createWriteStream(file));
  const body = Buffer.alloc(100, 'x');
  const add = (name: string, data: Buffer) =>
    new Promise<void>((resolve, reject) =>
      tar.entry({ name, mode: 0o644 }, data, (e) => (e ? reject(e) : resolve())),
    );
  await add('var/lib/dpkg/status', Buffer.from('Package: bench\nStatus: install ok installed\nVersion: 1\n'));
  await add('var/lib/dpkg/info/bench.list', Buffer.from('/srv/f0\n'));
  for (let i = 0; i < count; i++) await add(`srv/d${Math.floor(i / 1000)}/f${i}`, body);
  tar.finalize();
  await writing;
}

if (!existsSync(file)) await writeLayer();
const digest = `sha256:${createHash('sha256').update(file).digest('hex')}`;
const started = performance.now();
const scan = await readLayer(createReadStream(file), {
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  digest,
  size: statSync(file).size,
});
const seconds = (performance.now() - started) / 1000;
const maxRss = process.resourceUsage().maxRSS * 1024;
console.log(
  `${count} files: scan ${seconds.toFixed(1)} s, ${scan.entries.length} entries, ${Object.keys(scan.packageFiles).length} package files kept, peak RSS ${(maxRss / 2 ** 20).toFixed(0)} MiB`,
);
