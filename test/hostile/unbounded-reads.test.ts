/**
 * Hostile local files (docs/hostile-input.md, "Unbounded reads"): every read of a file that input names is
 * bounded and of a regular file only. Before, a blob symlinked to /dev/zero grew without bound, a FIFO hung
 * the run, and a directory gave "unexpected error: EISDIR".
 */
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskLayerCache } from '../../src/cache/layer-cache.js';
import { analyzeGoFile } from '../../src/golang/file.js';
import { openSource } from '../../src/source/open.js';
import { type CliResult, ensureBuilt, runCli } from '../commands/cli.js';
import { type BuiltDescriptor, TestLayout } from '../source/layout-builder.js';
import { expectFailure } from '../support/failure.js';
import { expectOneLine } from './support.js';

// Generous: a hang is what is detected, and 2 shared cores can make a run slow.
const TIMEOUT = 90_000;
let root: string;
let image: BuiltDescriptor & { layers: BuiltDescriptor[]; config: BuiltDescriptor };

/** A copy of the test layout whose blob `digest` is replaced by `plant(path)`. */
function layoutWith(name: string, digest: string, plant: (path: string) => void): string {
  const dir = join(root, name);
  execFileSync('cp', ['-a', join(root, 'good'), dir]);
  const path = join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));
  unlinkSync(path);
  plant(path);
  return dir;
}

beforeAll(async () => {
  await ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'layerdelta-hostile-'));
  const layout = new TestLayout(join(root, 'good'));
  image = await layout.image({ layers: [{ files: { 'etc/motd': 'hello' } }] });
  layout.tag(image, 'v1');
  layout.finish();
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** inspect --json of the good layout with an empty cache: every layer scanned (run once, read by two tests). */
let scanned: Promise<CliResult> | undefined;
function scannedReport(): Promise<CliResult> {
  const args = [
    'inspect',
    `oci:${join(root, 'good')}:v1`,
    '--json',
    '--cache-dir',
    join(root, 'edited-cache'),
  ];
  scanned ??= runCli(args, { timeoutMs: TIMEOUT });
  return scanned;
}

/** Resolve `oci:DIR:v1` in-process, as inspect does first. */
async function resolveLayout(dir: string) {
  const source = await openSource(`oci:${dir}:v1`);
  try {
    return await source.resolve();
  } finally {
    await source.close();
  }
}

describe('unbounded reads end with one line', { timeout: 300_000 }, () => {
  it('a config blob that is a symlink to /dev/zero → exit 3 (CLI)', async () => {
    const digest = image.config.digest;
    const dir = layoutWith('zero-config', digest, (path) => symlinkSync('/dev/zero', path));
    const result = await runCli(['inspect', `oci:${dir}:v1`, '--no-cache'], { timeoutMs: TIMEOUT });
    expectOneLine(result, 3, new RegExp(`blob ${digest} in oci layout .* is a device, not a regular file`));
  });

  // The same read of a layout blob (safe-read.ts through the layout source) as the config's, in-process.
  it('a manifest blob that is a symlink to /dev/zero → exit 3 (in-process)', async () => {
    const dir = layoutWith('zero-manifest', image.digest, (path) => symlinkSync('/dev/zero', path));
    const message = new RegExp(`blob ${image.digest} in oci layout .* is a device, not a regular file`);
    await expectFailure(() => resolveLayout(dir), 3, message);
  });

  it('a manifest blob that is a directory → exit 3, not "unexpected error: EISDIR" (in-process)', async () => {
    const dir = layoutWith('dir-manifest', image.digest, (path) => mkdirSync(path));
    await expectFailure(() => resolveLayout(dir), 3, /is a directory, not a regular file/);
  });

  it('a layer blob that is a FIFO → exit 3, no hang', async () => {
    const dir = layoutWith('fifo-layer', image.layers[0]!.digest, (path) => execFileSync('mkfifo', [path]));
    const result = await runCli(['inspect', `oci:${dir}:v1`, '--no-cache'], { timeoutMs: TIMEOUT });
    expectOneLine(result, 3, /is a FIFO, not a regular file/);
  });

  it('gobin /dev/zero → exit 2 (CLI)', async () => {
    const result = await runCli(['gobin', '/dev/zero'], { timeoutMs: TIMEOUT });
    expectOneLine(result, 2, /\/dev\/zero is a device, not a regular file/);
  });

  // gobin reads its file with analyzeGoFile, as for /dev/zero above: in-process.
  it.each([
    ['a FIFO', () => fifo('gobin-fifo'), /gobin-fifo is a FIFO, not a regular file/],
    ['a directory', () => root, /is a directory, not a regular file/],
  ])('gobin %s → exit 2 (in-process)', async (_name, path, message) => {
    await expectFailure(() => analyzeGoFile(path()), 2, message);
  });

  it('a FIFO as a cache entry is a miss, not waited on; the scan replaces it (in-process)', async () => {
    // The cache's own read (what every command asks before scanning a layer): a miss, at once, not a
    // hang; then the layer's scan (the one the first inspect run stored) replaces the FIFO. That a miss
    // is scanned again through the CLI is what the edited entry below shows.
    const digest = image.layers[0]!.digest;
    const cache = new DiskLayerCache(join(root, 'fifo-cache'));
    const entry = cache.pathFor(digest)!;
    mkdirSync(join(entry, '..'), { recursive: true });
    execFileSync('mkfifo', [entry]);
    expect(await cache.get(digest)).toBeUndefined();
    expect((await scannedReport()).status).toBe(0);
    const scan = await new DiskLayerCache(join(root, 'edited-cache')).get(digest);
    expect(scan?.digest).toBe(digest);
    expect(await cache.put(scan!)).toBe(true);
    expect(await cache.get(digest)).toEqual(scan);
  });

  it('--cache-dir /proc: the cache cannot be written, the run ends (CLI)', async () => {
    const result = await runCli(['inspect', `oci:${join(root, 'good')}:v1`, '--cache-dir', '/proc'], {
      timeoutMs: TIMEOUT,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Total: 1 layer');
  });

  it('--cache-dir /proc/sys/kernel: the cache cannot be written, the write ends (in-process)', async () => {
    // A real scan of the layer (the entry the first inspect run wrote), stored where it cannot be.
    expect((await scannedReport()).status).toBe(0);
    const scan = await new DiskLayerCache(join(root, 'edited-cache')).get(image.layers[0]!.digest);
    expect(scan?.digest).toBe(image.layers[0]!.digest);
    const cache = new DiskLayerCache('/proc/sys/kernel');
    expect(await cache.put(scan!)).toBe(false);
    expect(await cache.get(image.layers[0]!.digest)).toBeUndefined();
  });
});

function fifo(name: string): string {
  const path = join(root, name);
  execFileSync('mkfifo', [path]);
  return path;
}

describe('cache integrity', { timeout: 300_000 }, () => {
  it('an edited cache entry is not trusted: the layer is scanned again', async () => {
    const cacheDir = join(root, 'edited-cache');
    const args = ['inspect', `oci:${join(root, 'good')}:v1`, '--json'];
    const first = await scannedReport();
    expect(first.status, first.stderr).toBe(0);
    const entry = new DiskLayerCache(cacheDir).pathFor(image.layers[0]!.digest)!;
    const text = readFileSync(entry, 'utf8');
    // Well-formed, same shape, a different answer: the file's size as the cache claims it.
    const edited = text.replace(
      '"path":"/etc/motd","type":"file","size":5',
      '"path":"/etc/motd","type":"file","size":5000000',
    );
    expect(edited).not.toBe(text);
    writeFileSync(entry, edited);
    const second = await runCli([...args, '--cache-dir', cacheDir], { timeoutMs: TIMEOUT });
    expect(second.status, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual(JSON.parse(first.stdout));
    expect(second.stdout).not.toContain('5000000');
  });
});
