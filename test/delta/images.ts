/** Small hand-made ResolvedImages and deltas for the pure tests (no registry involved). */
import { createHash } from 'node:crypto';
import { buildImageDelta } from '../../src/delta/compare.js';
import type { BinaryDelta, ImageDelta } from '../../src/delta/types.js';
import type { ResolvedImage } from '../../src/source/types.js';

export function digestOf(name: string): string {
  return `sha256:${createHash('sha256').update(name).digest('hex')}`;
}

export function resolvedImage(
  tag: string,
  layers: Array<[name: string, size: number, createdBy?: string]>,
): ResolvedImage {
  return {
    reference: { transport: 'oci', path: '/tmp/layout', tag },
    manifestDigest: digestOf(`manifest-${tag}`),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    platform: { os: 'linux', architecture: 'amd64' },
    availablePlatforms: [{ os: 'linux', architecture: 'amd64' }],
    configDescriptor: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: digestOf(`config-${tag}`),
      size: 100,
    },
    config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } },
    layers: layers.map(([name, size, createdBy], index) => ({
      index,
      descriptor: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(name), size },
      ...(createdBy ? { createdBy } : {}),
    })),
  };
}

export const APP = 'COPY app /usr/local/bin/app # buildkit';

/**
 * v1 → v2 with one layer of every status: base and certs reused, legacy removed, config within 5%,
 * app grown beyond it, static new.
 */
export function sampleDelta(options: { binaries?: BinaryDelta[]; uncompressed?: boolean } = {}): ImageDelta {
  const v1 = resolvedImage('v1', [
    ['base', 3_400_000, 'ADD rootfs.tar.gz / # buildkit'],
    ['legacy', 300_000, 'RUN /bin/sh -c install-legacy # buildkit'],
    ['certs', 200_000, 'RUN /bin/sh -c apk add ca-certificates # buildkit'],
    ['config1', 100_000, 'COPY config.json /etc/app/config.json # buildkit'],
    ['app1', 4_500_000, APP],
  ]);
  const v2 = resolvedImage('v2', [
    ['base', 3_400_000, 'ADD rootfs.tar.gz / # buildkit'],
    ['certs', 200_000, 'RUN /bin/sh -c apk add ca-certificates # buildkit'],
    ['config2', 102_000, 'COPY config.json /etc/app/config.json # buildkit'],
    ['app2', 10_800_000, APP],
    ['static', 1_200_000, 'COPY static /srv/static # buildkit'],
  ]);
  const sizes = options.uncompressed
    ? new Map(
        ['base', 'legacy', 'certs', 'config1', 'app1', 'config2', 'app2', 'static'].map((n, i) => [
          digestOf(n),
          (i + 1) * 1_000_000,
        ]),
      )
    : undefined;
  return buildImageDelta(v1, v2, {
    tolerance: 0.05,
    ...(sizes ? { uncompressedSizes: sizes } : {}),
    ...(options.binaries ? { binaries: options.binaries } : {}),
  });
}
