import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { toleranceFlag } from '../../src/cli/report-flags.js';
import type { ScanReport } from '../../src/registry-scan/run.js';
import { resolveShard } from '../../src/registry-scan/shard.js';
import { ensureBuilt, ROOT, runCli } from '../commands/cli.js';
import { expectFailure } from '../support/failure.js';
import { freePort } from '../support/process.js';
import { type Pushgateway, startPushgateway } from '../support/pushgateway.js';
import { startRegistry, type TestRegistry } from '../support/registry.js';
import { type SeededRegistry, seedRegistry } from './seed.js';

/** The parts of deploy/kubernetes/scan-job.yaml the example test reads. */
interface KubernetesObject {
  kind: string;
  spec: {
    completionMode?: string;
    completions?: number;
    template?: {
      spec: {
        containers: Array<{
          command: string[];
          env: Array<{ name: string; value: string }>;
          volumeMounts: Array<{ name: string; mountPath: string }>;
        }>;
      };
    };
  };
}

/** The groups the Pushgateway holds, from its own API: grouping labels of each. */
async function gatewayGroups(gateway: Pushgateway): Promise<Array<Record<string, string>>> {
  const response = await fetch(`${gateway.url}/api/v1/metrics`);
  const body = (await response.json()) as { data: Array<{ labels: Record<string, string> }> };
  return body.data.map((group) => group.labels);
}

// Every test starts node processes on a machine that may be busy with other suites: generous timeouts.
const CLI_TEST_TIMEOUT = 240_000;

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

  it(
    'writes the JSON report, pushes one group per compared repository, and exits 3 for a partial scan',
    async () => {
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
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'prints a table and a summary line on stdout, nothing on stderr off a TTY, and exits 0',
    async () => {
      const run = await runCli(
        ['scan', registry.host, '--repository', 'shared/**', '--repository', 'solo/*'],
        {
          timeoutMs: 120_000,
          env: { XDG_CACHE_HOME: join(dir, 'cache') },
        },
      );
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
      const lines = run.stdout.split('\n');
      expect(lines[0]).toBe(
        `Scan of ${registry.host}, newest image against the one before it (--pair semver)`,
      );
      expect(lines.filter((l) => /^shared\/svc-\d\d\s+1\.0\.0 → 1\.1\.0\s/.test(l))).toHaveLength(6);
      expect(run.stdout).toMatch(/^solo\/one-tag\s.*skipped: fewer than two distinct images/m);
      expect(run.stdout).toMatch(/^7 repositories: 6 compared, 1 skipped, 0 failed; layer blobs: /m);
      expect(run.stdout).not.toContain('PARTIAL');
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'still writes the report when the Pushgateway is unreachable, and exits 4',
    async () => {
      // shared/svc-01, scanned already into this cache by the table test: the push is what is tested.
      const closed = await freePort();
      const run = await runCli(
        [
          'scan',
          registry.host,
          '--repository',
          'shared/svc-01',
          '--json',
          '--pushgateway',
          `http://127.0.0.1:${closed}`,
        ],
        { timeoutMs: 120_000, env: { XDG_CACHE_HOME: join(dir, 'cache') } },
      );
      expect(run.status, run.stderr).toBe(4);
      expect((JSON.parse(run.stdout) as ScanReport).summary).toMatchObject({ compared: 1, failed: 0 });
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'exits 3 when repositories failed and the push failed too (the partial scan wins), saying both',
    async () => {
      const closed = await freePort();
      const run = await runCli(
        [
          'scan',
          registry.host,
          '--repository',
          'shared/svc-01',
          '--repository',
          'broken/blob',
          '--json',
          '--pushgateway',
          `http://127.0.0.1:${closed}`,
        ],
        { timeoutMs: 120_000, env: { XDG_CACHE_HOME: join(dir, 'cache') } },
      );
      expect(run.status, run.stderr).toBe(3);
      expect((JSON.parse(run.stdout) as ScanReport).summary).toMatchObject({ compared: 1, failed: 1 });
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(new RegExp(`^layerdelta: .*127\\.0\\.0\\.1:${closed}`));
      expect(lines[1]).toMatch(/^layerdelta: partial scan: 1 of 2 repositories failed/);
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'refuses bad input with exit 2 and one line',
    async () => {
      // Through the CLI: a bad argument, an oclif option error, and a file that fails mid-run.
      const bad = [
        [['scan', `http://${registry.host}/v2`], /invalid registry/],
        [['scan', registry.host, '--pair', 'newest'], /--pair|Expected/],
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
      // The same path (a UsageError the command throws before any work, said by BaseCommand.catch),
      // checked in-process at the functions that decide: --shard, the Job's environment, --tolerance.
      const decisions = [
        [() => resolveShard('3/3', {}), /invalid --shard "3\/3"/],
        [() => resolveShard(undefined, { JOB_COMPLETION_INDEX: '0' }), /JOB_COMPLETIONS/],
        [() => toleranceFlag('lots'), /--tolerance/],
      ] as const;
      for (const [decide, message] of decisions) await expectFailure(decide, 2, message);
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'runs the Kubernetes Indexed Job example as written: its shards cover the selection once, sharing one cache',
    async () => {
      const docs = parseAllDocuments(readFileSync(join(ROOT, 'deploy/kubernetes/scan-job.yaml'), 'utf8')).map(
        (d) => d.toJS() as KubernetesObject,
      );
      const job = docs.find((d) => d.kind === 'Job')!;
      expect(job.spec.completionMode).toBe('Indexed');
      const container = job.spec.template!.spec.containers[0]!;
      const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));
      expect(Number(env.JOB_COMPLETIONS)).toBe(job.spec.completions);
      const command = container.command as string[];
      const args = command.slice(command.indexOf('layerdelta') + 1);
      const mountPath = (name: string) =>
        (container.volumeMounts as Array<{ name: string; mountPath: string }>).find((m) => m.name === name)!
          .mountPath;
      expect(args[args.indexOf('--cache-dir') + 1]).toBe(mountPath('cache'));
      // Our registry, Pushgateway and a local cache directory stand in for the cluster's; team/** for shared/**.
      const local = args.map((arg) =>
        arg === 'registry.example.com'
          ? registry.host
          : arg.startsWith('http://pushgateway')
            ? gateway.url
            : arg === mountPath('cache')
              ? join(dir, 'k8s-cache')
              : arg === 'team/**'
                ? 'shared/**'
                : arg,
      );
      const runs = await Promise.all(
        Array.from({ length: job.spec.completions ?? 1 }, (_, index) =>
          runCli(local, {
            timeoutMs: 180_000,
            env: { JOB_COMPLETION_INDEX: String(index), JOB_COMPLETIONS: env.JOB_COMPLETIONS },
          }),
        ),
      );
      const names = runs.flatMap((run) => {
        expect(run.status, run.stderr).toBe(0);
        return (JSON.parse(run.stdout) as ScanReport).repositories.map((r) => r.repository);
      });
      const shared = seeded.repositories.map((r) => r.name).filter((n) => n.startsWith('shared/'));
      expect(names.sort()).toEqual(shared);
      const groups = await gatewayGroups(gateway);
      for (const name of shared) {
        const group = groups.find((g) => g.repository === `${registry.host}/${name}` && g.env === 'prod');
        expect(group, name).toMatchObject({ job: 'layerdelta' });
      }
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'takes repository names from --repositories-file',
    async () => {
      const file = join(dir, 'repos.txt');
      writeFileSync(file, '# scanned nightly\nshared/svc-01\n\nodd/versions  # tags out of order\n');
      const run = await runCli(['scan', registry.host, '--json', '--repositories-file', file], {
        timeoutMs: 120_000,
        env: { XDG_CACHE_HOME: join(dir, 'cache') },
      });
      expect(run.status, run.stderr).toBe(0);
      const report = JSON.parse(run.stdout) as ScanReport;
      expect(report.repositories.map((r) => r.repository)).toEqual(['odd/versions', 'shared/svc-01']);
    },
    CLI_TEST_TIMEOUT,
  );
});
