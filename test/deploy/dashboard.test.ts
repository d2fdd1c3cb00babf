/**
 * The Grafana dashboard against real servers: layerdelta pushes to a real Pushgateway, a real
 * Prometheus scrapes it (honor_labels: true), and every panel query and variable query of
 * deploy/grafana/layerdelta.json, with its variables substituted, must return data. The same
 * Prometheus loads the alert rules and scrapes the --metrics-file served as OpenMetrics.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdviceItem } from '../../src/advice/types.js';
import { type MetricsFlagValues, metricsOptions } from '../../src/cli/metrics-flags.js';
import type { ImageDelta } from '../../src/delta/types.js';
import { type PublishOptions, publishAllMetrics, publishMetrics } from '../../src/metrics/publish.js';
import { deltaWithOneBinary, deltaWithTwoBinaries, withFilesAndPackages } from '../metrics/sample-delta.js';
import { type Prometheus, startPrometheus } from '../support/prometheus.js';
import { type Pushgateway, startPushgateway } from '../support/pushgateway.js';

/** A's report carries advice (as compare's does unless --no-advice), so the savable-bytes series exist. */
function withAdvice(delta: ImageDelta): ImageDelta {
  const advice: AdviceItem[] = [
    {
      rule: 'go-strip',
      title: '/usr/local/bin/app carries DWARF and a symbol table',
      savableBytes: 1_234_567,
      measure: 'measured',
      change: 'go build -ldflags="-s -w"',
      evidence: ['.debug_* 1.2 MB'],
    },
  ];
  return { ...delta, advice };
}

const DASHBOARD = resolve('deploy/grafana/layerdelta.json');
const RULES = resolve('deploy/prometheus/layerdelta.rules.yml');
/** Grafana's syntax for the datasource template variable (a plain string, not a JS template). */
const DATASOURCE_VARIABLE = ['$', '{datasource}'].join('');

interface Target {
  expr: string;
  refId: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query: string };
  allValue?: string;
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

const A = { repository: '127.0.0.1:5000/team/app', labels: ['branch=main', 'env=prod'] };
const B = { repository: 'docker.io/library/alpine', labels: ['branch=release/1.x', 'env=staging'] };

let gateway: Pushgateway;
let prometheus: Prometheus;
let fileServer: Server;
let dir: string;
let dashboard: Dashboard;

function flags(labels: string[], extra: Partial<MetricsFlagValues> = {}): PublishOptions {
  return metricsOptions({ pushgateway: gateway.url, job: 'layerdelta', label: labels, top: 3, ...extra });
}

/**
 * Grafana's Prometheus formatting of a multi-value variable inside `=~"..."`: regex metacharacters
 * escaped with a backslash that is itself escaped for the PromQL string, values joined as (a|b).
 */
function regexValue(values: string[]): string {
  const escaped = values.map((v) => v.replace(/[\\^$.|?*+()[\]{}]/g, '\\\\$&'));
  return escaped.length === 1 ? (escaped[0] ?? '') : `(${escaped.join('|')})`;
}

function substitute(expr: string, vars: Record<string, string>): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => vars[name] ?? whole);
}

beforeAll(async () => {
  dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as Dashboard;
  dir = await mkdtemp(join(tmpdir(), 'layerdelta-dashboard-'));
  gateway = await startPushgateway();

  // Repository A with two binaries (Go 1.23 and 1.19), B with one (Go 1.23) and an image that grew
  // by 20 MiB, so that the static growth alert fires for B only.
  await publishMetrics(
    {
      repository: A.repository,
      delta: withAdvice(withFilesAndPackages(deltaWithTwoBinaries())),
      durationSeconds: 2,
    },
    flags(A.labels),
  );
  const grown = deltaWithOneBinary();
  grown.totals.compressedDelta = 20 * 1024 * 1024;
  await publishMetrics({ repository: B.repository, delta: grown, durationSeconds: 4 }, flags(B.labels));

  // The --metrics-file of a scan over both repositories, served as OpenMetrics for Prometheus's strict parser.
  const metricsFile = join(dir, 'metrics.txt');
  await publishAllMetrics(
    [
      { repository: 'file/one', delta: deltaWithTwoBinaries(), durationSeconds: 1 },
      { repository: 'file/two', delta: deltaWithOneBinary(), durationSeconds: 2 },
    ],
    metricsOptions({ job: 'layerdelta', label: ['env=ci'], top: 3, 'metrics-file': metricsFile }),
  );
  const fileBody = await readFile(metricsFile);
  fileServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
    res.end(fileBody);
  });
  await new Promise<void>((r) => fileServer.listen(0, '127.0.0.1', r));
  const address = fileServer.address();
  const filePort = typeof address === 'object' && address ? address.port : 0;

  prometheus = await startPrometheus({
    scrapeTargets: [
      { address: new URL(gateway.url).host, job: 'pushgateway' },
      { address: `127.0.0.1:${filePort}`, job: 'metrics-file' },
    ],
    ruleFiles: [RULES],
  });
  const ready = await prometheus.waitFor('layerdelta_go_binary_info{job="layerdelta"}', 30_000);
  if (ready.length === 0) throw new Error('Prometheus did not scrape the Pushgateway');
}, 90_000);

afterAll(async () => {
  await prometheus?.stop();
  await gateway?.stop();
  await new Promise((r) => (fileServer ? fileServer.close(r) : r(undefined)));
  if (dir) await rm(dir, { recursive: true, force: true });
});

function panelTargets(): Array<{ panel: Panel; target: Target }> {
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));
}

describe('Grafana dashboard deploy/grafana/layerdelta.json', () => {
  it('is importable: uid, title, schemaVersion, unique panel ids, every query on the datasource variable', () => {
    expect(dashboard.uid).toBe('layerdelta');
    expect(dashboard.title).toBeTruthy();
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const names = dashboard.templating.list.map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(['datasource', 'repository', 'branch', 'env', 'filters']));
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')?.type).toBe('datasource');
    expect(dashboard.templating.list.find((v) => v.name === 'filters')?.type).toBe('adhoc');
    for (const { panel, target } of panelTargets()) {
      expect(panel.datasource?.uid, panel.title).toBe(DATASOURCE_VARIABLE);
      expect(target.datasource?.uid, panel.title).toBe(DATASOURCE_VARIABLE);
      expect(target.expr, panel.title).toMatch(/\$repository/);
    }
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join('\n');
    for (const wanted of [
      'image size trend',
      'delta per push',
      'layers by status',
      'go binary sizes',
      'go versions',
      'top package growth',
      'top module growth',
      'go binaries by repository × go version',
    ]) {
      expect(titles).toContain(wanted);
    }
  });

  it('every variable query returns the pushed label values', async () => {
    const queries = dashboard.templating.list.filter((v) => v.type === 'query');
    expect(queries.length).toBeGreaterThan(0);
    for (const variable of queries) {
      const raw = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
      const m = /^label_values\((.+),\s*(\w+)\)$/.exec(raw.trim());
      expect(m, raw).not.toBeNull();
      const selector = substitute(m![1]!, { repository: regexValue([A.repository, B.repository]) });
      const label = m![2]!;
      const res = await fetch(
        `${prometheus.url}/api/v1/label/${label}/values?${new URLSearchParams({ 'match[]': selector })}`,
      );
      const body = (await res.json()) as { status: string; data: string[] };
      expect(body.status).toBe('success');
      const wanted = {
        repository: [A.repository, B.repository],
        branch: ['main', 'release/1.x'],
        env: ['prod', 'staging'],
      }[label];
      expect(wanted, `no expectation for variable ${label}`).toBeDefined();
      expect(body.data).toEqual(expect.arrayContaining(wanted ?? []));
    }
  });

  it.each([
    ['All selected', { repository: '.*', branch: '.*', env: '.*' }],
    ['both repositories', { repository: regexValue([A.repository, B.repository]), branch: '.*', env: '.*' }],
    [
      'one repository and its labels',
      { repository: regexValue([A.repository]), branch: 'main', env: 'prod' },
    ],
  ])('every panel query returns data (%s)', async (_name, vars) => {
    const empty: string[] = [];
    for (const { panel, target } of panelTargets()) {
      const expr = substitute(target.expr, vars);
      expect(expr).not.toMatch(/\$/);
      const result = await prometheus.query(expr);
      if (result.length === 0) empty.push(`${panel.title}: ${expr}`);
    }
    expect(empty).toEqual([]);
  });

  it('shows bytes in SI units (kB, MB), as the CLI and the alert texts do', async () => {
    const text = await readFile('deploy/grafana/layerdelta.json', 'utf8');
    const units = [...text.matchAll(/"unit": "(\w+)"/g)].map((m) => m[1]);
    expect(units).toContain('decbytes');
    expect(units).not.toContain('bytes'); // Grafana's "bytes" is KiB/MiB
  });

  it('the top-growth panels leave out the `other` row (it is the sum of everything else)', () => {
    for (const [title, label] of [
      ['top package growth', 'package'],
      ['top module growth', 'module'],
    ] as const) {
      const panel = dashboard.panels.find((p) => p.title.toLowerCase().startsWith(title));
      expect(panel?.targets?.[0]?.expr, title).toContain(`${label}!="other"`);
    }
  });

  it('the heatmap query counts Go binaries per repository and Go version', async () => {
    const heatmap = dashboard.panels.find((p) =>
      p.title.toLowerCase().startsWith('go binaries by repository'),
    );
    const expr = substitute(heatmap?.targets?.[0]?.expr ?? '', { repository: '.*', branch: '.*', env: '.*' });
    const cells = (await prometheus.query(expr)).filter((s) => s.metric.job !== 'metrics-file');
    const byCell = Object.fromEntries(
      cells.map((s) => [`${s.metric.repository} ${s.metric.go_version}`, Number(s.value[1])]),
    );
    const expected: Record<string, number> = {};
    for (const [repository, delta] of [
      [A.repository, deltaWithTwoBinaries()],
      [B.repository, deltaWithOneBinary()],
    ] as const) {
      for (const b of delta.binaries ?? []) {
        if (!b.new) continue;
        const key = `${repository} ${b.new.buildInfo.goVersion}`;
        expected[key] = (expected[key] ?? 0) + 1;
      }
    }
    expect(byCell).toMatchObject(expected);
  });
});

describe('docs/metrics.md', () => {
  it('the "Binary sizes by Go version" join holds for a repository pushed with two branch labels', async () => {
    const repository = 'registry.example/two-branches';
    for (const branch of ['main', 'feature-y']) {
      await publishMetrics(
        { repository, delta: deltaWithTwoBinaries(), durationSeconds: 1 },
        flags([`branch=${branch}`]),
      );
    }
    await prometheus.waitFor(`count(layerdelta_go_binary_info{repository="${repository}"}) == 4`, 30_000);
    const doc = await readFile('docs/metrics.md', 'utf8');
    const block = /# Binary sizes by Go version\n([\s\S]*?)\n\n/.exec(doc)?.[1] ?? '';
    const query = block.replace(/^#.*$/gm, '').trim();
    expect(query).toMatch(/group_left/);
    const joined = (await prometheus.query(query)).filter((s) => s.metric.repository === repository);
    // Two binaries on each of the two branches, each with its Go version.
    expect(joined.map((s) => `${s.metric.branch} ${s.metric.go_version}`).sort()).toEqual(
      (deltaWithTwoBinaries().binaries ?? [])
        .flatMap((b) => ['feature-y', 'main'].map((branch) => `${branch} ${b.new?.buildInfo.goVersion}`))
        .sort(),
    );
  });

  it('every example query returns data', async () => {
    const doc = await readFile('docs/metrics.md', 'utf8');
    const blocks = [...doc.matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    // Queries are separated by their `#` comment lines.
    const queries = blocks
      .flatMap((block) => block.split(/^#.*$/m))
      .map((q) => q.trim())
      .filter(Boolean);
    expect(queries.length).toBeGreaterThanOrEqual(5);
    const empty: string[] = [];
    for (const q of queries) if ((await prometheus.query(q)).length === 0) empty.push(q);
    expect(empty).toEqual([]);
  });
});

describe('Prometheus with the layerdelta rules and the OpenMetrics file', () => {
  it('loads the alert rules and fires the static growth alert for the repository that grew 20 MiB only', async () => {
    const res = await fetch(`${prometheus.url}/api/v1/rules`);
    const body = (await res.json()) as {
      data: { groups: Array<{ rules: Array<{ name: string; health: string }> }> };
    };
    const rules = body.data.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.name)).toContain('LayerdeltaImageSizeAboveBaseline');
    for (const r of rules) expect(r.health, r.name).not.toBe('err');
    const alerts = await prometheus.waitFor('ALERTS{alertname="LayerdeltaImageGrowthAboveThreshold"}');
    expect(alerts.map((a) => a.metric.repository)).toEqual([B.repository]);
  });

  it('parses the --metrics-file as OpenMetrics and holds the same values as the deltas', async () => {
    const up = await prometheus.waitFor('up{job="metrics-file"} == 1');
    expect(up).toHaveLength(1);
    const sizes = await prometheus.query(
      'layerdelta_image_size_bytes{job="metrics-file",side="new",encoding="compressed"}',
    );
    const byRepo = Object.fromEntries(sizes.map((s) => [s.metric.repository, Number(s.value[1])]));
    expect(byRepo).toEqual({
      'file/one': deltaWithTwoBinaries().new.compressedSize,
      'file/two': deltaWithOneBinary().new.compressedSize,
    });
    const durations = await prometheus.query('layerdelta_run_duration_seconds{job="metrics-file",env="ci"}');
    expect(Object.fromEntries(durations.map((s) => [s.metric.repository, Number(s.value[1])]))).toEqual({
      'file/one': 1,
      'file/two': 2,
    });
  });
});
