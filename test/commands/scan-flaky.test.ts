/**
 * A scan of 300 repositories on a registry that answers 10% of requests with 503 or 429 (the fault
 * proxy, seeded), through the built CLI: every repository is reported (compared) or listed as failed,
 * the exit code says which (3 for a partial scan), and peak memory stays bounded (GNU time's max RSS).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '../../src/registry-scan/run.js';
import {
  mountImage,
  pushImage,
  type RegistryProxy,
  startProxy,
  startRegistry,
  type TestRegistry,
  tarLayer,
} from '../support/registry.js';
import { ensureBuilt, ROOT } from './cli.js';

const REPOSITORIES = 300;
/** One repository the registry always fails: the partial-scan path is taken on every run. */
const BROKEN = 'flaky/r042';
/** Generous: a scan of 300 small repositories needs a small fraction of it (Node itself is ~60 MB). */
const MAX_RSS_KB = 400 * 1024;

let registry: TestRegistry;
let proxy: RegistryProxy;
const names = Array.from({ length: REPOSITORIES }, (_, i) => `flaky/r${String(i).padStart(3, '0')}`);

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

/** The CLI under GNU time: its output, exit code and peak RSS in kB. */
async function scanWithMaxRss(
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string; maxRssKb: number }> {
  const child = spawn(
    '/usr/bin/time',
    ['-f', 'maxrss-kb=%M', process.execPath, join(ROOT, 'bin', 'run.js'), ...args],
    {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 400_000);
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const rss = /maxrss-kb=(\d+)\s*$/.exec(stderr);
  // GNU time reports the child's exit as its own, and adds a "Command exited" line when non-zero.
  const ours = stderr
    .replace(/maxrss-kb=\d+\s*$/, '')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('Command exited with non-zero status'));
  return { status, stdout, stderr: ours.join('\n'), maxRssKb: Number(rss?.[1] ?? Number.NaN) };
}

beforeAll(async () => {
  await ensureBuilt();
  registry = await startRegistry();
  // One repository is pushed; the others mount its blobs (the registry's cross-repository mount) and
  // get the same two manifests: six small requests per repository instead of fifteen with uploads.
  const [first, ...others] = names as [string, ...string[]];
  const base = await tarLayer({ 'etc/os-release': 'ID=flaky' });
  const app = await tarLayer({ 'app/version': '1.1.0' });
  const v1 = await pushImage(registry, first, 'v1.0.0', { layers: [base] });
  const v2 = await pushImage(registry, first, 'v1.1.0', { layers: [base, app] });
  await inBatches(others, 12, async (name) => {
    await mountImage(registry, first, name, 'v1.0.0', v1);
    await mountImage(registry, first, name, 'v1.1.0', v2);
  });
  proxy = await startProxy(registry.url, { randomFaults: { fraction: 0.1, statuses: [503, 429], seed: 14 } });
  proxy.failNext(1e9, 503, { match: new RegExp(`^/v2/${BROKEN}/`) });
}, 600_000);

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
});

describe('a scan of 300 repositories on a registry failing 10% of requests', () => {
  it('reports every repository or lists it as failed, exits 3, with bounded memory', async () => {
    const run = await scanWithMaxRss(['scan', proxy.host, '--json', '--no-cache', '--concurrency', '8']);
    const report = JSON.parse(run.stdout) as ScanReport;
    expect(report.repositories.map((r) => r.repository)).toEqual(names);
    const failed = report.repositories.filter((r) => r.status === 'failed').map((r) => r.repository);
    expect(failed).toContain(BROKEN);
    // Retries get the others through; each is compared or (one in a great many) failed, never missing.
    for (const result of report.repositories) expect(['compared', 'failed']).toContain(result.status);
    expect(report.summary).toMatchObject({
      repositories: REPOSITORIES,
      failed: failed.length,
      partial: true,
    });
    expect(run.status).toBe(3);
    expect(run.stderr.split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      new RegExp(`partial scan: ${failed.length} of ${REPOSITORIES} repositories failed`),
    );
    // The proxy really was flaky: about 10% of what it saw was refused.
    const refused = proxy.requests.filter((r) => r.status === 503 || r.status === 429).length;
    expect(refused / proxy.requests.length).toBeGreaterThan(0.05);
    expect(run.maxRssKb).toBeLessThan(MAX_RSS_KB);
    process.stdout.write(
      `scan of ${REPOSITORIES} repositories: ${proxy.requests.length} requests, ${refused} refused, peak RSS ${Math.round(run.maxRssKb / 1024)} MB\n`,
    );
  }, 600_000);
});
