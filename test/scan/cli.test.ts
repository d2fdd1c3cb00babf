import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/scan/run.js';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { freePort } from '../support/process.js';
import { type Pushgateway, startPushgateway } from '../support/pushgateway.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { type SeededRegistry, seedRegistry } from './seed.js';

/** The groups the Pushgateway holds, from its own API: grouping labels of each. */
async function gatewayGroups(gateway: Pushgateway): Promise<Array<Record<string, string>>> {
  const response = await fetch(`${gateway.url}/api/v1/metrics`);
  const body = (await response.json()) as { data: Array<{ labels: Record<string, string> }> };
  return body.data.map((group) => group.labels);
}

describe('layerdelta scan (the built CLI)', () => {
  let registry: TestRegistry;
  let gateway: Pushgateway;
  let seeded: SeededRegistry;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'layerdelta-scan-cli-'));
    [registry, gateway] = await Promise.all([startRegistry(), startPushgateway(), ensureBuilt()]);
    seeded = await seedRegistry(registry, 6);
  }, 240_000);

  afterAll(async () => {
    await registry?.stop();
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the JSON report, pushes one group per compared repository, and exits 3 for a partial scan', async () => {
    const reportFile = join(dir, 'scan.json');
    const run = await runCli(
      [
        'scan',
        registry.host,
        '--json',
        '--no-cache',
        '--report-file',
        reportFile,
        '--pushgateway',
        gateway.url,
        '--label',
        'env=test',
      ],
      { timeoutMs: 180_000 },
    );
    expect(run.status, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/partial scan: 1 of \d+ repositories failed/);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const report = JSON.parse(run.stdout) as ScanReport;
    expect(readFileSync(reportFile, 'utf8')).toBe(run.stdout);
    expect(report.schemaVersion).toBe(1);
    expect(report.repositories.map((r) => [r.repository, r.status])).toEqual(
      seeded.repositories.map((r) => [r.name, r.expect]),
    );
    expect(report.summary.partial).toBe(true);

    const compared = seeded.repositories.filter((r) => r.expect === 'compared').map((r) => r.name);
    const groups = await gatewayGroups(gateway);
    expect(groups.map((g) => g.repository).sort()).toEqual(
      compared.map((name) => `${registry.host}/${name}`),
    );
    for (const group of groups) expect(group).toMatchObject({ job: 'layerdelta', env: 'test' });
  });

  it('prints a table and a summary line on stdout, nothing on stderr off a TTY, and exits 0', async () => {
    const run = await runCli(['scan', registry.host, '--repository', 'shared/**', '--repository', 'solo/*'], {
      timeoutMs: 120_000,
      env: { XDG_CACHE_HOME: join(dir, 'cache') },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe(`Scan of ${registry.host}, newest image against the one before it (--pair semver)`);
    expect(lines.filter((l) => /^shared\/svc-\d\d\s+1\.0\.0 → 1\.1\.0\s/.test(l))).toHaveLength(6);
    expect(run.stdout).toMatch(/^solo\/one-tag\s.*skipped: fewer than two distinct images/m);
    expect(run.stdout).toMatch(/^7 repositories: 6 compared, 1 skipped, 0 failed; layer blobs: /m);
    expect(run.stdout).not.toContain('PARTIAL');
  });

  it('still writes the report when the Pushgateway is unreachable, and exits 4', async () => {
    const closed = await freePort();
    const run = await runCli(
      [
        'scan',
        registry.host,
        '--repository',
        'go/app-0',
        '--json',
        '--pushgateway',
        `http://127.0.0.1:${closed}`,
      ],
      { timeoutMs: 120_000, env: { XDG_CACHE_HOME: join(dir, 'cache') } },
    );
    expect(run.status, run.stderr).toBe(4);
    expect((JSON.parse(run.stdout) as ScanReport).summary).toMatchObject({ compared: 1, failed: 0 });
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('reads the shard from a Kubernetes Indexed Job and refuses bad input with exit 2 and one line', async () => {
    const viaEnv = await runCli(['scan', registry.host, '--json', '--repository', 'shared/**'], {
      timeoutMs: 120_000,
      env: { JOB_COMPLETION_INDEX: '1', JOB_COMPLETIONS: '2', XDG_CACHE_HOME: join(dir, 'cache') },
    });
    expect(viaEnv.status, viaEnv.stderr).toBe(0);
    expect((JSON.parse(viaEnv.stdout) as ScanReport).shard).toEqual({ index: 1, count: 2 });

    const bad = [
      [['scan', registry.host, '--shard', '3/3'], /invalid --shard "3\/3"/],
      [['scan', `http://${registry.host}/v2`], /invalid registry/],
      [['scan', registry.host, '--pair', 'newest'], /--pair|Expected/],
      [['scan', registry.host, '--tolerance', 'lots'], /--tolerance/],
      [
        ['scan', registry.host, '--repositories-file', join(dir, 'missing.txt')],
        /cannot read --repositories-file/,
      ],
    ] as const;
    // Independent runs: at once, so the slow part (starting node) overlaps.
    const runs = await Promise.all(bad.map(([args]) => runCli([...args], { timeoutMs: 60_000 })));
    for (const [i, [args, message]] of bad.entries()) {
      const run = runs[i]!;
      expect(run.status, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
      expect(run.stdout).toBe('');
    }
    const orphan = await runCli(['scan', registry.host], { env: { JOB_COMPLETION_INDEX: '0' } });
    expect(orphan.status).toBe(2);
    expect(orphan.stderr).toMatch(/JOB_COMPLETIONS/);
  });

  it('takes repository names from --repositories-file', async () => {
    const file = join(dir, 'repos.txt');
    writeFileSync(file, '# scanned nightly\nshared/svc-01\n\nodd/versions  # tags out of order\n');
    const run = await runCli(['scan', registry.host, '--json', '--repositories-file', file], {
      timeoutMs: 120_000,
      env: { XDG_CACHE_HOME: join(dir, 'cache') },
    });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as ScanReport;
    expect(report.repositories.map((r) => r.repository)).toEqual(['odd/versions', 'shared/svc-01']);
  });
});
