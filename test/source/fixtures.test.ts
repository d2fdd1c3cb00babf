/**
 * Every layout and archive fixtures/build.sh builds, read through openSource, against what skopeo
 * reads from the same files (`skopeo inspect --raw`; an index's platform manifests from blobs/).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSource } from '../../src/source/open.js';
import { formatPlatform, isAttestation, parsePlatform } from '../../src/source/platform.js';
import type { Descriptor, Platform, ResolvedImage } from '../../src/source/types.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MANIFEST = join(ROOT, 'fixtures', 'build', 'manifest.json');

interface Fixtures {
  layouts: Array<{ dir: string; tags: string[]; platforms: string[] }>;
  archives: Array<{ file: string; tag: string }>;
}

function fixtures(): Fixtures {
  if (!existsSync(MANIFEST))
    throw new Error('fixtures/build/manifest.json is missing: run `bash fixtures/build.sh` first');
  return JSON.parse(readFileSync(MANIFEST, 'utf8')) as Fixtures;
}

interface Raw {
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  manifests?: Descriptor[];
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const skopeoRaw = (ref: string) => execFileSync('skopeo', ['inspect', '--raw', ref]);

async function resolveRef(ref: string, platform?: Platform): Promise<ResolvedImage> {
  const source = await openSource(ref);
  try {
    return await source.resolve(platform);
  } finally {
    await source.close();
  }
}

const sizes = (layers: Descriptor[]) => layers.map((l) => ({ digest: l.digest, size: l.size }));

describe('fixture layouts and archives', () => {
  const { layouts, archives } = fixtures();

  for (const layout of layouts) {
    for (const tag of layout.tags) {
      it(`oci:${layout.dir}:${tag}`, async () => {
        const ref = `oci:${join(ROOT, layout.dir)}:${tag}`;
        const bytes = skopeoRaw(ref);
        const raw = JSON.parse(bytes.toString('utf8')) as Raw;
        if (raw.manifests === undefined) {
          const image = await resolveRef(ref);
          expect(image.manifestDigest).toBe(sha256(bytes));
          expect(image.configDescriptor.digest).toBe(raw.config.digest);
          expect(image.layers.map((l) => l.descriptor)).toEqual(
            raw.layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
          );
          expect([formatPlatform(image.platform)]).toEqual(layout.platforms);
          return;
        }
        const entries = raw.manifests.filter((m) => !isAttestation(m));
        expect(entries.map((m) => formatPlatform(m.platform!))).toEqual(layout.platforms);
        for (const entry of entries) {
          const image = await resolveRef(ref, parsePlatform(formatPlatform(entry.platform!)));
          const child = JSON.parse(
            readFileSync(join(ROOT, layout.dir, 'blobs', 'sha256', entry.digest.slice(7)), 'utf8'),
          ) as Raw;
          expect(image.index?.digest).toBe(sha256(bytes));
          expect(image.manifestDigest).toBe(entry.digest);
          expect(sizes(image.layers.map((l) => l.descriptor))).toEqual(sizes(child.layers));
          expect(image.availablePlatforms.map(formatPlatform)).toEqual(layout.platforms);
        }
      });
    }
  }

  for (const archive of archives) {
    it(`docker-archive:${archive.file}:${archive.tag}`, async () => {
      const path = join(ROOT, archive.file);
      // skopeo's own reading of the archive (it labels every layer gzip, so media types are not compared).
      const raw = JSON.parse(skopeoRaw(`docker-archive:${path}`).toString('utf8')) as Raw;
      const image = await resolveRef(`docker-archive:${path}:${archive.tag}`);
      expect(image.configDescriptor.digest).toBe(raw.config.digest);
      expect(sizes(image.layers.map((l) => l.descriptor))).toEqual(sizes(raw.layers));
    });
  }
});
