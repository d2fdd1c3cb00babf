/**
 * Property-based fuzzing of the readers that face the network (docs/hostile-input.md), in the style of
 * test/golang/fuzz.test.ts: manifest and index JSON, image config JSON, `WWW-Authenticate`, `Link` and
 * token server answers. Inputs are random, and mutations of valid documents (wrong types, missing and
 * extra fields, odd digests and sizes). Each reader either returns a value of its declared shape or
 * throws one of the project's errors with exit 2 or 3; inputs are bounded, so a hang would show as a
 * test timeout.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LayerdeltaError } from '../../src/errors.js';
import { isSha256Digest } from '../../src/oci/digest.js';
import { parseTokenAnswer } from '../../src/registry/auth/authenticator.js';
import { parseChallenges } from '../../src/registry/auth/challenge.js';
import { nextLink } from '../../src/registry/client.js';
import { lineUpLayers, parseConfig, parseManifest } from '../../src/source/resolve.js';
import type { Descriptor } from '../../src/source/types.js';

const RUNS = { numRuns: 2_000, seed: 17 };

/** Passes when `run` returns (then `shape` must hold) or throws a LayerdeltaError with exit 2 or 3. */
function check<T>(run: () => T, shape: (value: T) => void): void {
  let value: T;
  try {
    value = run();
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(LayerdeltaError);
    expect([2, 3]).toContain((error as LayerdeltaError).exitCode);
    expect((error as Error).message).not.toMatch(/\n/);
    return;
  }
  shape(value);
}

const digest = fc.oneof(
  fc.stringMatching(/^sha256:[0-9a-f]{64}$/),
  fc.constantFrom('sha256:', 'sha512:abc', 'sha256:ABC', ''),
  fc.string({ maxLength: 80 }),
);
const mediaTypes = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'text/html',
];
/** A field's value: usually of the right type, sometimes anything JSON holds. */
const either = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: good }, fc.jsonValue({ maxDepth: 2 }));
const descriptor = fc.record(
  {
    mediaType: either(fc.constantFrom(...mediaTypes)),
    digest: either(digest),
    size: either(fc.oneof(fc.nat(), fc.constantFrom(-1, 1.5, 2 ** 53, Number.MAX_VALUE))),
    annotations: either(
      fc.dictionary(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
    ),
    urls: either(fc.array(fc.webUrl(), { maxLength: 2 })),
    platform: either(
      fc.record(
        {
          os: either(fc.constantFrom('linux', 'windows')),
          architecture: either(fc.constantFrom('amd64', 'arm64')),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);
const manifestDocument = fc.record(
  {
    schemaVersion: either(fc.constantFrom(1, 2)),
    mediaType: either(fc.constantFrom(...mediaTypes)),
    artifactType: fc.string({ maxLength: 20 }),
    config: either(descriptor),
    layers: either(fc.array(descriptor, { maxLength: 5 })),
    manifests: either(fc.array(descriptor, { maxLength: 5 })),
  },
  { requiredKeys: [] },
);
const configDocument = fc.record(
  {
    architecture: either(fc.constantFrom('amd64', 'arm64', '')),
    os: either(fc.constantFrom('linux', '')),
    variant: either(fc.string({ maxLength: 5 })),
    rootfs: either(
      fc.record(
        { type: either(fc.constant('layers')), diff_ids: either(fc.array(digest, { maxLength: 4 })) },
        { requiredKeys: [] },
      ),
    ),
    config: either(
      fc.record(
        {
          Env: either(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
          Cmd: either(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
          Entrypoint: either(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
          Labels: either(
            fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
          ),
          User: either(fc.string({ maxLength: 5 })),
        },
        { requiredKeys: [] },
      ),
    ),
    history: either(
      fc.array(
        either(
          fc.record(
            { created_by: either(fc.string({ maxLength: 20 })), empty_layer: either(fc.boolean()) },
            { requiredKeys: [] },
          ),
        ),
        { maxLength: 5 },
      ),
    ),
  },
  { requiredKeys: [] },
);
/** JSON bodies: documents, any JSON, truncated documents and random text. */
const body = (document: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 5, arbitrary: document.map((d) => JSON.stringify(d)) },
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.tuple(document, fc.nat()).map(([d, n]) => {
      const text = JSON.stringify(d);
      return text.slice(0, n % (text.length + 1));
    }),
    fc.string({ maxLength: 200 }),
  );

function expectDescriptor(d: Descriptor): void {
  expect(typeof d.mediaType).toBe('string');
  expect(isSha256Digest(d.digest)).toBe(true);
  expect(Number.isSafeInteger(d.size) && d.size >= 0).toBe(true);
  if (d.urls) for (const url of d.urls) expect(typeof url).toBe('string');
  if (d.annotations) for (const v of Object.values(d.annotations)) expect(typeof v).toBe('string');
}

describe('fuzzing the readers that face the network', { timeout: 300_000 }, () => {
  it('manifests and indexes: a manifest of the declared shape, or exit 2/3', () => {
    fc.assert(
      fc.property(body(manifestDocument), fc.option(fc.constantFrom(...mediaTypes)), (text, transport) => {
        const bytes = {
          digest: `sha256:${'f'.repeat(64)}`,
          body: Buffer.from(text),
          ...(transport ? { mediaType: transport } : {}),
        };
        check(
          () => parseManifest(bytes, 'fuzz'),
          (m) => {
            expect(typeof m.mediaType).toBe('string');
            if (m.kind === 'index') m.manifests.forEach(expectDescriptor);
            else {
              expectDescriptor(m.config);
              m.layers.forEach(expectDescriptor);
            }
          },
        );
      }),
      RUNS,
    );
  });

  it('image configs, lined up with layers: a config of the declared shape, or exit 2/3', () => {
    const layer: Descriptor = { mediaType: mediaTypes[7]!, digest: `sha256:${'a'.repeat(64)}`, size: 1 };
    fc.assert(
      fc.property(body(configDocument), fc.nat({ max: 4 }), (text, layerCount) => {
        check(
          () => {
            const config = parseConfig(Buffer.from(text), 'fuzz');
            return { config, layers: lineUpLayers(Array(layerCount).fill(layer), config, 'fuzz') };
          },
          ({ config, layers }) => {
            expect(typeof config.os).toBe('string');
            expect(typeof config.architecture).toBe('string');
            for (const id of config.rootfs.diff_ids) expect(typeof id).toBe('string');
            for (const h of config.history ?? []) {
              if (h.created_by !== undefined) expect(typeof h.created_by).toBe('string');
            }
            expect(layers).toHaveLength(layerCount);
            for (const l of layers) expect(typeof l.diffId).toBe('string');
          },
        );
      }),
      RUNS,
    );
  });

  it('WWW-Authenticate: challenges with a scheme and string params, never a throw', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        'Bearer',
        'Basic',
        'realm',
        'service',
        'scope',
        'error',
        '=',
        '"',
        '\\',
        ',',
        ' ',
        '\t',
        '__proto__',
        'constructor',
      ),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const challenges = parseChallenges(pieces.join(''));
        for (const c of challenges) {
          expect(c.scheme).toMatch(/^\S+$/);
          expect(c.scheme).toBe(c.scheme.toLowerCase());
          for (const [name, value] of Object.entries(c.params)) {
            expect(typeof name).toBe('string');
            expect(typeof value).toBe('string');
          }
        }
      }),
      RUNS,
    );
  });

  it('Link: an absolute URL, nothing, or exit 3', () => {
    const piece = fc.oneof(
      fc.constantFrom(
        '<',
        '>',
        ';',
        ',',
        ' rel="next"',
        'rel=next',
        '/v2/_catalog?n=1&last=a',
        'http://[',
        'https://x/',
        '%',
        '\\',
      ),
      fc.webUrl(),
      fc.string({ maxLength: 12 }),
    );
    // Mostly shaped like a Link header (`<target>; rel="next"`, a list of them), with random parts.
    const link = fc.oneof(
      fc.array(piece, { maxLength: 20 }).map((pieces) => pieces.join('')),
      fc
        .array(
          fc.tuple(fc.array(piece, { maxLength: 4 }), fc.constantFrom('; rel="next"', '; rel=prev', '')),
          {
            maxLength: 3,
          },
        )
        .map((links) => links.map(([target, rel]) => `<${target.join('')}>${rel}`).join(', ')),
    );
    fc.assert(
      fc.property(link, (header) => {
        check(
          () => nextLink(header, 'https://registry.example/v2/_catalog'),
          (url) => {
            if (url !== undefined) expect(() => new URL(url)).not.toThrow();
          },
        );
      }),
      RUNS,
    );
  });

  it('token answers: a non-empty token and a positive finite lifetime, or exit 3', () => {
    const answer = fc.record(
      {
        token: either(fc.string({ maxLength: 20 })),
        access_token: either(fc.string({ maxLength: 20 })),
        refresh_token: either(fc.string({ maxLength: 20 })),
        expires_in: either(fc.oneof(fc.integer(), fc.double())),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(body(answer), (text) => {
        check(
          () => parseTokenAnswer(text, 'auth.example', 'registry.example'),
          (t) => {
            expect(typeof t.token).toBe('string');
            expect(t.token).not.toBe('');
            expect(Number.isFinite(t.lifetimeSeconds) && t.lifetimeSeconds > 0).toBe(true);
          },
        );
      }),
      RUNS,
    );
  });
});
