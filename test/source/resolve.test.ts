import { describe, expect, it } from 'vitest';
import { ContentError, UsageError } from '../../src/errors.js';
import { lineUpLayers, parseConfig, parseManifest } from '../../src/source/resolve.js';
import type { Descriptor, ImageConfig } from '../../src/source/types.js';

const hex = (c: string) => c.repeat(64);
const layer = (c: string): Descriptor => ({
  mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  digest: `sha256:${hex(c)}`,
  size: 10,
});
const bytes = (value: unknown) => ({
  digest: `sha256:${hex('f')}`,
  body: Buffer.from(JSON.stringify(value)),
});

describe('lineUpLayers', () => {
  const config = (history: ImageConfig['history'], diffIds: string[]): ImageConfig => ({
    os: 'linux',
    architecture: 'amd64',
    rootfs: { type: 'layers', diff_ids: diffIds },
    ...(history ? { history } : {}),
  });
  it('skips empty_layer entries when pairing history with layers', () => {
    const layers = lineUpLayers(
      [layer('a'), layer('b')],
      config(
        [{ created_by: 'FROM' }, { created_by: 'ENV A=1', empty_layer: true }, { created_by: 'RUN make' }],
        ['sha256:1', 'sha256:2'],
      ),
      'here',
    );
    expect(layers.map((l) => [l.index, l.createdBy, l.diffId])).toEqual([
      [0, 'FROM', 'sha256:1'],
      [1, 'RUN make', 'sha256:2'],
    ]);
  });
  it('leaves createdBy out when the history does not line up', () => {
    const layers = lineUpLayers(
      [layer('a'), layer('b')],
      config([{ created_by: 'only one' }], ['sha256:1', 'sha256:2']),
      'here',
    );
    expect(layers.map((l) => [l.createdBy, l.diffId])).toEqual([
      [undefined, 'sha256:1'],
      [undefined, 'sha256:2'],
    ]);
  });
  it.each([
    [['sha256:1'], /lists 1 diff_ids, but the manifest has 2 layers/],
    [['sha256:1', 'sha256:2', 'sha256:3'], /lists 3 diff_ids, but the manifest has 2 layers/],
  ])('fails with a content error (exit 3) when diff_ids and layers differ in number: %j', (ids, message) => {
    const run = () => lineUpLayers([layer('a'), layer('b')], config(undefined, ids), 'here');
    expect(run).toThrow(ContentError);
    expect(run).toThrow(message);
  });
});

describe('parseManifest', () => {
  it('takes the media type from the body, else the transport, else the shape', () => {
    const manifest = {
      schemaVersion: 2,
      config: { ...layer('c'), mediaType: 'application/vnd.oci.image.config.v1+json' },
      layers: [layer('a')],
    };
    expect(parseManifest(bytes(manifest), 'here').mediaType).toBe(
      'application/vnd.oci.image.manifest.v1+json',
    );
    expect(
      parseManifest(
        { ...bytes(manifest), mediaType: 'application/vnd.docker.distribution.manifest.v2+json' },
        'here',
      ).mediaType,
    ).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(parseManifest(bytes({ schemaVersion: 2, manifests: [] }), 'here').kind).toBe('index');
  });
  it.each([
    ['not JSON', '{', /malformed manifest .* in here: not JSON/],
    ['an array', [], /not a JSON object/],
    ['no media type, no shape', { schemaVersion: 2 }, /unsupported manifest media type "none"/],
    [
      'a bad digest',
      { schemaVersion: 2, manifests: [{ mediaType: 'x', digest: 'sha256:12', size: 1 }] },
      /unsupported digest "sha256:12"/,
    ],
    [
      'a negative size',
      { schemaVersion: 2, manifests: [{ mediaType: 'x', digest: `sha256:${hex('a')}`, size: -1 }] },
      /size is not a non-negative integer/,
    ],
    [
      'index without manifests',
      { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json' },
      /index without a manifests list/,
    ],
  ])('rejects %s', (_name, value, message) => {
    const body = typeof value === 'string' ? Buffer.from(value) : Buffer.from(JSON.stringify(value));
    const error = (() => {
      try {
        parseManifest({ digest: `sha256:${hex('f')}`, body }, 'here');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('parseConfig', () => {
  it('keeps the fields the tool reads and tolerates null Entrypoint/Labels', () => {
    const config = parseConfig(
      Buffer.from(
        JSON.stringify({
          os: 'linux',
          architecture: 'arm64',
          variant: 'v8',
          config: {
            Entrypoint: null,
            Cmd: ['sh'],
            Env: ['A=1'],
            Labels: null,
            ExposedPorts: { '80/tcp': {} },
          },
          rootfs: { type: 'layers', diff_ids: [] },
          history: [{ created_by: 'x', empty_layer: true }, 'garbage'],
        }),
      ),
      'config',
    );
    expect(config).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
      config: { Entrypoint: null, Cmd: ['sh'], Env: ['A=1'], Labels: null },
      rootfs: { type: 'layers', diff_ids: [] },
      history: [{ created_by: 'x', empty_layer: true }, {}],
    });
  });
  it('rejects a config without os/architecture', () => {
    expect(() => parseConfig(Buffer.from('{"rootfs":{"diff_ids":[]}}'), 'config X')).toThrow(
      /malformed config X: no os or architecture/,
    );
  });
});
