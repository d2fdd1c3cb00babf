/**
 * The benchmark's images, built once into bench/out/ and reused while their inputs (the fixture Go
 * binaries) stay the same: gzip layers of Go binaries plus incompressible and compressible filler, so
 * the pair has ~70 MB of distinct compressed layers and a dozen Go binaries per image; and two images
 * with one large non-Go layer (100 MB and 1 GB uncompressed) for the memory measurement.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';

const FORMAT = 3;
const MB = 1024 * 1024;

export interface BuiltLayer {
  name: string;
  file: string;
  digest: string;
  size: number;
  diffId: string;
  uncompressedSize: number;
}

export interface BenchImages {
  layers: Record<string, BuiltLayer>;
  /** Image name → its layer names, base first. */
  images: Record<'old' | 'new' | 'big100m' | 'big1g', string[]>;
  /** Go binaries per image: path in the image → fixture file. */
  binaries: Record<'old' | 'new', Record<string, string>>;
  largestGoBinary: number;
}

type Content =
  | { path: string; data: Buffer; mode?: number }
  | { path: string; size: number; seed: string; kind: 'bulk' };

const bin = (go: string, name: string) => `fixtures/build/bin/go${go}/amd64/${name}`;

/** Twelve Go binaries per image: four in the shared base, eight in the app layer (all changed in new). */
const BASE_BINARIES: Record<string, string> = {
  '/usr/local/bin/hello': bin('1.19', 'hello'),
  '/usr/local/bin/hello-stripped': bin('1.19', 'hello-stripped'),
  '/usr/local/bin/webapp-stripped': bin('1.19', 'webapp-stripped'),
  '/usr/local/bin/cgo': bin('1.19', 'cgo'),
};
const APP = [
  'app-v1',
  'app-v1-stripped',
  'webapp',
  'webapp-stripped',
  'hello',
  'hello-stripped',
  'app-v2',
  'app-v2-stripped',
];
const OLD_APP = Object.fromEntries(APP.map((name) => [`/app/bin/${name}`, bin('1.21', name)]));
const NEW_APP = Object.fromEntries(APP.map((name) => [`/app/bin/${name}`, bin('1.23', name)]));

/** Deterministic incompressible bytes: AES-CTR over zeros with a key derived from the seed. */
function randomBytesFor(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return cipher.update(Buffer.alloc(size));
}

/** Deterministic text that gzip shrinks about 3-4x, like config files, docs and scripts. */
function textFor(seed: string, size: number): Buffer {
  const words = [
    'layer',
    'image',
    'binary',
    'module',
    'package',
    'registry',
    'delta',
    'growth',
    'size',
    'go',
  ];
  const noise = randomBytesFor(seed, Math.ceil(size / 4));
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const word = `${words[noise[i % noise.length]! % words.length]}${noise[(i * 7) % noise.length]}${i % 13 === 0 ? '\n' : ' '}`;
    parts.push(word);
    length += word.length;
  }
  return Buffer.from(parts.join('')).subarray(0, size);
}

function binariesOf(binaries: Record<string, string>): Content[] {
  return Object.entries(binaries).map(([path, file]) => ({ path, data: readFileSync(file), mode: 0o755 }));
}

function layerContents(name: string): Content[] {
  switch (name) {
    case 'base':
      return [
        ...binariesOf(BASE_BINARIES),
        { path: '/usr/share/doc/manual.txt', data: textFor('base-text', 6 * MB) },
        { path: '/usr/lib/data.bin', data: randomBytesFor('base-random', 8 * MB) },
      ];
    case 'old-app':
      return [
        ...binariesOf(OLD_APP),
        { path: '/app/assets.bin', data: randomBytesFor('old-assets', 10 * MB) },
      ];
    case 'new-app':
      return [
        ...binariesOf(NEW_APP),
        { path: '/app/assets.bin', data: randomBytesFor('new-assets', 10 * MB) },
      ];
    case 'data-100m':
      return bulk('data-100m', 100);
    case 'data-1g':
      return bulk('data-1g', 1024);
    default:
      throw new Error(`unknown layer ${name}`);
  }
}

/** `megabytes` of non-Go files of 16 MB each: cheap to compress, so building and reading stay quick. */
function bulk(seed: string, megabytes: number): Content[] {
  const files: Content[] = [];
  for (let i = 0; i * 16 < megabytes; i++) {
    files.push({
      path: `/var/lib/bulk/${seed}-${i}.dat`,
      size: Math.min(16, megabytes - i * 16) * MB,
      seed: `${seed}-${i}`,
      kind: 'bulk',
    });
  }
  return files;
}

/** A bulk file: a random 4 KiB block repeated (gzip finds the repeats), written in 1 MiB pieces. */
function bulkPieces(seed: string, size: number): Buffer[] {
  const block = randomBytesFor(seed, 4096);
  const piece = Buffer.alloc(MB);
  for (let o = 0; o < MB; o += 4096) block.copy(piece, o);
  return Array.from({ length: size / MB }, () => piece);
}

class Measure extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
}

async function buildLayer(outDir: string, name: string): Promise<BuiltLayer> {
  const file = join(outDir, 'layers', `${name}.tar.gz`);
  const tar = pack();
  const tarMeasure = new Measure();
  const blobMeasure = new Measure();
  const writing = pipeline(
    tar,
    tarMeasure,
    createGzip({ level: name.startsWith('data-') ? 1 : 6 }),
    blobMeasure,
    createWriteStream(file),
  );
  const dirs = new Set<string>();
  for (const content of layerContents(name)) {
    const parts = content.path.split('/').slice(1, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!dirs.has(dir)) {
        dirs.add(dir);
        tar.entry({ name: `${dir}/`, type: 'directory', mode: 0o755, mtime: new Date(0) });
      }
    }
    const header = { name: content.path.slice(1), mtime: new Date(0), mode: 0o644 };
    if ('data' in content) {
      tar.entry({ ...header, mode: content.mode ?? 0o644, size: content.data.length }, content.data);
    } else {
      let entryDone: Promise<void> = Promise.resolve();
      // tar-stream's entry sink is a streamx Writable; the Node stream surface is all this needs.
      const entry = tar.entry({ ...header, size: content.size }, (error) => {
        entryDone = error ? Promise.reject(error) : Promise.resolve();
      }) as unknown as NodeJS.WritableStream;
      for (const piece of bulkPieces(content.seed, content.size)) {
        if (!entry.write(piece))
          await new Promise((resolve) => entry.once('drain', () => resolve(undefined)));
      }
      await new Promise<void>((resolve, reject) => {
        entry.once('finish', () => resolve());
        entry.once('error', reject);
        entry.end();
      });
      await entryDone;
    }
  }
  tar.finalize();
  await writing;
  return {
    name,
    file,
    digest: `sha256:${blobMeasure.hash.digest('hex')}`,
    size: blobMeasure.bytes,
    diffId: `sha256:${tarMeasure.hash.digest('hex')}`,
    uncompressedSize: tarMeasure.bytes,
  };
}

const IMAGES: BenchImages['images'] = {
  old: ['base', 'old-app'],
  new: ['base', 'new-app'],
  big100m: ['base', 'new-app', 'data-100m'],
  big1g: ['base', 'new-app', 'data-1g'],
};

/** Build (or reuse) the layers under `outDir`. */
export async function buildBenchImages(outDir: string, log: (line: string) => void): Promise<BenchImages> {
  const inputs = [...Object.values(BASE_BINARIES), ...Object.values(OLD_APP), ...Object.values(NEW_APP)];
  for (const file of inputs) {
    if (!existsSync(file)) throw new Error(`missing ${file}: run fixtures/build.sh first`);
  }
  const fingerprint = createHash('sha256')
    .update(String(FORMAT))
    .update(
      inputs
        .map((f) => `${f}:${statSync(f).size}:${createHash('sha256').update(readFileSync(f)).digest('hex')}`)
        .join('\n'),
    )
    .digest('hex');
  const indexFile = join(outDir, 'images.json');
  const binaries = { old: { ...BASE_BINARIES, ...OLD_APP }, new: { ...BASE_BINARIES, ...NEW_APP } };
  const largestGoBinary = Math.max(...inputs.map((f) => statSync(f).size));
  if (existsSync(indexFile)) {
    const saved = JSON.parse(readFileSync(indexFile, 'utf8')) as {
      fingerprint: string;
      layers: BenchImages['layers'];
    };
    if (saved.fingerprint === fingerprint && Object.values(saved.layers).every((l) => existsSync(l.file))) {
      log('reusing the images in bench/out (inputs unchanged)');
      return { layers: saved.layers, images: IMAGES, binaries, largestGoBinary };
    }
  }
  mkdirSync(join(outDir, 'layers'), { recursive: true });
  const layers: BenchImages['layers'] = {};
  for (const name of ['base', 'old-app', 'new-app', 'data-100m', 'data-1g']) {
    log(`building layer ${name}...`);
    layers[name] = await buildLayer(outDir, name);
  }
  writeFileSync(indexFile, JSON.stringify({ fingerprint, layers }, null, 2));
  return { layers, images: IMAGES, binaries, largestGoBinary };
}
