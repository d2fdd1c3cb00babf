/** Manifest media type inference (src/oci/manifest.ts): one rule set for the registry client and resolve. */
import { describe, expect, it } from 'vitest';
import { manifestMediaType } from '../../src/oci/manifest.js';
import { ManifestMediaType } from '../../src/oci/media-types.js';

const OCI_MANIFEST = ManifestMediaType.ociManifest;
const OCI_INDEX = ManifestMediaType.ociIndex;
const DOCKER_MANIFEST = ManifestMediaType.dockerManifest;
const DOCKER_LIST = ManifestMediaType.dockerManifestList;

const descriptor = {
  mediaType: 'application/vnd.oci.image.config.v1+json',
  digest: `sha256:${'a'.repeat(64)}`,
  size: 2,
};
/** The two shapes of the image spec, without a declared mediaType (as written before image-spec 1.0.2). */
const imageShape = { schemaVersion: 2, config: descriptor, layers: [] };
const indexShape = { schemaVersion: 2, manifests: [] };

const infer = (body: unknown, transport?: string) =>
  manifestMediaType(
    Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    transport,
    'manifest m',
  );

describe('manifest media type', () => {
  it('infers both shapes when nothing declares a type', () => {
    expect(infer(imageShape)).toBe(OCI_MANIFEST);
    expect(infer(indexShape)).toBe(OCI_INDEX);
    // A generic Content-Type says nothing: the shape decides.
    expect(infer(imageShape, 'application/json')).toBe(OCI_MANIFEST);
    expect(infer(indexShape, 'application/octet-stream')).toBe(OCI_INDEX);
  });

  it('takes the transport type (Content-Type, descriptor) over the shape', () => {
    expect(infer(imageShape, DOCKER_MANIFEST)).toBe(DOCKER_MANIFEST);
    expect(infer(indexShape, `${DOCKER_LIST}; charset=utf-8`)).toBe(DOCKER_LIST);
  });

  it("takes the body's own mediaType over the transport: the digest covers the body, not a header", () => {
    expect(infer({ ...imageShape, mediaType: OCI_MANIFEST }, DOCKER_MANIFEST)).toBe(OCI_MANIFEST);
    expect(infer({ ...indexShape, mediaType: DOCKER_LIST }, OCI_INDEX)).toBe(DOCKER_LIST);
  });

  it.each([
    [
      'an unknown declared type',
      { ...imageShape, mediaType: 'application/x-strange' },
      undefined,
      /"application\/x-strange"/,
    ],
    [
      'an unknown transport type and no shape',
      { schemaVersion: 2 },
      'application/x-strange',
      /"application\/x-strange"/,
    ],
    ['no type and no shape', { schemaVersion: 2 }, undefined, /"none"/],
    ['layers without a config', { schemaVersion: 2, layers: [] }, undefined, /"none"/],
    ['schema 1 by version', { schemaVersion: 1, fsLayers: [] }, undefined, /Docker schema 1/],
    [
      'schema 1 by transport',
      { fsLayers: [] },
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
      /Docker schema 1/,
    ],
  ])('refuses %s as UNSUPPORTED_MEDIA_TYPE', (_name, body, transport, message) => {
    expect(() => infer(body, transport)).toThrow(message);
    expect(() => infer(body, transport)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE', exitCode: 2 }),
    );
  });

  it('refuses what is not a JSON object as MANIFEST_INVALID', () => {
    for (const body of ['{', '[]', '"text"']) {
      expect(() => infer(body, OCI_MANIFEST)).toThrow(
        expect.objectContaining({ code: 'MANIFEST_INVALID', exitCode: 2 }),
      );
    }
  });
});
