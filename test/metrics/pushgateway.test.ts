import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetricsFlagValues, metricsOptions } from '../../src/cli/metrics-flags.js';
import type { BinaryDelta, ImageDelta, LayerStatus } from '../../src/delta/types.js';
import { MetricsPushError } from '../../src/errors.js';
import { type PublishOptions, publishAllMetrics, publishMetrics } from '../../src/metrics/publish.js';
import { freePort } from '../support/process.js';
import { type Pushgateway, startPushgateway } from '../support/pushgateway.js';
import { parseExposition, type Sample, sampleValue, select } from './exposition.js';
import { deltaWithOneBinary, deltaWithTwoBinaries } from './sample-delta.js';

const REPOSITORY = '127.0.0.1:5000/team/app';
const TOP = 3;

let gateway: Pushgateway;
beforeAll(async () => {
  gateway = await startPushgateway();
});
afterAll(async () => {
  await gateway?.stop();
});

function flags(extra: Partial<MetricsFlagValues> = {}): PublishOptions {
  return metricsOptions({
    pushgateway: gateway.url,
    job: 'layerdelta',
    label: ['branch=main', 'env=prod'],
    top: TOP,
    ...extra,
  });
}

/** The samples of our group only (the gateway also serves its own metrics and other groups). */
async function groupSamples(match: Record<string, string>): Promise<Sample[]> {
  const all = parseExposition(await gateway.scrape());
  return all.filter(
    (s) => s.name.startsWith('layerdelta_') && Object.entries(match).every(([k, v]) => s.labels[k] === v),
  );
}

/** Expected top-N rows computed here from plain arrays: largest first, rest summed as `other`. */
function expectedTop(rows: Array<[string, number]>, n: number, byAbs: boolean): Map<string, number> {
  const key = (v: number) => (byAbs ? Math.abs(v) : v);
  const sorted = rows.filter(([, v]) => !byAbs || v !== 0).sort((a, b) => key(b[1]) - key(a[1]));
  const result = new Map(sorted.slice(0, n));
  const rest = sorted.slice(n);
  if (rest.length > 0)
    result.set(
      'other',
      rest.reduce((s, [, v]) => s + v, 0),
    );
  return result;
}

function seriesMap(samples: Sample[], name: string, path: string, label: string): Map<string, number> {
  return new Map(select(samples, name, { path }).map((s) => [s.labels[label] ?? '', s.value]));
}

function expectBinary(samples: Sample[], b: BinaryDelta) {
  const path = b.path;
  if (b.old)
    expect(sampleValue(samples, 'layerdelta_go_binary_size_bytes', { path, side: 'old' })).toBe(b.old.size);
  if (b.new)
    expect(sampleValue(samples, 'layerdelta_go_binary_size_bytes', { path, side: 'new' })).toBe(b.new.size);
  expect(sampleValue(samples, 'layerdelta_go_binary_delta_bytes', { path })).toBe(b.delta);
  for (const s of b.sections) {
    expect(sampleValue(samples, 'layerdelta_go_binary_section_delta_bytes', { path, section: s.name })).toBe(
      s.delta,
    );
  }
  expect(seriesMap(samples, 'layerdelta_go_binary_section_delta_bytes', path, 'section').size).toBe(
    b.sections.length,
  );
  // docs/metrics.md: a section without file bytes (NOBITS, the sample's .bss) counts its memory size.
  expect(seriesMap(samples, 'layerdelta_go_binary_section_bytes', path, 'section')).toEqual(
    new Map((b.new?.sections ?? []).map((s) => [s.name, s.fileSize === 0 ? s.memSize : s.fileSize])),
  );
  const newPackages = (b.new?.packages ?? []).map((p) => [p.name, p.bytes] as [string, number]);
  expect(seriesMap(samples, 'layerdelta_go_package_bytes', path, 'package')).toEqual(
    expectedTop(newPackages, TOP, false),
  );
  expect(seriesMap(samples, 'layerdelta_go_package_delta_bytes', path, 'package')).toEqual(
    expectedTop(
      b.packages.map((p) => [p.name, p.delta]),
      TOP,
      true,
    ),
  );
  const newModules = (b.new?.modules ?? []).map((m) => [m.name, m.bytes] as [string, number]);
  expect(seriesMap(samples, 'layerdelta_go_module_bytes', path, 'module')).toEqual(
    expectedTop(newModules, TOP, false),
  );
  const oldModules = new Map((b.old?.modules ?? []).map((m) => [m.name, m.bytes]));
  const moduleNames = new Set([...oldModules.keys(), ...newModules.map(([n]) => n)]);
  const moduleDeltas = [...moduleNames].map(
    (n) => [n, (newModules.find(([m]) => m === n)?.[1] ?? 0) - (oldModules.get(n) ?? 0)] as [string, number],
  );
  expect(seriesMap(samples, 'layerdelta_go_module_delta_bytes', path, 'module')).toEqual(
    expectedTop(moduleDeltas, TOP, true),
  );
  if (b.new) {
    const info = select(samples, 'layerdelta_go_binary_info', { path });
    expect(info).toHaveLength(1);
    const settings = new Map(b.new.buildInfo.settings.map((s) => [s.key, s.value]));
    expect(info[0]?.value).toBe(1);
    expect(info[0]?.labels).toMatchObject({
      go_version: b.new.buildInfo.goVersion,
      main_module: b.new.buildInfo.main?.path,
      cgo: settings.get('CGO_ENABLED') === '1' ? 'true' : 'false',
      stripped: String(b.new.stripped),
      trimpath: settings.get('-trimpath') === 'true' ? 'true' : 'false',
    });
  }
}

function expectImage(samples: Sample[], delta: ImageDelta) {
  expect(sampleValue(samples, 'layerdelta_image_size_bytes', { side: 'old', encoding: 'compressed' })).toBe(
    delta.old.compressedSize,
  );
  expect(sampleValue(samples, 'layerdelta_image_size_bytes', { side: 'new', encoding: 'compressed' })).toBe(
    delta.new.compressedSize,
  );
  expect(sampleValue(samples, 'layerdelta_image_delta_bytes', { encoding: 'compressed' })).toBe(
    delta.totals.compressedDelta,
  );
  for (const status of Object.keys(delta.totals.byStatus) as LayerStatus[]) {
    expect(sampleValue(samples, 'layerdelta_layers', { status })).toBe(delta.totals.byStatus[status].count);
    expect(sampleValue(samples, 'layerdelta_layer_bytes', { status })).toBe(
      delta.totals.byStatus[status].bytes,
    );
  }
  expect(sampleValue(samples, 'layerdelta_layer_significant_changes')).toBe(delta.totals.significantChanges);
}

describe('publishMetrics to a real Pushgateway', () => {
  const group = { job: 'layerdelta', repository: REPOSITORY, branch: 'main', env: 'prod' };

  it('serves every value of the report under the grouping labels', async () => {
    const delta = deltaWithTwoBinaries();
    await publishMetrics({ repository: REPOSITORY, delta, durationSeconds: 12.5 }, flags());
    const samples = await groupSamples(group);

    expectImage(samples, delta);
    expect(
      sampleValue(samples, 'layerdelta_image_size_bytes', { side: 'old', encoding: 'uncompressed' }),
    ).toBe(delta.old.uncompressedSize);
    expect(
      sampleValue(samples, 'layerdelta_image_size_bytes', { side: 'new', encoding: 'uncompressed' }),
    ).toBe(delta.new.uncompressedSize);
    expect(sampleValue(samples, 'layerdelta_image_delta_bytes', { encoding: 'uncompressed' })).toBe(
      delta.totals.uncompressedDelta,
    );
    const binaries = delta.binaries ?? [];
    expect(binaries).toHaveLength(2);
    for (const status of ['added', 'removed', 'changed', 'unchanged']) {
      expect(sampleValue(samples, 'layerdelta_go_binaries', { status })).toBe(
        binaries.filter((b) => b.status === status).length,
      );
    }
    for (const b of binaries) expectBinary(samples, b);
    expect(sampleValue(samples, 'layerdelta_run_duration_seconds')).toBe(12.5);
    expect(select(samples, 'layerdelta_last_success_timestamp_seconds')).toHaveLength(1);
    // No tag or digest anywhere in the labels.
    for (const s of samples) {
      for (const v of Object.values(s.labels)) {
        expect(v).not.toMatch(/sha256:|:v[12]$/);
      }
    }
  });

  it('replaces the group on the next push: series of a removed binary disappear', async () => {
    const delta = deltaWithOneBinary();
    await publishMetrics({ repository: REPOSITORY, delta, durationSeconds: 3 }, flags());
    const samples = await groupSamples(group);

    expectImage(samples, delta);
    expect(select(samples, 'layerdelta_image_size_bytes', { encoding: 'uncompressed' })).toHaveLength(0);
    expect(select(samples, 'layerdelta_image_delta_bytes', { encoding: 'uncompressed' })).toHaveLength(0);
    expect(samples.filter((s) => s.labels.path === '/usr/bin/helper')).toHaveLength(0);
    for (const b of delta.binaries ?? []) expectBinary(samples, b);
    expect(sampleValue(samples, 'layerdelta_run_duration_seconds')).toBe(3);
  });

  it('keeps groups apart by repository and user labels, with / and empty values in the key', async () => {
    const other = 'registry.example:5000/a/b/c';
    await publishMetrics(
      { repository: other, delta: deltaWithTwoBinaries(), durationSeconds: 1 },
      flags({ label: ['branch=feature/x-y', 'env='] }),
    );
    const res = await fetch(`${gateway.url}/api/v1/metrics`);
    const body = (await res.json()) as { data: Array<{ labels: Record<string, string> }> };
    const groups = body.data.map((g) => g.labels);
    expect(groups).toContainEqual({ job: 'layerdelta', repository: other, branch: 'feature/x-y', env: '' });
    expect(groups).toContainEqual(group);
    const samples = await groupSamples({ repository: other, branch: 'feature/x-y' });
    expect(sampleValue(samples, 'layerdelta_image_delta_bytes', { encoding: 'compressed' })).toBe(
      deltaWithTwoBinaries().totals.compressedDelta,
    );
    // The first group was not touched by this push.
    const first = await groupSamples(group);
    expect(sampleValue(first, 'layerdelta_run_duration_seconds')).toBe(3);
  });

  it('uses the --job name', async () => {
    await publishMetrics(
      { repository: REPOSITORY, delta: deltaWithOneBinary(), durationSeconds: 7 },
      flags({ job: 'nightly/scan' }),
    );
    const samples = await groupSamples({ job: 'nightly/scan', repository: REPOSITORY });
    expect(sampleValue(samples, 'layerdelta_run_duration_seconds')).toBe(7);
  });

  it('fails with MetricsPushError (exit 4), one line, no credentials, when the gateway is unreachable', async () => {
    const port = await freePort();
    const err = await publishMetrics(
      { repository: REPOSITORY, delta: deltaWithOneBinary(), durationSeconds: 1 },
      flags({ pushgateway: `http://ci-user:s3cr3t-token@127.0.0.1:${port}/` }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetricsPushError);
    const e = err as MetricsPushError;
    expect(e.exitCode).toBe(4);
    expect(e.oneLine()).not.toContain('\n');
    expect(e.oneLine()).not.toContain('s3cr3t');
    expect(e.oneLine()).not.toContain('ci-user');
    expect(e.oneLine()).toContain(`127.0.0.1:${port}`);
    expect(e.oneLine()).toContain('4 attempts');
  });

  it('reports a refusal by the gateway with its status', async () => {
    // A path that is not the Pushgateway API answers 404 (or 405): a final refusal, not retried.
    const err = await publishMetrics(
      { repository: REPOSITORY, delta: deltaWithOneBinary(), durationSeconds: 1 },
      flags({ pushgateway: `${gateway.url}/not-a-gateway/` }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetricsPushError);
    expect((err as MetricsPushError).oneLine()).toMatch(/HTTP 40\d/);
  });
});

describe('publishAllMetrics (scan) to a real Pushgateway', () => {
  // A gateway of its own: the consistency check below must not see the other tests' groups.
  let own: Pushgateway;
  beforeAll(async () => {
    own = await startPushgateway();
  });
  afterAll(async () => {
    await own?.stop();
  });

  it('pushes every other group when the gateway refuses one, then throws the refusal', async () => {
    // Another job pushed layerdelta_go_binary_info as a counter: the gateway's consistency check
    // now refuses any group that holds Go binary series, and only those.
    const res = await fetch(`${own.url}/metrics/job/intruder`, {
      method: 'PUT',
      body: '# TYPE layerdelta_go_binary_info counter\nlayerdelta_go_binary_info 1\n',
    });
    expect(res.status).toBe(200);
    const withBinaries = deltaWithTwoBinaries();
    const { binaries: _dropped, ...withoutBinaries }: ImageDelta = deltaWithOneBinary();
    const err = await publishAllMetrics(
      [
        { repository: 'scan/with-binaries', delta: withBinaries, durationSeconds: 1 },
        { repository: 'scan/without-binaries', delta: withoutBinaries, durationSeconds: 2 },
      ],
      flags({ pushgateway: own.url, label: ['env=scan'] }),
      { retries: 0 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetricsPushError);
    expect((err as MetricsPushError).oneLine()).toMatch(/HTTP 400/);
    const samples = parseExposition(await own.scrape());
    const accepted = samples.filter((s) => s.labels.repository === 'scan/without-binaries');
    expect(sampleValue(accepted, 'layerdelta_image_delta_bytes', { encoding: 'compressed' })).toBe(
      withoutBinaries.totals.compressedDelta,
    );
    // Only the gateway's own push_failure_time_seconds / push_time_seconds remain for the refused group.
    const refused = samples.filter((s) => s.labels.repository === 'scan/with-binaries');
    expect(refused.filter((s) => s.name.startsWith('layerdelta_'))).toEqual([]);
    expect(sampleValue(refused, 'push_failure_time_seconds')).toBeGreaterThan(0);
  });
});
