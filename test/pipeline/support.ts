/**
 * Small OCI image layouts written straight to disk for pipeline tests (any mix of gzip, zstd and
 * uncompressed layers), and an ImageSource wrapper that counts blob openings.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Descriptor, ImageSource, Platform, ResolvedImage } from '../../src/source/types.js';
import { type Compression, compress, MEDIA_TYPES, type TarItem, tarOf } from '../layer/support.js';

function digestOf(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface LayerSpec {
  items: TarItem[];
  compression?: Compression;
}

/** Write one blob into the layout, returning its descriptor. */
function writeBlob(dir: string, data: Buffer, mediaType: string): Descriptor {
  const digest = digestOf(data);
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), data);
  return { mediaType, digest, size: data.length };
}

/** Build the layers' blobs once, so several images can share the very same blobs. */
export async function layerBlobs(
  specs: LayerSpec[],
): Promise<Array<{ data: Buffer; compression: Compression; diffId: string }>> {
  const blobs = [];
  for (const spec of specs) {
    const tar = await tarOf(spec.items);
    const compression = spec.compression ?? 'gzip';
    blobs.push({ data: compress(tar, compression), compression, diffId: digestOf(tar) });
  }
  return blobs;
}

/** Write an OCI layout with the given tags, each an image of the given layer blobs. */
export function writeLayout(
  dir: string,
  images: Record<string, Array<{ data: Buffer; compression: Compression; diffId: string }>>,
): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const manifests = [];
  for (const [tag, layers] of Object.entries(images)) {
    const layerDescriptors = layers.map((l) => writeBlob(dir, l.data, MEDIA_TYPES[l.compression]));
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
        history: layers.map((_, i) => ({ created_by: `step ${i}` })),
      }),
    );
    const configDescriptor = writeBlob(dir, config, 'application/vnd.oci.image.config.v1+json');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: configDescriptor,
        layers: layerDescriptors,
      }),
    );
    const manifestDescriptor = writeBlob(dir, manifest, 'application/vnd.oci.image.manifest.v1+json');
    manifests.push({ ...manifestDescriptor, annotations: { 'org.opencontainers.image.ref.name': tag } });
  }
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
}

/** Passes everything to a real source, counting `openBlob` calls per digest and blobs open at once. */
export class CountingSource implements ImageSource {
  readonly opened = new Map<string, number>();
  maxOpenAtOnce = 0;
  private open = 0;

  constructor(private readonly inner: ImageSource) {}

  get description(): string {
    return this.inner.description;
  }

  resolve(platform?: Platform): Promise<ResolvedImage> {
    return this.inner.resolve(platform);
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    this.opened.set(descriptor.digest, (this.opened.get(descriptor.digest) ?? 0) + 1);
    this.open++;
    this.maxOpenAtOnce = Math.max(this.maxOpenAtOnce, this.open);
    const blob = await this.inner.openBlob(descriptor);
    blob.once('close', () => this.open--);
    return blob;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  totalOpened(): number {
    return [...this.opened.values()].reduce((a, b) => a + b, 0);
  }
}
