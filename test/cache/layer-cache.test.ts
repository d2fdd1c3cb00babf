import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DiskLayerCache,
  defaultCacheDir,
  FORMAT_VERSION,
  openLayerCache,
} from '../../src/cache/layer-cache.js';
import type { LayerRead } from '../../src/layer/types.js';

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'layerdelta-cache-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function sampleScan(digest = DIGEST): LayerRead {
  return {
    digest,
    compressedSize: 100,
    uncompressedSize: 2048,
    diffId: `sha256:${'cd'.repeat(32)}`,
    compression: 'gzip',
    entries: [{ path: '/etc/motd', type: 'file', size: 6, mode: 0o644 }],
    whiteouts: ['/tmp/x'],
    opaqueDirs: [],
    goBinaries: {},
    otherExecutables: {
      '/bin/true': { digest: `sha256:${'ef'.repeat(32)}`, size: 10, reason: 'not a Go binary' },
    },
    packageFiles: { '/var/lib/dpkg/status': Buffer.from('Package: x\n').toString('base64') },
  };
}

describe('DiskLayerCache', () => {
  it('stores a scan under v<format>/sha256/<hex>.json and reads it back equal', async () => {
    const cache = new DiskLayerCache(join(work, 'roundtrip'));
    expect(await cache.get(DIGEST)).toBeUndefined();
    expect(await cache.put(sampleScan())).toBe(true);
    const file = join(work, 'roundtrip', `v${FORMAT_VERSION}`, 'sha256', `${'ab'.repeat(32)}.json`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      formatVersion: FORMAT_VERSION,
      analyzerVersion: JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'))
        .version,
      analyzed: true,
    });
    expect(await cache.get(DIGEST)).toEqual(sampleScan());
    // No temp file is left behind by the atomic write.
    expect(readdirSync(join(work, 'roundtrip', `v${FORMAT_VERSION}`, 'sha256'))).toEqual([
      `${'ab'.repeat(32)}.json`,
    ]);
  });

  it.each([
    ['garbage', '{not json'],
    ['an empty file', ''],
    ['a truncated file', '{"formatVersion":1,"analyzed":true,"scan":{"digest":'],
    [
      'another format version',
      JSON.stringify({ formatVersion: FORMAT_VERSION + 1, analyzed: true, scan: sampleScan() }),
    ],
    [
      'an entry written by another release',
      JSON.stringify({
        formatVersion: FORMAT_VERSION,
        analyzerVersion: '0.0.0-old',
        analyzed: true,
        scan: sampleScan(),
      }),
    ],
    [
      'the scan of another digest',
      JSON.stringify({
        formatVersion: FORMAT_VERSION,
        analyzed: true,
        scan: sampleScan(`sha256:${'00'.repeat(32)}`),
      }),
    ],
    [
      'a scan missing fields',
      JSON.stringify({ formatVersion: FORMAT_VERSION, analyzed: true, scan: { digest: DIGEST } }),
    ],
  ])('treats %s as missing, and a put overwrites it', async (name, content) => {
    const cache = new DiskLayerCache(join(work, `corrupt-${name}`));
    const file = cache.pathFor(DIGEST)!;
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, content);
    expect(await cache.get(DIGEST)).toBeUndefined();
    expect(await cache.put(sampleScan())).toBe(true);
    expect(await cache.get(DIGEST)).toEqual(sampleScan());
  });

  it('a scan made without analysis does not answer a request that needs it', async () => {
    const cache = new DiskLayerCache(join(work, 'unanalysed'));
    await cache.put(sampleScan(), { analyzed: false });
    expect(await cache.get(DIGEST)).toBeUndefined();
    expect(await cache.get(DIGEST, { analyzed: false })).toEqual(sampleScan());
  });

  it('never turns a malformed digest into a path', async () => {
    const cache = new DiskLayerCache(join(work, 'traversal'));
    expect(cache.pathFor('sha256:../../etc/passwd')).toBeUndefined();
    expect(await cache.get('sha256:../../etc/passwd')).toBeUndefined();
    expect(await cache.put(sampleScan('sha256:../../x'))).toBe(false);
  });

  it('a cache it cannot write to is not an error: put says false', async () => {
    if (process.getuid?.() === 0) {
      // root ignores permissions: use a path below a regular file instead.
      writeFileSync(join(work, 'a-file'), '');
      expect(await new DiskLayerCache(join(work, 'a-file', 'cache')).put(sampleScan())).toBe(false);
      return;
    }
    const dir = join(work, 'readonly');
    mkdirSync(dir);
    chmodSync(dir, 0o500);
    expect(await new DiskLayerCache(dir).put(sampleScan())).toBe(false);
  });
});

describe('cache location', () => {
  it('is $XDG_CACHE_HOME/layerdelta, else ~/.cache/layerdelta', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/me' })).toBe('/var/cache/me/layerdelta');
    expect(defaultCacheDir({})).toBe(join(homedir(), '.cache', 'layerdelta'));
    // The XDG spec says relative values are invalid and must be ignored.
    expect(defaultCacheDir({ XDG_CACHE_HOME: 'relative' })).toBe(join(homedir(), '.cache', 'layerdelta'));
  });

  it('--cache-dir and --no-cache', async () => {
    const dir = join(work, 'flag-dir');
    const cache = openLayerCache({ cacheDir: dir });
    expect(cache.dir).toBe(join(dir, `v${FORMAT_VERSION}`));
    await cache.put(sampleScan());
    expect(existsSync(join(dir, `v${FORMAT_VERSION}`))).toBe(true);
    const none = openLayerCache({ cacheDir: dir, noCache: true });
    expect(none.dir).toBeUndefined();
    expect(await none.get(DIGEST)).toBeUndefined();
    expect(await none.put(sampleScan())).toBe(false);
  });
});
