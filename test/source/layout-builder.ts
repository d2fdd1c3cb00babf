/**
 * Small OCI layouts for source tests, written with tar-stream, zlib and the zstd CLI, independent
 * of the code under test. Each layer is a tiny tar; digests are whatever sha256 says of the bytes.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';

export interface BuiltDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

export type Compression = 'gzip' | 'zstd' | 'none';

export interface LayerInput {
  files: Record<string, string>;
  compression?: Compression;
  createdBy?: string;
}

export interface ImageInput {
  os?: string;
  architecture?: string;
  variant?: string;
  layers: LayerInput[];
  /** Extra history entries without a layer, inserted before the layer at that position. */
  emptySteps?: Record<number, string>;
  docker?: boolean;
  config?: Record<string, unknown>;
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const packer = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    packer.on('data', (c: unknown) => chunks.push(c as Buffer));
    packer.on('end', () => resolve(Buffer.concat(chunks)));
    packer.on('error', reject);
  });
  for (const [name, content] of Object.entries(files)) {
    packer.entry({ name, mtime: new Date(0), mode: 0o644 }, Buffer.from(content));
  }
  packer.finalize();
  return await done;
}

export function compressWith(tar: Buffer, compression: Compression): Buffer {
  if (compression === 'gzip') return gzipSync(tar);
  if (compression === 'zstd') return execFileSync('zstd', ['-q', '-c', '-3'], { input: tar });
  return tar;
}

export class TestLayout {
  private readonly refs: BuiltDescriptor[] = [];

  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  }

  blob(data: Buffer, mediaType: string): BuiltDescriptor {
    const hex = sha256Hex(data);
    writeFileSync(join(this.dir, 'blobs', 'sha256', hex), data);
    return { mediaType, digest: `sha256:${hex}`, size: data.length };
  }

  json(value: unknown, mediaType: string): BuiltDescriptor {
    return this.blob(Buffer.from(JSON.stringify(value, null, 2)), mediaType);
  }

  async image(
    input: ImageInput,
  ): Promise<BuiltDescriptor & { layers: BuiltDescriptor[]; config: BuiltDescriptor }> {
    const docker = input.docker === true;
    const layers: BuiltDescriptor[] = [];
    const diffIds: string[] = [];
    const history: Array<Record<string, unknown>> = [];
    for (const [i, layer] of input.layers.entries()) {
      const emptyStep = input.emptySteps?.[i];
      if (emptyStep !== undefined) history.push({ created_by: emptyStep, empty_layer: true });
      const tar = await tarOf(layer.files);
      const compression = layer.compression ?? 'gzip';
      const mediaType = docker
        ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
        : `application/vnd.oci.image.layer.v1.tar${compression === 'none' ? '' : `+${compression}`}`;
      layers.push(this.blob(compressWith(tar, docker ? 'gzip' : compression), mediaType));
      diffIds.push(`sha256:${sha256Hex(tar)}`);
      history.push({ created: '2024-01-01T00:00:00Z', created_by: layer.createdBy ?? `LAYER ${i}` });
    }
    const config = this.json(
      {
        architecture: input.architecture ?? 'amd64',
        os: input.os ?? 'linux',
        ...(input.variant ? { variant: input.variant } : {}),
        created: '2024-01-01T00:00:00Z',
        config: input.config ?? { Env: ['PATH=/usr/bin', 'A=1'], Cmd: ['/bin/app'], Labels: { a: 'b' } },
        rootfs: { type: 'layers', diff_ids: diffIds },
        history,
      },
      docker ? DOCKER_CONFIG : OCI_CONFIG,
    );
    const mediaType = docker ? DOCKER_MANIFEST : OCI_MANIFEST;
    const manifest = this.json({ schemaVersion: 2, mediaType, config, layers }, mediaType);
    return { ...manifest, layers, config };
  }

  index(manifests: BuiltDescriptor[]): BuiltDescriptor {
    return this.json({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }, OCI_INDEX);
  }

  tag(descriptor: BuiltDescriptor, name: string): void {
    const { mediaType, digest, size } = descriptor;
    this.refs.push({ mediaType, digest, size, annotations: { 'org.opencontainers.image.ref.name': name } });
  }

  finish(extraEntries: BuiltDescriptor[] = []): void {
    writeFileSync(join(this.dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(
      join(this.dir, 'index.json'),
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...this.refs, ...extraEntries] }),
    );
  }
}

/** A platform entry for an index. */
export function forPlatform(
  d: BuiltDescriptor,
  os: string,
  architecture: string,
  variant?: string,
  annotations?: Record<string, string>,
): BuiltDescriptor {
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    platform: { os, architecture, ...(variant ? { variant } : {}) },
    ...(annotations ? { annotations } : {}),
  };
}
