/**
 * Metrics of an ImageDelta built by the real classifier from a small hand-made pair of layer lists:
 * the expected numbers below are worked out by hand from docs/design.md §3, not taken from our output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsOptions } from '../../src/cli/metrics-flags.js';
import { buildImageDelta } from '../../src/delta/compare.js';
import { publishMetrics } from '../../src/metrics/publish.js';
import type { ResolvedImage } from '../../src/source/types.js';
import { type Pushgateway, startPushgateway } from '../support/pushgateway.js';
import { parseExposition, sampleValue } from './exposition.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;

function image(
  tag: string,
  layers: Array<{ digest: string; size: number; createdBy: string }>,
): ResolvedImage {
  return {
    reference: { transport: 'registry', registry: '127.0.0.1:5000', repository: 'team/app', tag },
    manifestDigest: digest(tag === 'v1' ? 'e' : 'f'),
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    platform: { os: 'linux', architecture: 'amd64' },
    availablePlatforms: [{ os: 'linux', architecture: 'amd64' }],
    configDescriptor: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: digest('c'),
      size: 100,
    },
    config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } },
    layers: layers.map((l, index) => ({
      index,
      descriptor: {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: l.digest,
        size: l.size,
      },
      createdBy: l.createdBy,
    })),
  };
}

let gateway: Pushgateway;
beforeAll(async () => {
  gateway = await startPushgateway();
});
afterAll(async () => {
  await gateway?.stop();
});

describe('metrics of a classified image delta', () => {
  it('counts and sizes per layer status as worked out by hand', async () => {
    // LCS anchors: base and mid (reused). Hunk base..mid: docs alone on the old side (removed).
    // Hunk after mid: app v1 / app v2 paired by instruction (changed, 2000 → 2600 bytes), cache new.
    const oldImage = image('v1', [
      { digest: digest('1'), size: 10_000, createdBy: 'ADD rootfs.tar /' },
      { digest: digest('3'), size: 700, createdBy: 'COPY docs /usr/share/doc' },
      { digest: digest('6'), size: 500, createdBy: 'RUN apt-get install -y ca-certificates' },
      { digest: digest('2'), size: 2000, createdBy: 'COPY app /usr/local/bin/app' },
    ]);
    const newImage = image('v2', [
      { digest: digest('1'), size: 10_000, createdBy: 'ADD rootfs.tar /' },
      { digest: digest('6'), size: 500, createdBy: 'RUN apt-get install -y ca-certificates' },
      { digest: digest('4'), size: 2600, createdBy: 'COPY app /usr/local/bin/app' },
      { digest: digest('5'), size: 300, createdBy: 'RUN make cache' },
    ]);
    const delta = buildImageDelta(oldImage, newImage, { tolerance: 0.05 });
    await publishMetrics(
      { repository: '127.0.0.1:5000/team/app', delta, durationSeconds: 1 },
      metricsOptions({ pushgateway: gateway.url, job: 'layerdelta', top: 20 }),
    );
    const samples = parseExposition(await gateway.scrape()).filter((s) => s.name.startsWith('layerdelta_'));

    const layers = (status: string) => sampleValue(samples, 'layerdelta_layers', { status });
    const bytes = (status: string) => sampleValue(samples, 'layerdelta_layer_bytes', { status });
    expect([layers('reused'), layers('changed'), layers('removed'), layers('new')]).toEqual([2, 1, 1, 1]);
    expect([bytes('reused'), bytes('changed'), bytes('removed'), bytes('new')]).toEqual([
      10_500, 2600, 700, 300,
    ]);
    // 600 bytes of growth on 2000 is 30% > 5%: significant.
    expect(sampleValue(samples, 'layerdelta_layer_significant_changes')).toBe(1);
    const size = (side: string) =>
      sampleValue(samples, 'layerdelta_image_size_bytes', { side, encoding: 'compressed' });
    expect([size('old'), size('new')]).toEqual([13_200, 13_400]);
    expect(sampleValue(samples, 'layerdelta_image_delta_bytes', { encoding: 'compressed' })).toBe(200);
    // Binaries were not analysed: no Go series at all.
    expect(samples.filter((s) => s.name.startsWith('layerdelta_go_'))).toEqual([]);
  });
});
