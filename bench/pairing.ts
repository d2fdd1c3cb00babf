/**
 * What layer pairing (docs/design.md §3) costs on the bench images (bench/images.ts), against the compare
 * it is part of; run by `npm run bench` after the main benchmark, or alone with `npx tsx bench/pairing.ts`.
 *   - reading the pair's distinct layers once (decompress + tar walk + Go analysis): the bulk of a cold compare
 *   - buildImageDelta with the layers' file lists (pairing by instruction, content, order) and without
 *     them (manifests only), per call
 *   - what per-file content digests would add: sha256 over every byte of the layers' tar streams
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { buildImageDelta } from '../src/delta/compare.js';
import { createDecompressor } from '../src/layer/decompress.js';
import { readLayer } from '../src/layer/read.js';
import type { LayerRead } from '../src/layer/types.js';
import type { ResolvedImage } from '../src/source/types.js';
import { type BenchImages, buildBenchImages } from './images.js';

const ROOT = resolve(import.meta.dirname, '..');
const log = (line: string) => process.stderr.write(`${line}\n`);

function resolved(built: BenchImages, tag: 'old' | 'new'): ResolvedImage {
  const names = built.images[tag];
  return {
    reference: { transport: 'oci', path: '/bench', tag },
    manifestDigest: `sha256:${createHash('sha256').update(tag).digest('hex')}`,
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    platform: { os: 'linux', architecture: 'amd64' },
    availablePlatforms: [{ os: 'linux', architecture: 'amd64' }],
    configDescriptor: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:0', size: 0 },
    config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } },
    // The history run.ts pushes: `bench layer NAME`, so the app layers' instructions differ.
    layers: names.map((name, index) => ({
      index,
      descriptor: {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: built.layers[name]!.digest,
        size: built.layers[name]!.size,
      },
      diffId: built.layers[name]!.diffId,
      createdBy: `bench layer ${name}`,
    })),
  };
}

/** Median wall time of `runs` calls, in ms. */
function median(runs: number, work: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

/** Decompressing a layer alone, and decompressing it while hashing every byte, in ms (best of 3). */
async function hashCost(file: string): Promise<{ plain: number; hashed: number }> {
  const pass = async (hash: boolean) => {
    const digest = createHash('sha256');
    const start = performance.now();
    await pipeline(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      createDecompressor('gzip')!,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          if (hash) digest.update(chunk);
          done();
        },
      }),
    );
    return performance.now() - start;
  };
  // Alternate and keep the fastest of each, so the page cache and a busy machine weigh alike on both.
  let plain = Number.POSITIVE_INFINITY;
  let hashed = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    plain = Math.min(plain, await pass(false));
    hashed = Math.min(hashed, await pass(true));
  }
  return { plain, hashed };
}

const built = await buildBenchImages(join(ROOT, 'bench', 'out'), log);
const oldImage = resolved(built, 'old');
const newImage = resolved(built, 'new');
const distinct = [...new Set([...built.images.old, ...built.images.new])].map((n) => built.layers[n]!);

const scanStart = performance.now();
const scans: LayerRead[] = [];
for (const layer of distinct) {
  const descriptor = {
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    digest: layer.digest,
    size: layer.size,
  };
  scans.push(await readLayer(createReadStream(layer.file), descriptor));
}
const scanMs = performance.now() - scanStart;
const readLayers = new Map(scans.map((s) => [s.digest, s]));

const withFiles = median(51, () => buildImageDelta(oldImage, newImage, { tolerance: 0.05, readLayers }));
const manifestsOnly = median(51, () => buildImageDelta(oldImage, newImage, { tolerance: 0.05 }));
const delta = buildImageDelta(oldImage, newImage, { tolerance: 0.05, readLayers });

// The worst case the bench images do not have: a hunk of two read layers of 200,000 files each.
const many = (prefix: string): LayerRead => ({
  ...scans[0]!,
  digest: `sha256:${createHash('sha256').update(prefix).digest('hex')}`,
  entries: Array.from({ length: 200_000 }, (_, i) => ({
    path: `/usr/share/${prefix}/${i % 1000}/${i}`,
    type: 'file' as const,
    size: 1000 + (i % 7),
    mode: 0o644,
  })),
});
const bigOld = many('a');
const bigNew = many('a');
bigNew.digest = `sha256:${'f'.repeat(64)}`;
const bigImage = (tag: 'old' | 'new', scan: LayerRead): ResolvedImage => {
  const image = resolved(built, tag);
  const [first] = image.layers;
  return {
    ...image,
    // No history: only the file lists can pair these two.
    layers: [{ index: 0, descriptor: { ...first!.descriptor, digest: scan.digest }, diffId: scan.digest }],
  };
};
const bigRead = new Map([
  [bigOld.digest, bigOld],
  [bigNew.digest, bigNew],
]);
const bigPairing = median(5, () =>
  buildImageDelta(bigImage('old', bigOld), bigImage('new', bigNew), { tolerance: 0.05, readLayers: bigRead }),
);

const bigDelta = buildImageDelta(bigImage('old', bigOld), bigImage('new', bigNew), {
  tolerance: 0.05,
  readLayers: bigRead,
});

let plain = 0;
let hashed = 0;
for (const layer of distinct) {
  const cost = await hashCost(layer.file);
  plain += cost.plain;
  hashed += cost.hashed;
}
const entries = scans.reduce((n, s) => n + s.entries.length, 0);
const uncompressed = distinct.reduce((n, l) => n + l.uncompressedSize, 0);
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(2)}%`;
process.stdout.write(
  [
    `pairing on the bench images (${distinct.length} distinct layers, ${entries} tar entries, ${(uncompressed / 1e6).toFixed(1)} MB uncompressed):`,
    `  layers: ${delta.layers.map((l) => `${l.status}${l.evidence ? ` by ${l.evidence}` : ''}`).join(', ')}`,
    `  reading the layers once (decompress, tar, Go analysis)   ${scanMs.toFixed(0)} ms`,
    `  buildImageDelta with file lists (content evidence)      ${withFiles.toFixed(2)} ms  (${pct(withFiles, scanMs)} of reading)`,
    `  buildImageDelta from manifests only                      ${manifestsOnly.toFixed(2)} ms`,
    `  worst case: one hunk of two read layers of 200,000 files ${bigPairing.toFixed(0)} ms (${bigDelta.layers[0]!.status} by ${bigDelta.layers[0]!.evidence})`,
    `  per-file content digests: gunzip ${plain.toFixed(0)} ms, gunzip + sha256 of every byte ${hashed.toFixed(0)} ms: +${(hashed - plain).toFixed(0)} ms (${pct(hashed - plain, scanMs)} of reading)`,
    '',
  ].join('\n'),
);
