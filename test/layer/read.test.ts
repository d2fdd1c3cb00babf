import { execFileSync, execSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentError, LayerdeltaError } from '../../src/errors.js';
import { type ReadLayerOptions, readLayer } from '../../src/layer/read.js';
import { ReadPool } from '../../src/layer/read-pool.js';
import type { LayerRead } from '../../src/layer/types.js';
import type { Descriptor } from '../../src/source/types.js';
import {
  BIGGER_SOURCE,
  buildGoProgram,
  type Compression,
  compress,
  GO,
  goVersionM,
  HELLO_SOURCE,
  MEDIA_TYPES,
  sha256sum,
  tarOf,
  writeBlob,
} from './support.js';

let work: string;
let helloPath: string;
let hello: Buffer;
let layerTar: Buffer;
const NON_GO_ELF = '/usr/bin/true';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'layerdelta-scan-'));
  helloPath = buildGoProgram(work, 'hello', HELLO_SOURCE);
  hello = readFileSync(helloPath);
});

/** Worker threads only (no main-thread slot), two of them. */
const workers = new ReadPool({ workers: 2, mainThread: false });

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await workers.close();
});

async function sampleTar(): Promise<Buffer> {
  layerTar ??= await tarOf([
    { name: './', type: 'directory' },
    { name: './usr/', type: 'directory' },
    { name: './usr/bin/', type: 'directory' },
    { name: './usr/bin/hello', data: hello, mode: 0o755 },
    { name: './usr/bin/hello-again', type: 'link', linkname: './usr/bin/hello' },
    { name: './usr/bin/true', data: readFileSync(NON_GO_ELF), mode: 0o755 },
    // An ELF without the exec bit (a shared library, say) is not reported as an executable.
    { name: 'usr/lib/libtrue.so', data: readFileSync(NON_GO_ELF), mode: 0o644 },
    { name: 'usr/bin/sh', type: 'symlink', linkname: '../../bin/busybox' },
    { name: './etc/motd', data: 'hello\n' },
    { name: './var/cache/.wh.old-cache', data: '' },
    { name: './opt/.wh..wh..opq', data: '' },
    { name: 'opt/new', data: 'x' },
  ]);
  return layerTar;
}

type Read = (blob: Readable, descriptor: Descriptor, options?: ReadLayerOptions) => Promise<LayerRead>;

/** The same read in this thread and on a worker thread (the LayerReader's way, docs/design.md §8). */
async function scanBlob(
  read: Read,
  compression: Compression,
  tar?: Buffer,
): Promise<{ scan: LayerRead; file: string }> {
  const data = compress(tar ?? (await sampleTar()), compression);
  const blob = writeBlob(work, `layer-${compression}-${Math.random()}`, data, compression);
  const scan = await read(blob.open(), blob.descriptor);
  return { scan, file: blob.file };
}

const READERS: Array<[string, Read]> = [
  ['in-process', readLayer],
  ['on a worker thread', (blob, descriptor, options) => workers.read(async () => blob, descriptor, options)],
];

describe.each(READERS)('%s', (_, read) => {
  describe('readLayer', () => {
    it.each(['gzip', 'zstd', 'none'] as const)(
      'reads a %s layer: sizes and diff_id match the tools',
      async (compression) => {
        const { scan, file } = await scanBlob(read, compression);
        const decompress = { gzip: 'gzip -dc', zstd: 'zstd -dc', none: 'cat' }[compression];
        const uncompressed = Number(execSync(`${decompress} '${file}' | wc -c`, { encoding: 'utf8' }).trim());
        const diffId = `sha256:${execSync(`${decompress} '${file}' | sha256sum`, { encoding: 'utf8' }).split(' ')[0]}`;
        expect(scan.compression).toBe(compression);
        expect(scan.digest).toBe(sha256sum(file));
        expect(scan.compressedSize).toBe(readFileSync(file).length);
        expect(scan.uncompressedSize).toBe(uncompressed);
        expect(scan.diffId).toBe(diffId);
      },
    );

    it('normalises paths and records entry types, hard links, symlinks, whiteouts and opaque dirs', async () => {
      const { scan } = await scanBlob(read, 'gzip');
      const byPath = new Map(scan.entries.map((e) => [e.path, e]));
      expect([...byPath.keys()]).toEqual([
        '/',
        '/usr',
        '/usr/bin',
        '/usr/bin/hello',
        '/usr/bin/hello-again',
        '/usr/bin/true',
        '/usr/lib/libtrue.so',
        '/usr/bin/sh',
        '/etc/motd',
        '/opt/new',
      ]);
      expect(byPath.get('/usr/bin')?.type).toBe('dir');
      expect(byPath.get('/usr/bin/hello')).toMatchObject({ type: 'file', size: hello.length, mode: 0o755 });
      expect(byPath.get('/usr/bin/hello-again')).toMatchObject({
        type: 'hardlink',
        linkname: '/usr/bin/hello',
      });
      // Symlink targets stay as written: they are resolved relative to the link, not the archive root.
      expect(byPath.get('/usr/bin/sh')).toMatchObject({ type: 'symlink', linkname: '../../bin/busybox' });
      expect(scan.whiteouts).toEqual(['/var/cache/old-cache']);
      expect(scan.opaqueDirs).toEqual(['/opt']);
    });

    it('analyses the Go executable, reports the non-Go executable, ignores non-executable ELF files', async () => {
      const { scan } = await scanBlob(read, 'zstd');
      const truth = goVersionM(helloPath);
      expect(Object.keys(scan.goBinaries)).toEqual(['/usr/bin/hello']);
      const report = scan.goBinaries['/usr/bin/hello'];
      expect(report?.buildInfo.goVersion).toBe(truth.goVersion);
      expect(report?.buildInfo.path).toBe(truth.path);
      expect(report?.digest).toBe(sha256sum(helloPath));
      expect(report?.size).toBe(hello.length);
      expect(Object.keys(scan.otherExecutables)).toEqual(['/usr/bin/true']);
      expect(scan.otherExecutables['/usr/bin/true']).toMatchObject({
        digest: sha256sum(NON_GO_ELF),
        size: readFileSync(NON_GO_ELF).length,
      });
      expect(scan.otherExecutables['/usr/bin/true']?.reason).toMatch(/Go/);
    });

    it('analyses several Go binaries of one layer each on its own (bigger first, smaller after)', async () => {
      const biggerPath = buildGoProgram(work, 'bigger', BIGGER_SOURCE);
      const tar = await tarOf([
        { name: 'bin/bigger', data: readFileSync(biggerPath), mode: 0o755 },
        { name: 'bin/hello', data: hello, mode: 0o755 },
        { name: 'bin/bigger-again', data: readFileSync(biggerPath), mode: 0o755 },
      ]);
      const { scan } = await scanBlob(read, 'gzip', tar);
      for (const [path, file] of [
        ['/bin/bigger', biggerPath],
        ['/bin/hello', helloPath],
        ['/bin/bigger-again', biggerPath],
      ] as const) {
        const report = scan.goBinaries[path];
        expect(report?.digest).toBe(sha256sum(file));
        expect(report?.size).toBe(readFileSync(file).length);
        expect(report?.buildInfo.path).toBe(goVersionM(file).path);
      }
      // Reports are plain data (they go to the cache as JSON): nothing refers to the bytes read.
      expect(JSON.parse(JSON.stringify(scan.goBinaries))).toEqual(scan.goBinaries);
    });

    it('does not buffer an ELF file above the cap: reported as not analysable with its digest', async () => {
      const data = compress(await sampleTar(), 'gzip');
      const blob = writeBlob(work, 'capped', data, 'gzip');
      const scan = await read(blob.open(), blob.descriptor, { maxBinaryBytes: 1024 });
      expect(scan.goBinaries).toEqual({});
      expect(scan.otherExecutables['/usr/bin/hello']).toMatchObject({
        digest: sha256sum(helloPath),
        size: hello.length,
      });
      expect(scan.otherExecutables['/usr/bin/hello']?.reason).toMatch(/larger than 1024 bytes/);
    });

    it('without analysis records the files only', async () => {
      const data = compress(await sampleTar(), 'none');
      const blob = writeBlob(work, 'plain', data, 'none');
      const scan = await read(blob.open(), blob.descriptor, { analyze: false });
      expect(scan.entries).toHaveLength(10);
      expect(scan.goBinaries).toEqual({});
      expect(scan.otherExecutables).toEqual({});
    });

    it('reports the compressed bytes it reads', async () => {
      const data = compress(await sampleTar(), 'gzip');
      const blob = writeBlob(work, 'counted', data, 'gzip');
      let bytes = 0;
      await read(blob.open(), blob.descriptor, { onBytes: (n) => (bytes += n) });
      expect(bytes).toBe(data.length);
    });

    it('reads an empty layer (an empty tar: two zero blocks)', async () => {
      const { scan } = await scanBlob(read, 'gzip', await tarOf([]));
      expect(scan.entries).toEqual([]);
      expect(scan.uncompressedSize).toBe(1024);
    });
  });

  describe('readLayer on bad blobs: one-line LAYER_CORRUPT error naming the layer, never a partial scan', () => {
    async function expectLayerError(
      data: Buffer,
      compression: Compression,
      pattern: RegExp,
      mediaType?: string,
    ) {
      const blob = writeBlob(work, `bad-${Math.random()}`, data, compression);
      const descriptor = { ...blob.descriptor, mediaType: mediaType ?? blob.descriptor.mediaType };
      const error = await read(blob.open(), descriptor).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(LayerdeltaError);
      const layerError = error as LayerdeltaError;
      expect(layerError.code).toBe('LAYER_CORRUPT');
      expect(layerError.exitCode).toBe(3);
      expect(layerError.oneLine()).toContain(descriptor.digest);
      expect(layerError.oneLine()).toMatch(pattern);
      expect(layerError.oneLine()).not.toContain('\n');
    }

    it.each(['gzip', 'zstd', 'none'] as const)('a truncated %s layer', async (compression) => {
      const whole = compress(await sampleTar(), compression);
      await expectLayerError(whole.subarray(0, whole.length >> 1), compression, /cannot read/);
    });

    it('a gzip layer with a corrupt byte', async () => {
      const corrupt = Buffer.from(compress(await sampleTar(), 'gzip'));
      corrupt[corrupt.length >> 1] = (corrupt[corrupt.length >> 1] ?? 0) ^ 0xff;
      await expectLayerError(corrupt, 'gzip', /cannot read the gzip tar/);
    });

    it('a zstd layer with a corrupt frame header', async () => {
      const corrupt = Buffer.from(compress(await sampleTar(), 'zstd'));
      corrupt.fill(0xff, 4, 64);
      await expectLayerError(corrupt, 'zstd', /cannot read the zstd tar/);
    });

    it('content that is not a tar at all', async () => {
      await expectLayerError(Buffer.alloc(4096, 0x41), 'none', /cannot read the tar/);
    });

    it('a media type that claims zstd over gzip content', async () => {
      await expectLayerError(compress(await sampleTar(), 'gzip'), 'gzip', /says zstd/, MEDIA_TYPES.zstd);
    });

    it('a blob stream that fails mid-way (as a digest-verifying source does) keeps its own error', async () => {
      const whole = compress(await sampleTar(), 'gzip');
      const file = join(work, 'fails');
      writeFileSync(file, whole);
      const { Readable } = await import('node:stream');
      const failing = new Readable({
        read() {
          this.push(whole.subarray(0, 1000));
          this.destroy(
            new ContentError('registry 127.0.0.1: blob sha256:abc is truncated: 1000 of 2000 bytes', {
              code: 'SIZE_MISMATCH',
            }),
          );
        },
      });
      const error = await read(failing, {
        mediaType: MEDIA_TYPES.gzip,
        digest: sha256sum(file),
        size: whole.length,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'SIZE_MISMATCH', exitCode: 3 });
      expect((error as Error).message).toContain('truncated: 1000 of 2000 bytes');
    });
  });
});

describe('readLayer on a worker thread', () => {
  it.each(['gzip', 'zstd', 'none'] as const)(
    'gives exactly the in-process LayerRead (%s)',
    async (compression) => {
      const data = compress(await sampleTar(), compression);
      const blob = writeBlob(work, `same-${compression}`, data, compression);
      const here = await readLayer(blob.open(), blob.descriptor);
      const there = await workers.read(async () => blob.open(), blob.descriptor);
      expect(Object.keys(there.goBinaries)).toEqual(['/usr/bin/hello']);
      expect(there).toEqual(here);
    },
  );

  it('reads more layers than there are workers, at the same time, each with its own result', async () => {
    const blobs = await Promise.all(
      ['gzip', 'zstd', 'none', 'gzip', 'zstd'].map(async (compression, i) => {
        const tar = await tarOf([{ name: `layer-${i}/hello`, data: hello, mode: 0o755 }]);
        return writeBlob(
          work,
          `many-${i}`,
          compress(tar, compression as Compression),
          compression as Compression,
        );
      }),
    );
    const reads = await Promise.all(blobs.map((b) => workers.read(async () => b.open(), b.descriptor)));
    for (const [i, scan] of reads.entries()) {
      expect(scan.digest).toBe(sha256sum(blobs[i]!.file));
      expect(Object.keys(scan.goBinaries)).toEqual([`/layer-${i}/hello`]);
      expect(scan.goBinaries[`/layer-${i}/hello`]?.digest).toBe(sha256sum(helloPath));
    }
  });
});

describe('ground truth of the fixtures themselves', () => {
  it('the non-Go ELF really is an ELF executable (readelf), and not Go (go version -m)', () => {
    const header = execFileSync('readelf', ['-h', NON_GO_ELF], { encoding: 'utf8' });
    expect(header).toMatch(/Class:\s+ELF/);
    const goVersion = spawnSync(GO, ['version', '-m', NON_GO_ELF], { encoding: 'utf8' });
    expect(goVersion.stdout + goVersion.stderr).toMatch(/not a Go executable/);
  });
});
