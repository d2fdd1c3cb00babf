import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFilesystem } from '../../src/layer/filesystem.js';
import { readLayer } from '../../src/layer/read.js';
import type { LayerRead } from '../../src/layer/types.js';
import {
  BIGGER_SOURCE,
  buildGoProgram,
  compress,
  goVersionM,
  HELLO_SOURCE,
  sha256sum,
  type TarItem,
  tarOf,
  writeBlob,
} from './support.js';

let work: string;
let helloPath: string;
let biggerPath: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'layerdelta-fs-'));
  helloPath = buildGoProgram(work, 'hello', HELLO_SOURCE);
  biggerPath = buildGoProgram(work, 'bigger', BIGGER_SOURCE);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

let blobCount = 0;
async function layer(items: TarItem[], compression: 'gzip' | 'zstd' | 'none' = 'gzip'): Promise<LayerRead> {
  const blob = writeBlob(
    work,
    `layer-${blobCount++}`,
    compress(await tarOf(items), compression),
    compression,
  );
  return await readLayer(blob.open(), blob.descriptor);
}

const exe = (name: string, file: string): TarItem => ({ name, data: readFileSync(file), mode: 0o755 });
const text = (name: string, data = 'x'): TarItem => ({ name, data });

describe('buildFilesystem', () => {
  it('applies whiteouts to lower layers: the path and everything under it', async () => {
    const fs = buildFilesystem([
      await layer([text('etc/a'), text('var/lib/x/1'), text('var/lib/x/sub/2'), text('var/lib/y')]),
      await layer([text('var/lib/.wh.x'), text('etc/.wh.a'), text('etc/b')], 'zstd'),
    ]);
    expect([...fs.files.keys()]).toEqual(['/etc/b', '/var/lib/y']);
  });

  it('a whiteout hides only lower layers, not the file its own layer writes', async () => {
    const fs = buildFilesystem([
      await layer([text('app/old')]),
      await layer([text('app/.wh.old'), text('app/old', 'new')]),
    ]);
    expect(fs.files.get('/app/old')?.layer).toBe(1);
  });

  it('an opaque directory hides lower content but keeps its own layer content', async () => {
    const fs = buildFilesystem([
      await layer([{ name: 'opt', type: 'directory' }, text('opt/a/1'), text('opt/b'), text('keep/c')]),
      await layer([{ name: 'opt', type: 'directory' }, text('opt/.wh..wh..opq'), text('opt/new')], 'none'),
    ]);
    expect([...fs.files.keys()]).toEqual(['/keep/c', '/opt', '/opt/new']);
  });

  it('a file replaces a directory with everything under it; a later layer overrides an earlier one', async () => {
    const fs = buildFilesystem([
      await layer([text('data/x/1'), text('etc/conf', 'v1')]),
      await layer([text('data/x'), text('etc/conf', 'v2 longer')]),
    ]);
    expect([...fs.files.keys()]).toEqual(['/data/x', '/etc/conf']);
    expect(fs.files.get('/etc/conf')).toMatchObject({ layer: 1, entry: { size: 9 } });
  });

  it('gives the Go binaries of the final image with the layer that last wrote each', async () => {
    const fs = buildFilesystem([
      await layer([exe('usr/bin/hello', helloPath), exe('usr/bin/tool', biggerPath)]),
      await layer([text('README')], 'zstd'),
      await layer([exe('usr/bin/tool', helloPath)]),
    ]);
    expect([...fs.goBinaries.keys()]).toEqual(['/usr/bin/hello', '/usr/bin/tool']);
    expect(fs.goBinaries.get('/usr/bin/hello')?.layer).toBe(0);
    expect(fs.goBinaries.get('/usr/bin/tool')?.layer).toBe(2);
    expect(fs.goBinaries.get('/usr/bin/tool')?.report.digest).toBe(sha256sum(helloPath));
    expect(fs.goBinaries.get('/usr/bin/hello')?.report.buildInfo.path).toBe(goVersionM(helloPath).path);
  });

  it('a binary moved between layers is only at its new path', async () => {
    const fs = buildFilesystem([
      await layer([exe('app/bin/server', biggerPath)]),
      await layer([text('app/bin/.wh.server'), exe('srv/server', biggerPath)], 'zstd'),
    ]);
    expect([...fs.goBinaries.keys()]).toEqual(['/srv/server']);
    expect(fs.goBinaries.get('/srv/server')).toMatchObject({ layer: 1 });
    expect(fs.goBinaries.get('/srv/server')?.report.buildInfo.goVersion).toBe(
      goVersionM(biggerPath).goVersion,
    );
  });

  it('a hard-linked Go binary counts at both paths with the same analysis, also across layers', async () => {
    const fs = buildFilesystem([
      await layer([
        exe('bin/hello', helloPath),
        { name: 'bin/hello-link', type: 'link', linkname: 'bin/hello' },
      ]),
      await layer([{ name: 'usr/bin/hello2', type: 'link', linkname: './bin/hello' }]),
    ]);
    expect([...fs.goBinaries.keys()]).toEqual(['/bin/hello', '/bin/hello-link', '/usr/bin/hello2']);
    const original = fs.goBinaries.get('/bin/hello')?.report;
    expect(fs.goBinaries.get('/bin/hello-link')?.report).toBe(original);
    expect(fs.goBinaries.get('/usr/bin/hello2')).toMatchObject({ layer: 1 });
    expect(fs.goBinaries.get('/usr/bin/hello2')?.report).toBe(original);
    expect(fs.files.get('/usr/bin/hello2')?.entry.size).toBe(readFileSync(helloPath).length);
  });

  it('a Go binary removed by a whiteout is gone; its hard link in a later layer would have nothing to point at', async () => {
    const fs = buildFilesystem([
      await layer([exe('bin/hello', helloPath)]),
      await layer([text('bin/.wh.hello')]),
      await layer([{ name: 'bin/again', type: 'link', linkname: 'bin/hello' }]),
    ]);
    expect(fs.goBinaries.size).toBe(0);
  });

  it('keeps non-Go executables apart, with their layer', async () => {
    const fs = buildFilesystem([
      await layer([{ name: 'bin/true', data: readFileSync('/usr/bin/true'), mode: 0o755 }]),
    ]);
    expect(fs.goBinaries.size).toBe(0);
    expect(fs.otherExecutables.get('/bin/true')).toMatchObject({
      layer: 0,
      info: { digest: sha256sum('/usr/bin/true') },
    });
  });
});
