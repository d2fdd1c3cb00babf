import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsOptions, parseUserLabels } from '../../src/cli/metrics-flags.js';
import type { ImageDelta } from '../../src/delta/types.js';
import { UsageError } from '../../src/errors.js';
import { buildMetricsRegistry, topByChange, topBySize } from '../../src/metrics/definitions.js';
import { publishMetrics } from '../../src/metrics/publish.js';
import { groupUrl } from '../../src/metrics/pushgateway.js';
import { repositoryLabel } from '../../src/metrics/repository.js';
import { parseExposition, sampleValue, select } from './exposition.js';
import { deltaWithTwoBinaries } from './sample-delta.js';

const run = promisify(execFile);

describe('--label parsing', () => {
  it('turns k=v pairs into labels, values may hold = and / or be empty', () => {
    expect(parseUserLabels(['branch=feature/a=b', 'env='])).toEqual({ branch: 'feature/a=b', env: '' });
    expect(parseUserLabels(undefined)).toEqual({});
  });

  it.each([
    ['branch', /not of the form name=value/],
    ['=main', /not of the form name=value/],
    ['1x=a', /not a valid Prometheus label name/],
    ['__x=a', /not a valid Prometheus label name/],
    ['my-label=a', /not a valid Prometheus label name/],
    ['repository=a', /reserved/],
    ['job=a', /reserved/],
    ['path=a', /reserved/],
  ])('refuses %s with a UsageError (exit 2)', (raw, message) => {
    let caught: unknown;
    try {
      parseUserLabels([raw]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).exitCode).toBe(2);
    expect((caught as UsageError).oneLine()).toMatch(message);
  });

  it('refuses a label given twice', () => {
    expect(() => parseUserLabels(['env=a', 'env=b'])).toThrow(/given twice/);
  });

  it('metricsOptions fails fast on a bad URL or label, exit 2', () => {
    expect(() => metricsOptions({ job: 'layerdelta', top: 20, pushgateway: 'not a url' })).toThrow(
      UsageError,
    );
    expect(() => metricsOptions({ job: 'layerdelta', top: 20, pushgateway: 'ftp://h/' })).toThrow(UsageError);
    expect(() => metricsOptions({ job: 'layerdelta', top: 20, label: ['x'] })).toThrow(UsageError);
    expect(() =>
      metricsOptions({ job: 'layerdelta', top: 20, pushgateway: 'http://h:9091', label: ['a=b'] }),
    ).not.toThrow();
  });
});

describe('Pushgateway grouping URL', () => {
  // Expected encodings computed with `printf %s VALUE | base64 | tr '+/' '-_' | tr -d =`.
  it('base64url-encodes every grouping value, = for empty, keeps a base path', () => {
    const url = groupUrl(new URL('https://user:pw@gw.example/prefix/'), 'layerdelta', {
      repository: '127.0.0.1:5000/team/app',
      branch: 'x/??',
      env: '',
    });
    expect(url.pathname).toBe(
      '/prefix/metrics/job/layerdelta/repository@base64/MTI3LjAuMC4xOjUwMDAvdGVhbS9hcHA/branch@base64/eC8_Pw/env@base64/=',
    );
  });

  it('encodes a job name that is not a plain word', () => {
    const url = groupUrl(new URL('http://gw:9091'), 'nightly/scan', { repository: 'r' });
    expect(url.pathname).toBe('/metrics/job@base64/bmlnaHRseS9zY2Fu/repository@base64/cg');
  });
});

describe('repositoryLabel', () => {
  it.each([
    [
      { transport: 'registry', registry: '127.0.0.1:5000', repository: 'team/app', tag: 'v2' },
      '127.0.0.1:5000/team/app',
    ],
    [
      { transport: 'registry', registry: 'docker.io', repository: 'library/alpine', digest: 'sha256:ab' },
      'docker.io/library/alpine',
    ],
    [{ transport: 'oci', path: '/tmp/layouts/basic/', tag: 'v1' }, 'basic'],
    [
      { transport: 'docker-archive', path: '/tmp/x/app-v1.tar', tag: 'localhost:5000/team/app:v1' },
      'localhost:5000/team/app',
    ],
    [{ transport: 'docker-archive', path: '/tmp/x/app-v1.tar' }, 'app-v1'],
  ] as const)('%o → %s', (ref, expected) => {
    expect(repositoryLabel(ref)).toBe(expected);
  });
});

describe('metric definitions', () => {
  it('keeps the top N and sums the rest as other', () => {
    const shares = [
      { name: 'a', bytes: 10, functions: 1 },
      { name: 'b', bytes: 30, functions: 1 },
      { name: 'c', bytes: 20, functions: 1 },
      { name: 'd', bytes: 5, functions: 1 },
    ];
    expect(topBySize(shares, 2)).toEqual([
      ['b', 30],
      ['c', 20],
      ['other', 15],
    ]);
    expect(topBySize(shares, 4)).toHaveLength(4);
    const deltas = [
      { name: 'x', oldBytes: 0, newBytes: 0, delta: -50 },
      { name: 'y', oldBytes: 0, newBytes: 0, delta: 40 },
      { name: 'z', oldBytes: 0, newBytes: 0, delta: 0 },
      { name: 'w', oldBytes: 0, newBytes: 0, delta: 3 },
      { name: 'v', oldBytes: 0, newBytes: 0, delta: -1 },
    ];
    expect(topByChange(deltas, 2)).toEqual([
      ['x', -50],
      ['y', 40],
      ['other', 2],
    ]);
  });

  it('has no Go series when binaries were not analysed, and every layer status even when zero', async () => {
    const { binaries: _dropped, ...delta }: ImageDelta = deltaWithTwoBinaries();
    const registry = buildMetricsRegistry([{ repository: 'r', delta }], {
      labels: { env: 'ci' },
      topN: 20,
      durationSeconds: 1,
    });
    const samples = parseExposition(await registry.metrics());
    expect(samples.filter((s) => s.name.startsWith('layerdelta_go_'))).toHaveLength(0);
    expect(select(samples, 'layerdelta_layers')).toHaveLength(4);
    expect(sampleValue(samples, 'layerdelta_layers', { status: 'removed' })).toBe(0);
    for (const s of samples) expect(s.labels).toMatchObject({ repository: 'r', env: 'ci' });
  });
});

describe('--metrics-file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'layerdelta-metrics-file-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes OpenMetrics text that promtool accepts, with the report values', async () => {
    const file = join(dir, 'metrics.txt');
    const delta = deltaWithTwoBinaries();
    await publishMetrics(
      { repository: 'ghcr.io/acme/app', delta, durationSeconds: 9 },
      metricsOptions({ job: 'layerdelta', top: 20, label: ['branch=main'], 'metrics-file': file }),
    );
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('# EOF\n')).toBe(true);
    const check = await run('sh', ['-c', `promtool check metrics < '${file}'`]).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    );
    expect(check.out).toBe('');
    expect(check.code).toBe(0);
    const samples = parseExposition(text);
    expect(sampleValue(samples, 'layerdelta_image_delta_bytes', { encoding: 'compressed' })).toBe(
      delta.totals.compressedDelta,
    );
    expect(sampleValue(samples, 'layerdelta_run_duration_seconds', { branch: 'main' })).toBe(9);
  });

  it('writes nothing and pushes nothing without --metrics-file and --pushgateway', async () => {
    const file = join(dir, 'never.txt');
    await publishMetrics(
      { repository: 'r', delta: deltaWithTwoBinaries(), durationSeconds: 1 },
      metricsOptions({ job: 'layerdelta', top: 20 }),
    );
    await expect(stat(file)).rejects.toThrow();
  });

  it('an unwritable file is a UsageError (exit 2) naming the file', async () => {
    const file = join(dir, 'missing-dir', 'metrics.txt');
    const err = await publishMetrics(
      { repository: 'r', delta: deltaWithTwoBinaries(), durationSeconds: 1 },
      metricsOptions({ job: 'layerdelta', top: 20, 'metrics-file': file }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).oneLine()).toContain(file);
    expect((err as UsageError).oneLine()).toContain('ENOENT');
  });
});
