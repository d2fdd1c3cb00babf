/**
 * Properties of layer classification (docs/design.md §3) on random image pairs (fast-check): every
 * layer in exactly one status, reused layers with equal content, the sum of the layer deltas (plus the
 * stored difference of recompressed layers) equal to the total delta, and no pair without evidence.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildImageDelta } from '../../src/delta/compare.js';
import { normalizeInstruction } from '../../src/delta/instruction.js';
import { CONTENT_OVERLAP_THRESHOLD, overlapMatrix } from '../../src/delta/overlap.js';
import type { LayerFiles } from '../../src/delta/types.js';
import type { ResolvedImage } from '../../src/source/types.js';

/** A small alphabet of contents, instructions and paths, so that reuse, moves and overlaps are common. */
const CONTENTS = ['a', 'b', 'c', 'd', 'e', 'f'];
const INSTRUCTIONS = [
  undefined,
  'RUN /bin/sh -c make # buildkit',
  'RUN |1 V=2 /bin/sh -c make # buildkit',
  '/bin/sh -c #(nop) COPY file:0c4555f363c2672e350001f1293e689875a3760afe7b3f9146886afe67121cba in /app ',
  'COPY app /app # buildkit',
  'ADD rootfs.tar / # buildkit',
];
const PATHS = ['/app', '/etc/a', '/etc/b', '/usr/bin/x', '/srv/s'];
const ENCODINGS = ['gzip', 'zstd', 'none'] as const;
const MEDIA = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
};

const layerArbitrary = fc.record({
  content: fc.constantFrom(...CONTENTS),
  encoding: fc.constantFrom(...ENCODINGS),
  size: fc.integer({ min: 0, max: 1_000_000 }),
  instruction: fc.constantFrom(...INSTRUCTIONS),
  files: fc.option(fc.uniqueArray(fc.constantFrom(...PATHS), { maxLength: 3 }), { nil: undefined }),
  withDiffId: fc.boolean(),
});
type RandomLayer = typeof layerArbitrary extends fc.Arbitrary<infer T> ? T : never;

const sha = (text: string) => `sha256:${Buffer.from(text).toString('hex').padEnd(64, '0').slice(0, 64)}`;

/** Layers of one content share their diff_id and files; the blob differs per encoding and size. */
function image(tag: string, layers: RandomLayer[]): { image: ResolvedImage; files: Map<string, LayerFiles> } {
  const files = new Map<string, LayerFiles>();
  const resolved: ResolvedImage = {
    reference: { transport: 'oci', path: '/tmp/layout', tag },
    manifestDigest: sha(`manifest-${tag}`),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    platform: { os: 'linux', architecture: 'amd64' },
    availablePlatforms: [{ os: 'linux', architecture: 'amd64' }],
    configDescriptor: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(tag), size: 1 },
    config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } },
    layers: layers.map((l, index) => {
      const digest = sha(`blob-${l.content}-${l.encoding}-${l.size}`);
      if (l.files) {
        files.set(digest, {
          entries: l.files.map((path) => ({ path, type: 'file' as const, size: l.size % 1000, mode: 0o644 })),
          whiteouts: [],
          opaqueDirs: [],
        });
      }
      return {
        index,
        descriptor: { mediaType: MEDIA[l.encoding], digest, size: l.size },
        ...(l.withDiffId ? { diffId: sha(`diff-${l.content}`) } : {}),
        ...(l.instruction ? { createdBy: l.instruction } : {}),
      };
    }),
  };
  return { image: resolved, files };
}

const pairArbitrary = fc.tuple(
  fc.array(layerArbitrary, { maxLength: 8 }),
  fc.array(layerArbitrary, { maxLength: 8 }),
);

describe('classification properties (fast-check)', () => {
  it('every layer in exactly one status; reused = equal content; deltas add up', () => {
    fc.assert(
      fc.property(pairArbitrary, ([oldLayers, newLayers]) => {
        const before = image('old', oldLayers);
        const after = image('new', newLayers);
        const readLayers = new Map(
          [...before.files, ...after.files].map(([digest, files]) => [
            digest,
            { ...files, uncompressedSize: 1, diffId: digest },
          ]),
        );
        const delta = buildImageDelta(before.image, after.image, { tolerance: 0.05, readLayers });

        // Exactly one status per layer of each side.
        const seen = (side: 'old' | 'new') =>
          delta.layers.flatMap((c) => (c[side] ? [c[side].index] : [])).sort((a, b) => a - b);
        expect(seen('old')).toEqual(oldLayers.map((_, i) => i));
        expect(seen('new')).toEqual(newLayers.map((_, i) => i));

        for (const change of delta.layers) {
          const o = change.old;
          const n = change.new;
          if (change.status === 'reused') {
            // Equal content: the diff_id where known, else the blob digest.
            expect(o!.diffId ?? o!.digest).toBe(n!.diffId ?? n!.digest);
            expect(change.recompressed).toBe(o!.digest !== n!.digest);
            expect(change.storedDelta).toBe(change.recompressed ? n!.size - o!.size : undefined);
            expect(change.delta).toBe(0);
          } else {
            expect(change.recompressed).toBeUndefined();
            expect(change.delta).toBe((n?.size ?? 0) - (o?.size ?? 0));
          }
          if (change.status === 'changed') {
            // A pair needs evidence, and the evidence named holds.
            const oldInstruction = normalizeInstruction(o!.createdBy);
            const newInstruction = normalizeInstruction(n!.createdBy);
            const oldFiles = before.files.get(o!.digest);
            const newFiles = after.files.get(n!.digest);
            if (change.evidence === 'instruction') {
              expect(oldInstruction?.text).toBeDefined();
              expect(oldInstruction?.text).toBe(newInstruction?.text);
            } else if (change.evidence === 'content') {
              const [[overlap]] = overlapMatrix([oldFiles!], [newFiles!]) as [[number]];
              expect(overlap).toBeGreaterThanOrEqual(CONTENT_OVERLAP_THRESHOLD);
            } else {
              expect(change.evidence).toBe('order');
              expect(oldFiles !== undefined && newFiles !== undefined).toBe(false);
              expect(oldInstruction?.kind).toBe(newInstruction?.kind);
            }
          } else {
            expect(change.evidence).toBeUndefined();
          }
        }

        // Sum of the layer deltas plus the stored difference of recompressed layers = total delta.
        const sum = delta.layers.reduce((s, c) => s + c.delta, 0);
        expect(sum + delta.totals.recompressed.storedDelta).toBe(delta.totals.compressedDelta);
        const stored = (layers: RandomLayer[]) => layers.reduce((s, l) => s + l.size, 0);
        expect(delta.totals.compressedDelta).toBe(stored(newLayers) - stored(oldLayers));
        // Reused count is the multiset intersection of contents.
        const key = (l: RandomLayer, i: number, img: ResolvedImage) =>
          l.withDiffId ? `diff-${l.content}` : img.layers[i]!.descriptor.digest;
        const count = (keys: string[]) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map());
        const oldKeys = count(oldLayers.map((l, i) => key(l, i, before.image)));
        const newKeys = count(newLayers.map((l, i) => key(l, i, after.image)));
        const common = [...oldKeys].reduce((s, [k, c]) => s + Math.min(c, newKeys.get(k) ?? 0), 0);
        expect(delta.totals.byStatus.reused.count).toBe(common);
      }),
      { numRuns: 500 },
    );
  });
});
