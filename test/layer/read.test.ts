import { execFileSync, execSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContentError, LayerdeltaError } from '../../src/errors.js';
import { type ReadLayerOptions, readLayer } from '../../src/layer/read.js';
import { ReadPool } from '../../src/layer/read-pool.js';
import type { LayerRead } from '../../src/layer/types.js';
import type { Descriptor } from '../../src/source/types.js';
import { fixtureBinary, fixturePath } from '../support/fixtures.js';
import { memoize } from '../support/memo.js';
import {
  type Compression,
  compress,
  GO,
  goVersionM,
  MEDIA_TYPES,
  sha256sum,
  tarOf,
  writeBlob,
} from './support.js';

let work: string;
let layerTar: Buffer;
const NON_GO_ELF = '/usr/bin/true';
// Go programs the fixtures built with the real toolchain (fixtures/build.sh): a small and a bigger one.
const helloPath = fixturePath(
  fixtureBinary({ program: 'hello', go: '1.23', goarch: 'amd64', stripped: false }).file,
);
const biggerPath = fixturePath(
  fixtureBinary({ program: 'webapp', go: '1.23', goarch: 'amd64', stripped: false, cgo: false }).file,
);
const hello = readFileSync(helloPath);

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'layerdelta-scan-'));
  expect(readFileSync(biggerPath).length).toBeGreaterThan(hello.length);
});

/** sha256sum's answer for a file that does not change during the tests (the Go programs, true), once. */
const digestOf = memoize(async (file: string) => sha256sum(file));
/** `go version -m`'s answer for a Go program, once. */
const versions = new Map<string, ReturnType<typeof goVersionM>>();
function goVersionMOnce(file: string): ReturnType<typeof goVersionM> {
  if (!versions.has(file)) versions.set(file, goVersionM(file));
  return versions.get(file)!;
}

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

/** The sample layer compressed by the real tool, written once per compression (blobs are read-only). */
const sampleBlob = memoize(async (compression: Compression) =>
  writeBlob(work, `sample-${compression}`, compress(await sampleTar(), compression), compression),
);

/** A layer of three Go programs, the bigger one twice (both readers read this one blob). */
const severalBlob = memoize(async () => {
  const tar = await tarOf([
    { name: 'bin/bigger', data: readFileSync(biggerPath), mode: 0o755 },
    { name: 'bin/hello', data: hello, mode: 0o755 },
    { name: 'bin/bigger-again', data: readFileSync(biggerPath), mode: 0o755 },
  ]);
  return writeBlob(work, 'several', compress(tar, 'gzip'), 'gzip');
});

type Read = (blob: Readable, descriptor: Descriptor, options?: ReadLayerOptions) => Promise<LayerRead>;

/** The same read in this thread and on a worker thread (the LayerReader's way, docs/design.md §8). */
async function scanBlob(
  read: Read,
  compression: Compression,
  tar?: Buffer,
): Promise<{ scan: LayerRead; file: string }> {
  const blob = tar
    ? writeBlob(work, `layer-${compression}-${Math.random()}`, compress(tar, compression), compression)
    : await sampleBlob(compression);
  const scan = await read(blob.open(), blob.descriptor);
  return { scan, file: blob.file };
}

/** The tools' view of a blob: the length (`wc -c`) and diff_id (`sha256sum`) of what it decompresses to. */
const toolsView = memoize(async (file: string, compression: Compression) => {
  const decompress = { gzip: 'gzip -dc', zstd: 'zstd -dc', none: 'cat' }[compression];
  return {
    uncompressed: Number(execSync(`${decompress} '${file}' | wc -c`, { encoding: 'utf8' }).trim()),
    diffId: `sha256:${execSync(`${decompress} '${file}' | sha256sum`, { encoding: 'utf8' }).split(' ')[0]}`,
  };
});

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
        const { uncompressed, diffId } = await toolsView(file, compression);
        expect(scan.compression).toBe(compression);
        expect(scan.digest).toBe(await digestOf(file));
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
      const truth = goVersionMOnce(helloPath);
      expect(Object.keys(scan.goBinaries)).toEqual(['/usr/bin/hello']);
      const report = scan.goBinaries['/usr/bin/hello'];
      expect(report?.buildInfo.goVersion).toBe(truth.goVersion);
      expect(report?.buildInfo.path).toBe(truth.path);
      expect(report?.digest).toBe(await digestOf(helloPath));
      expect(report?.size).toBe(hello.length);
      expect(Object.keys(scan.otherExecutables)).toEqual(['/usr/bin/true']);
      expect(scan.otherExecutables['/usr/bin/true']).toMatchObject({
        digest: await digestOf(NON_GO_ELF),
        size: readFileSync(NON_GO_ELF).length,
      });
      expect(scan.otherExecutables['/usr/bin/true']?.reason).toMatch(/Go/);
    });

    it('analyses several Go binaries of one layer each on its own (bigger first, smaller after)', async () => {
      const blob = await severalBlob();
      const scan = await read(blob.open(), blob.descriptor);
      for (const [path, file] of [
        ['/bin/bigger', biggerPath],
        ['/bin/hello', helloPath],
        ['/bin/bigger-again', biggerPath],
      ] as const) {
        const report = scan.goBinaries[path];
        expect(report?.digest).toBe(await digestOf(file));
        expect(report?.size).toBe(readFileSync(file).length);
        expect(report?.buildInfo.path).toBe(goVersionMOnce(file).path);
      }
      // Reports are plain data (they go to the cache as JSON): nothing refers to the bytes read.
      expect(JSON.parse(JSON.stringify(scan.goBinaries))).toEqual(scan.goBinaries);
    });

    it('does not buffer an ELF file above the cap: reported as not analysable with its digest', async () => {
      const blob = await sampleBlob('gzip');
      const scan = await read(blob.open(), blob.descriptor, { maxBinaryBytes: 1024 });
      expect(scan.goBinaries).toEqual({});
      expect(scan.otherExecutables['/usr/bin/hello']).toMatchObject({
        digest: await digestOf(helloPath),
        size: hello.length,
      });
      expect(scan.otherExecutables['/usr/bin/hello']?.reason).toMatch(/larger than 1024 bytes/);
    });

    it('without analysis records the files only', async () => {
      const blob = await sampleBlob('none');
      const scan = await read(blob.open(), blob.descriptor, { analyze: false });
      expect(scan.entries).toHaveLength(10);
      expect(scan.goBinaries).toEqual({});
      expect(scan.otherExecutables).toEqual({});
    });

    it('reports the compressed bytes it reads', async () => {
      const blob = await sampleBlob('gzip');
      let bytes = 0;
      await read(blob.open(), blob.descriptor, { onBytes: (n) => (bytes += n) });
      expect(bytes).toBe(statSync(blob.file).size);
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
      const whole = readFileSync((await sampleBlob(compression)).file);
      await expectLayerError(whole.subarray(0, whole.length >> 1), compression, /cannot read/);
    });

    it('a gzip layer with a corrupt byte', async () => {
      const corrupt = readFileSync((await sampleBlob('gzip')).file);
      corrupt[corrupt.length >> 1] = (corrupt[corrupt.length >> 1] ?? 0) ^ 0xff;
      await expectLayerError(corrupt, 'gzip', /cannot read the gzip tar/);
    });

    it('a zstd layer with a corrupt frame header', async () => {
      const corrupt = readFileSync((await sampleBlob('zstd')).file);
      corrupt.fill(0xff, 4, 64);
      await expectLayerError(corrupt, 'zstd', /cannot read the zstd tar/);
    });

    it('content that is not a tar at all', async () => {
      await expectLayerError(Buffer.alloc(4096, 0x41), 'none', /cannot read the tar/);
    });

    it('a media type that claims zstd over gzip content', async () => {
      const gzip = readFileSync((await sampleBlob('gzip')).file);
      await expectLayerError(gzip, 'gzip', /says zstd/, MEDIA_TYPES.zstd);
    });

    it('a blob stream that fails mid-way (as a digest-verifying source does) keeps its own error', async () => {
      const { file } = await sampleBlob('gzip');
      const whole = readFileSync(file);
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
        digest: await digestOf(file),
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
      const blob = await sampleBlob(compression);
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
      // writeBlob's digest is sha256sum's, as for every blob here.
      expect(scan.digest).toBe(blobs[i]!.descriptor.digest);
      expect(Object.keys(scan.goBinaries)).toEqual([`/layer-${i}/hello`]);
      expect(scan.goBinaries[`/layer-${i}/hello`]?.digest).toBe(await digestOf(helloPath));
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
