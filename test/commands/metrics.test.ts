/**
 * compare and check push their metrics after the report: values on a real Pushgateway equal the JSON
 * report's, the group is the repository (+ --label), and a push that fails exits 4 with the report whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageDelta } from '../../src/delta/types.js';
import { freePort } from '../support/process.js';
import { type Pushgateway, startPushgateway } from '../support/pushgateway.js';
import { ensureBuilt, runCli } from './cli.js';

const OLD = 'oci:fixtures/demo:v1';
const NEW = 'oci:fixtures/demo:v2';

/** The value of one series in Pushgateway's exposition, found by its name and label subset. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

describe('metrics from compare and check', { timeout: 180_000 }, () => {
  let gateway: Pushgateway;

  beforeAll(async () => {
    await ensureBuilt();
    gateway = await startPushgateway();
  });
  afterAll(async () => gateway.stop());

  it('compare pushes one group whose values are the report’s', async () => {
    const result = await runCli([
      'compare',
      OLD,
      NEW,
      '--json',
      '--no-cache',
      '--pushgateway',
      gateway.url,
      '--label',
      'branch=main',
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as ImageDelta;
    const text = await gateway.scrape();
    const group = { repository: 'demo', branch: 'main', job: 'layerdelta' };
    expect(sample(text, 'layerdelta_image_delta_bytes', { ...group, encoding: 'compressed' })).toBe(
      report.totals.compressedDelta,
    );
    expect(sample(text, 'layerdelta_image_delta_bytes', { ...group, encoding: 'uncompressed' })).toBe(
      report.totals.uncompressedDelta,
    );
    for (const status of ['new', 'removed', 'reused', 'changed'] as const) {
      expect(sample(text, 'layerdelta_layers', { ...group, status })).toBe(
        report.totals.byStatus[status].count,
      );
    }
    const app = report.binaries!.find((b) => b.path === '/usr/local/bin/app')!;
    expect(sample(text, 'layerdelta_go_binary_delta_bytes', { ...group, path: '/usr/local/bin/app' })).toBe(
      app.delta,
    );
  });

  it('check exits 1 for the threshold and still pushes; an unreachable gateway alone exits 4 after the report', async () => {
    const crossed = await runCli([
      'check',
      NEW,
      '--baseline',
      OLD,
      '--max-growth',
      '10%',
      '--no-cache',
      '--pushgateway',
      gateway.url,
      '--label',
      'branch=check',
    ]);
    expect(crossed.status).toBe(1);
    expect(
      sample(await gateway.scrape(), 'layerdelta_layers', {
        repository: 'demo',
        branch: 'check',
        status: 'reused',
      }),
    ).toBeDefined();

    const closed = `http://127.0.0.1:${await freePort()}`;
    const failed = await runCli([
      'check',
      NEW,
      '--baseline',
      OLD,
      '--json',
      '--no-cache',
      '--pushgateway',
      closed,
    ]);
    expect(failed.status).toBe(4);
    const report = JSON.parse(failed.stdout) as ImageDelta;
    expect(report.schemaVersion).toBe(1);
    const lines = failed.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^layerdelta: .*127\.0\.0\.1/);
  });

  it('check with a crossed threshold and an unreachable gateway exits 1 (the verdict wins), the push failure on stderr', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const both = await runCli([
      'check',
      NEW,
      '--baseline',
      OLD,
      '--max-growth',
      '10%',
      '--json',
      '--no-cache',
      '--pushgateway',
      closed,
    ]);
    expect(both.status).toBe(1);
    const report = JSON.parse(both.stdout) as ImageDelta & { check: { passed: boolean } };
    expect(report.check.passed).toBe(false);
    const lines = both.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^layerdelta: .*127\.0\.0\.1/);
  });
});
