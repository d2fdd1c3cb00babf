/** Docker Hub's names and compression magic (src/oci): each fact once, seen from every module that uses it. */
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressionFromMediaType, MAGIC_LENGTH, sniffCompression } from '../../src/oci/compression.js';
import { DOCKER_HUB_ALIASES, isDockerHub } from '../../src/oci/docker-hub.js';
import { LayerMediaType } from '../../src/oci/media-types.js';
import { formatReference, parseReference } from '../../src/reference/reference.js';
import { normaliseRegistryKey } from '../../src/registry/auth/credentials.js';
import { registryEndpoint } from '../../src/registry/endpoint.js';

describe('Docker Hub aliases', () => {
  it('are the four names docker and skopeo take for Docker Hub', () => {
    expect([...DOCKER_HUB_ALIASES].sort()).toEqual(
      ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'].sort(),
    );
    expect(isDockerHub('Index.Docker.IO')).toBe(true);
    expect(isDockerHub('docker.com')).toBe(false);
    expect(isDockerHub('ghcr.io')).toBe(false);
  });

  it.each([...DOCKER_HUB_ALIASES])(
    '%s means Docker Hub to references, credentials and the endpoint',
    (alias) => {
      expect(formatReference(parseReference(`${alias}/alpine:3`))).toBe('docker.io/library/alpine:3');
      expect(normaliseRegistryKey(`https://${alias}/v1/`)).toBe('docker.io');
      expect(registryEndpoint(alias)).toMatchObject({
        name: 'docker.io',
        host: 'registry-1.docker.io',
        baseUrl: 'https://registry-1.docker.io',
      });
    },
  );

  it('a look-alike host is its own registry', () => {
    expect(formatReference(parseReference('hub.docker.io.example.com/alpine'))).toBe(
      'hub.docker.io.example.com/alpine:latest',
    );
    expect(normaliseRegistryKey('docker.io.example.com')).toBe('docker.io.example.com');
  });
});

describe('compression magic', () => {
  const tar = Buffer.from('etc/os-release\0\0\0\0');
  it('tells gzip (node:zlib), zstd (the zstd CLI) and a tar apart by their first bytes', () => {
    const zstd = execFileSync('zstd', ['-c', '-q'], { input: tar });
    expect(sniffCompression(gzipSync(tar).subarray(0, MAGIC_LENGTH))).toBe('gzip');
    expect(sniffCompression(zstd.subarray(0, MAGIC_LENGTH))).toBe('zstd');
    expect(sniffCompression(tar.subarray(0, MAGIC_LENGTH))).toBe('none');
    expect(sniffCompression(Buffer.from([0x1f]))).toBe('none');
  });

  it('reads the claim of every layer media type', () => {
    expect(compressionFromMediaType(LayerMediaType.ociGzip)).toBe('gzip');
    expect(compressionFromMediaType(LayerMediaType.dockerGzip)).toBe('gzip');
    expect(compressionFromMediaType(LayerMediaType.ociZstd)).toBe('zstd');
    expect(compressionFromMediaType(LayerMediaType.ociTar)).toBe('none');
    expect(compressionFromMediaType(LayerMediaType.dockerTar)).toBe('none');
    expect(compressionFromMediaType('application/vnd.example.thing')).toBeUndefined();
  });
});
