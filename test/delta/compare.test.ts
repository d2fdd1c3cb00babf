import { describe, expect, it } from 'vitest';
import { buildImageDelta } from '../../src/delta/compare.js';
import { digestOf, resolvedImage, sampleDelta } from './images.js';

describe('buildImageDelta', () => {
  it('totals the classification of two resolved images', () => {
    const delta = sampleDelta();
    expect(delta.schemaVersion).toBe(1);
    expect(delta.old).toEqual({
      reference: 'oci:/tmp/layout:v1',
      manifestDigest: digestOf('manifest-v1'),
      platform: { os: 'linux', architecture: 'amd64' },
      layerCount: 5,
      compressedSize: 8_500_000,
    });
    expect(delta.new.compressedSize).toBe(15_702_000);
    expect(delta.totals).toEqual({
      compressedDelta: 7_202_000,
      byStatus: {
        reused: { count: 2, bytes: 3_600_000 },
        changed: { count: 2, bytes: 10_902_000 },
        new: { count: 1, bytes: 1_200_000 },
        removed: { count: 1, bytes: 300_000 },
      },
      significantChanges: 1,
      recompressed: { count: 0, storedDelta: 0 },
    });
    expect(delta.storedSizes).toEqual({ comparable: true, old: ['gzip'], new: ['gzip'] });
    expect(delta.judgedSizes).toBe('compressed');
    expect(delta.layers.map((l) => l.status)).toEqual([
      'reused',
      'removed',
      'reused',
      'changed',
      'changed',
      'new',
    ]);
    expect(delta.binaries).toBeUndefined();
    expect(delta.totals.uncompressedDelta).toBeUndefined();
  });

  it('adds uncompressed sizes when every layer was read', () => {
    const delta = sampleDelta({ uncompressed: true });
    // base 1, legacy 2, certs 3, config1 4, app1 5 (MB) → 15 MB; base 1, certs 3, config2 6, app2 7, static 8 → 25 MB.
    expect(delta.old.uncompressedSize).toBe(15_000_000);
    expect(delta.new.uncompressedSize).toBe(25_000_000);
    expect(delta.totals.uncompressedDelta).toBe(10_000_000);
    expect(delta.layers[0]!.new!.uncompressedSize).toBe(1_000_000);
  });

  it('leaves the uncompressed total out when a layer was not read', () => {
    const a = resolvedImage('a', [['x', 10]]);
    const b = resolvedImage('b', [
      ['x', 10],
      ['y', 20],
    ]);
    const delta = buildImageDelta(a, b, {
      tolerance: 0.05,
      uncompressedSizes: new Map([[digestOf('x'), 30]]),
    });
    expect(delta.old.uncompressedSize).toBe(30);
    expect(delta.new.uncompressedSize).toBeUndefined();
    expect(delta.totals.uncompressedDelta).toBeUndefined();
    expect(delta.layers[1]!.new!.uncompressedSize).toBeUndefined();
  });

  it('carries binaries through', () => {
    expect(sampleDelta({ binaries: [] }).binaries).toEqual([]);
  });
});
