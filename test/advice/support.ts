/**
 * Test images for the advice rules: OCI layouts written with the fixtures' own writer (real tar, real
 * history), read back through the real source and layer scanner, as compare and inspect read them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { LayoutWriter, type Step, type TarEntry } from '../../fixtures/oci-writer.js';
import type { AnalysedImage } from '../../src/advice/types.js';
import { LayerReader } from '../../src/pipeline/layer-reader.js';
import { openSource } from '../../src/source/open.js';
import { fixturePath, REPO_ROOT } from '../support/fixtures.js';

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
    return { image, scans, filesystem };
  } finally {
    await source.close();
  }
}

/**
 * fixtures/go/hello built by Go 1.23 with -race (cgo on), as the fixtures build the rest (-trimpath
 * -buildvcs=false); cached in .cache/ by source and toolchain, so only a cold run pays for the race
 * runtime's build (about a minute on 2 cores).
 */
export function raceHello(): string {
  const go = '/usr/lib/go-1.23/bin/go';
  const source = fixturePath('fixtures/go/hello/main.go');
  const version = execFileSync(go, ['version'], { encoding: 'utf8' });
  const key = createHash('sha256').update(version).update(readFileSync(source)).digest('hex').slice(0, 16);
  const out = join(REPO_ROOT, '.cache/advice', `hello-race-${key}`);
  if (existsSync(out)) return out;
  mkdirSync(join(REPO_ROOT, '.cache/advice'), { recursive: true });
  execFileSync(go, ['build', '-race', '-trimpath', '-buildvcs=false', '-o', `${out}.tmp`, '.'], {
    cwd: fixturePath('fixtures/go/hello'),
    env: {
      ...process.env,
      GOCACHE: process.env.FIXTURES_GOCACHE || fixturePath('fixtures/build/.gocache'),
      GOFLAGS: '-mod=mod',
      GOPROXY: 'off',
      GOTOOLCHAIN: 'local',
      CGO_ENABLED: '1',
    },
  });
  renameSync(`${out}.tmp`, out);
  return out;
}
