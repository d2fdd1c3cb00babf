/**
 * A foreign (non-distributable) layer, as Windows base images have: its manifest entry carries `urls`
 * and the blob is not where the image is. compare and check say "not downloaded" for it, and JSON says
 * why (`notDownloaded`), instead of counting it as an empty layer of 0 bytes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compress, filler, LayoutWriter, MEDIA, sha256, tarBytes } from '../../fixtures/oci-writer.js';
import type { ImageDelta } from '../../src/delta/types.js';
import { schemaErrors } from '../report/schema.js';
import { ensureBuilt, runCli } from './cli.js';

let dir: string;
let layout: string;
const ref = (tag: string) => `oci:${layout}:${tag}`;
const FOREIGN = {
  mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  digest: `sha256:${'f'.repeat(64)}`,
  size: 123_456,
  urls: ['https://mcr.microsoft.example/layers/base.tar.gz'],
};
const FOREIGN_DIFF_ID = `sha256:${'e'.repeat(64)}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'layerdelta-foreign-'));
  layout = join(dir, 'layout');
  const writer = new LayoutWriter(layout);
  // Each image: the foreign base layer (not in the layout), then one real layer of the app.
  const image = async (tag: string, appBytes: number) => {
    const tar = await tarBytes([{ path: 'app/data', type: 'file', data: filler(tag, appBytes) }]);
    const blob = writer.writeBlob(await compress(tar, 'gzip'), MEDIA.ociLayerGzip);
    const config = writer.writeBlob(
      Buffer.from(
        JSON.stringify({
          os: 'windows',
          architecture: 'amd64',
          rootfs: { type: 'layers', diff_ids: [FOREIGN_DIFF_ID, `sha256:${sha256(tar)}`] },
          history: [{ created_by: 'Apply image 10.0.20348' }, { created_by: 'COPY app /app' }],
        }),
      ),
      MEDIA.ociConfig,
    );
    const manifest = { schemaVersion: 2, mediaType: MEDIA.ociManifest, config, layers: [FOREIGN, blob] };
    writer.tag(writer.writeBlob(Buffer.from(JSON.stringify(manifest)), MEDIA.ociManifest), tag);
  };
  await image('v1', 10_000);
  await image('v2', 30_000);
  writer.finish();
  await ensureBuilt();
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a foreign layer', () => {
  it('is not downloaded in JSON: the reason, no uncompressed size, no image total', async () => {
    const result = await runCli(['compare', ref('v1'), ref('v2'), '--json', '--no-advice']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const delta = JSON.parse(result.stdout) as ImageDelta;
    const foreign = delta.layers[0]!;
    expect(foreign.status).toBe('reused');
    for (const side of [foreign.old!, foreign.new!]) {
      expect(side.notDownloaded).toBe('foreign layer (at https://mcr.microsoft.example/layers/base.tar.gz)');
      expect(side.uncompressedSize).toBeUndefined();
      expect(side.size).toBe(FOREIGN.size);
    }
    // The app layer was read: its uncompressed sizes are there.
    expect(delta.layers[1]!.new!.notDownloaded).toBeUndefined();
    expect(delta.layers[1]!.new!.uncompressedSize).toBeGreaterThan(30_000);
    // Not every layer was read: no uncompressed image total (it would count the foreign layer as 0).
    expect(delta.old.uncompressedSize).toBeUndefined();
    expect(delta.new.uncompressedSize).toBeUndefined();
    expect(schemaErrors(delta)).toEqual([]);
  });

  it('says "not downloaded" in text and Markdown, not 0 B', async () => {
    const text = await runCli(['compare', ref('v1'), ref('v2'), '--no-advice']);
    expect(text.stderr).toBe('');
    const row = text.stdout.split('\n').find((line) => line.includes('Apply image'));
    expect(row).toMatch(/not downloaded/);
    // Its compressed delta is 0 B (reused); the uncompressed column says it was not read.
    expect(text.stdout).not.toMatch(/Total uncompressed/);
    const markdown = await runCli([
      'check',
      ref('v2'),
      '--baseline',
      ref('v1'),
      '--output',
      'markdown',
      '--no-advice',
    ]);
    expect(markdown.stderr).toBe('');
    const mdRow = markdown.stdout.split('\n').find((line) => line.includes('Apply image'));
    expect(mdRow).toMatch(/not downloaded/);
  }, 120_000);
});
