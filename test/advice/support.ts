/**
 * Test images for the advice rules: OCI layouts written with the fixtures' own writer (real tar, real
 * history), read back through the real source and layer scanner, as compare and inspect read them.
 */
import { readFileSync } from 'node:fs';
import { LayoutWriter, type Step, type TarEntry } from '../../fixtures/oci-writer.js';
import type { AnalysedImage } from '../../src/advice/types.js';
import { readImagePackages } from '../../src/packages/read.js';
import { LayerReader } from '../../src/pipeline/layer-reader.js';
import { openSource } from '../../src/source/open.js';
import { fixturePath, fixtureVariant } from '../support/fixtures.js';

export const exe = (path: string, file: string): TarEntry => ({
  path,
  type: 'file',
  data: readFileSync(file),
  mode: 0o755,
});

/** Writes one layout with the given tags (every layer uncompressed: the tests are about files). */
export async function writeImages(dir: string, images: Record<string, Step[]>): Promise<void> {
  const writer = new LayoutWriter(dir);
  for (const [tag, steps] of Object.entries(images)) {
    const withTar = steps.map((s) =>
      'empty' in s || 'packed' in s ? s : { ...s, compression: s.compression ?? 'none' },
    );
    const manifest = await writer.image({
      platform: { os: 'linux', architecture: 'amd64' },
      created: '2024-01-01T00:00:00Z',
      steps: withTar,
    });
    writer.tag(manifest, tag);
  }
  writer.finish();
}

/** An image of a layout, resolved and scanned through the real pipeline. */
export async function analyse(dir: string, tag: string): Promise<AnalysedImage> {
  const source = await openSource(`oci:${dir}:${tag}`);
  try {
    const image = await source.resolve();
    const { scans, filesystem } = await new LayerReader().readImage(source, image);
    return { image, scans, filesystem, packages: await readImagePackages(scans, filesystem) };
  } finally {
    await source.close();
  }
}

/** fixtures/go/hello built by Go 1.23 with -race (cgo on): built with the other fixtures (fixtures/go-builds.ts). */
export function raceHello(): string {
  return fixturePath(fixtureVariant('race').file);
}
