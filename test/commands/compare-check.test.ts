/**
 * `compare` and `check` end to end: the built CLI against a real docker-registry holding two images
 * made for every layer status, in OCI and Docker schema 2 media types. Ground truth for digests and
 * sizes is `skopeo inspect --raw`, not our output.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsFromFlags } from '../../src/cli/check-flags.js';
import { outputFormat, platformFlag, toleranceFlag } from '../../src/cli/report-flags.js';
import type { ImageDelta, LayerStatus } from '../../src/delta/types.js';
import type { CheckResult } from '../../src/policy/evaluate.js';
import { schemaErrors } from '../report/schema.js';
import { expectFailure } from '../support/failure.js';
import { memoize } from '../support/memo.js';
import {
  pushImage,
  sha256,
  skopeoInspectRaw,
  startRegistry,
  type TestRegistry,
  tarLayer,
} from '../support/registry.js';
import { renderAs } from '../support/reports.js';
import { ensureBuilt, runCli } from './cli.js';

/** Incompressible, deterministic bytes: gzip keeps their size, so growth percentages are predictable. */
function noise(seed: string, size: number): Buffer {
  const chunks: Buffer[] = [];
  let block = createHash('sha256').update(seed).digest();
  for (let total = 0; total < size; total += block.length) {
    chunks.push(block);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat(chunks).subarray(0, size);
}

const BASE = 'ADD rootfs.tar.gz / # buildkit';
const LEGACY = 'RUN /bin/sh -c install-legacy-tools # buildkit';
const CERTS = 'RUN /bin/sh -c apk add ca-certificates # buildkit';
const CONFIG = 'COPY config.json /etc/app/config.json # buildkit';
const APP = 'COPY app /usr/local/bin/app # buildkit';
const STATIC = 'COPY static /srv/static # buildkit';

interface Step {
  createdBy: string;
  layer: Buffer;
}

async function makeSteps() {
  const base = { createdBy: BASE, layer: await tarLayer({ 'bin/busybox': noise('busybox', 120_000) }) };
  const legacy = { createdBy: LEGACY, layer: await tarLayer({ 'opt/legacy.dat': noise('legacy', 30_000) }) };
  const certs = { createdBy: CERTS, layer: await tarLayer({ 'etc/ssl/certs.crt': noise('certs', 50_000) }) };
  // config grows 2% (within ±5%); app grows 150% (beyond); static is new; legacy is removed.
  const config1 = {
    createdBy: CONFIG,
    layer: await tarLayer({ 'etc/app/config.json': noise('config', 100_000) }),
  };
  const config2 = {
    createdBy: CONFIG,
    layer: await tarLayer({ 'etc/app/config.json': noise('config', 102_000) }),
  };
  const app1 = { createdBy: APP, layer: await tarLayer({ 'usr/local/bin/app': noise('app-v1', 200_000) }) };
  const app2 = { createdBy: APP, layer: await tarLayer({ 'usr/local/bin/app': noise('app-v2', 500_000) }) };
  const statics = {
    createdBy: STATIC,
    layer: await tarLayer({ 'srv/static/app.js': noise('static', 40_000) }),
  };
  return {
    v1: [base, legacy, certs, config1, app1],
    v2: [base, certs, config2, app2, statics],
    expected: {
      v1: ['reused', 'removed', 'reused', 'changed', 'changed'] as LayerStatus[],
      v2: ['reused', 'reused', 'changed', 'changed', 'new'] as LayerStatus[],
    },
  };
}

function configFor(steps: Step[], created: string) {
  return {
    architecture: 'amd64',
    os: 'linux',
    created,
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: steps.map((s) => sha256(gunzipSync(s.layer))) },
    history: steps.flatMap((s, i) => [
      { created, created_by: s.createdBy },
      // Empty-layer entries in between must not disturb the instruction of each layer.
      ...(i === 0 ? [{ created, created_by: 'CMD ["/bin/sh"]', empty_layer: true }] : []),
    ]),
  };
}

interface ManifestTruth {
  layers: Array<{ digest: string; size: number }>;
}

let registry: TestRegistry;
let steps: Awaited<ReturnType<typeof makeSteps>>;
let workDir: string;

beforeAll(async () => {
  await ensureBuilt();
  registry = await startRegistry();
  steps = await makeSteps();
  for (const mediaTypes of ['oci', 'docker'] as const) {
    const repository = `delta/${mediaTypes}`;
    for (const [tag, list, created] of [
      ['v1', steps.v1, '2024-01-01T00:00:00Z'],
      ['v2', steps.v2, '2024-02-01T00:00:00Z'],
    ] as const) {
      await pushImage(registry, repository, tag, {
        layers: list.map((s) => s.layer),
        config: configFor([...list], created),
        mediaTypes,
      });
    }
  }
  workDir = mkdtempSync(join(tmpdir(), 'layerdelta-check-'));
});

afterAll(async () => {
  await registry?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const image = (mediaTypes: string, tag: string) => `${registry.host}/delta/${mediaTypes}:${tag}`;
/** skopeo's raw manifest of delta/MEDIATYPES:TAG, asked once. */
const rawManifest = memoize(
  async (mediaTypes: string, tag: string) => await skopeoInspectRaw(registry, `delta/${mediaTypes}:${tag}`),
);
const truth = async (mediaTypes: string, tag: string): Promise<ManifestTruth> =>
  JSON.parse((await rawManifest(mediaTypes, tag)).toString()) as ManifestTruth;

/** One `compare --json` run per media type, read by every test of that media type. */
const compareRun = memoize(
  async (mediaTypes: string) =>
    await runCli(['compare', image(mediaTypes, 'v1'), image(mediaTypes, 'v2'), '--json']),
);

/**
 * The text and Markdown tests: through the CLI (`--output` selection under test) for OCI; for Docker
 * media types, which change how the images are read but not how reports are rendered, rendered from
 * that media type's JSON run by the CLI's own renderer (test/support/reports.ts).
 */
async function reportIn(
  mediaTypes: string,
  format: 'text' | 'markdown',
): Promise<{ status: number | null; stdout: string }> {
  if (mediaTypes === 'oci') {
    const formatArgs = format === 'text' ? [] : ['-o', format];
    return await runCli(['compare', image(mediaTypes, 'v1'), image(mediaTypes, 'v2'), ...formatArgs]);
  }
  const run = await compareRun(mediaTypes);
  return { status: run.status, stdout: renderAs(JSON.parse(run.stdout) as ImageDelta, format) };
}

describe.each(['oci', 'docker'])('compare with %s media types', (mediaTypes) => {
  it('reports every status with the registry’s digests and sizes (JSON, schema-valid)', async () => {
    const result = await compareRun(mediaTypes);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as ImageDelta;
    expect(schemaErrors(report)).toEqual([]);

    const oldTruth = await truth(mediaTypes, 'v1');
    const newTruth = await truth(mediaTypes, 'v2');
    // Status of every layer of each side, by position, as built.
    const statusOf = (side: 'old' | 'new', index: number) =>
      report.layers.find((l) => l[side]?.index === index)?.status;
    expect(oldTruth.layers.map((_, i) => statusOf('old', i))).toEqual(steps.expected.v1);
    expect(newTruth.layers.map((_, i) => statusOf('new', i))).toEqual(steps.expected.v2);
    // Digests and sizes equal what the registry stores.
    for (const change of report.layers) {
      const pick = (l: { digest: string; size: number } | undefined) =>
        l && { digest: l.digest, size: l.size };
      if (change.old) expect(pick(change.old)).toEqual(pick(oldTruth.layers[change.old.index]));
      if (change.new) expect(pick(change.new)).toEqual(pick(newTruth.layers[change.new.index]));
    }
    const sum = (t: ManifestTruth) => t.layers.reduce((s, l) => s + l.size, 0);
    expect(report.old.compressedSize).toBe(sum(oldTruth));
    expect(report.new.compressedSize).toBe(sum(newTruth));
    expect(report.totals.compressedDelta).toBe(sum(newTruth) - sum(oldTruth));
    expect(report.old.manifestDigest).toBe(sha256(await rawManifest(mediaTypes, 'v1')));

    const config = report.layers.find((l) => l.new?.createdBy === CONFIG)!;
    const app = report.layers.find((l) => l.new?.createdBy === APP)!;
    expect(config).toMatchObject({ status: 'changed', significant: false });
    expect(app).toMatchObject({ status: 'changed', significant: true });
    expect(app.delta).toBe(app.new!.size - app.old!.size);
    expect(report.totals.significantChanges).toBe(1);
    expect(report.totals.byStatus.removed).toEqual({ count: 1, bytes: oldTruth.layers[1]!.size });
  });

  it('prints the summary line first, a table per layer and totals (text)', async () => {
    const result = await reportIn(mediaTypes, 'text');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^\+\d+(\.\d+)? kB \(\+\d+%\) compressed, \+\d+(\.\d+)? kB \(\+\d+%\) uncompressed; 1 layer beyond ±5%: COPY app \/usr\/local\/bin\/app; 1 new layer \(\+\d+(\.\d+)? kB\); 1 removed layer \(-\d+(\.\d+)? kB\)$/,
    );
    const start = lines.findIndex((l) => l.startsWith('Layers (sizes compressed'));
    expect(lines[start + 1]).toMatch(
      /^STATUS\s+OLD LAYER\s+NEW LAYER\s+OLD SIZE\s+NEW SIZE\s+DELTA\s+%\s+UNCOMPRESSED DELTA\s+PAIRED BY\s+INSTRUCTION$/,
    );
    const table = lines.slice(start + 2, lines.indexOf('', start));
    expect(table.map((l) => l.split(/\s+/)[0])).toEqual([
      'reused',
      'removed',
      'reused',
      'changed',
      'grown',
      'new',
    ]);
    const newTruth = await truth(mediaTypes, 'v2');
    expect(result.stdout).toContain(newTruth.layers[3]!.digest.slice(7, 19));
    expect(result.stdout).toMatch(/^Total compressed: .* → .*, \+.* kB \(\+\d+%\)$/m);
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('renders Markdown', async () => {
    const result = await reportIn(mediaTypes, 'markdown');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      '| Status | Old layer | New layer | Old size | New size | Delta | % | Paired by | Instruction |',
    );
    expect(result.stdout).toContain('**grown**');
  });
});

describe('check', () => {
  const args = (...extra: string[]) => [
    'check',
    image('oci', 'v2'),
    '--baseline',
    image('oci', 'v1'),
    ...extra,
  ];

  it('passes (exit 0) when no threshold is crossed, and says so', async () => {
    const result = await runCli(args('--max-growth', '1000%', '--max-new-layer-bytes', '5MB'), {
      cwd: workDir,
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Check passed with 1 warning\.$/m);
    expect(result.stdout).toMatch(/warning: layer 3 \(COPY app \/usr\/local\/bin\/app\) grew \+/);
  });

  it('fails (exit 1) and lists every crossed threshold', async () => {
    const result = await runCli(
      args(
        '--max-growth',
        '10%',
        '--max-growth-bytes',
        '100kB',
        '--max-layer-growth',
        '50%',
        '--max-new-layer-bytes',
        '1kB',
      ),
      { cwd: workDir },
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^Check FAILED: 4 thresholds crossed\.$/m);
    for (const rule of [
      'max-growth 10%',
      'max-growth-bytes 100 kB',
      'max-layer-growth 50%',
      'max-new-layer-bytes 1 kB',
    ]) {
      expect(result.stdout).toContain(`above ${rule}`);
    }
  });

  /**
   * `check --json` under GitHub Actions, read by two tests: the JSON report and where the annotations
   * go. GITHUB_ACTIONS changes only the latter (the report is rendered the same way).
   */
  const jsonInActions = memoize(
    async () =>
      await runCli(args('--max-growth', '10%', '--json'), { cwd: workDir, env: { GITHUB_ACTIONS: 'true' } }),
  );

  it('JSON carries the check result and validates against the schema', async () => {
    const result = await jsonInActions();
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as ImageDelta & { check: CheckResult };
    expect(schemaErrors(report)).toEqual([]);
    expect(report.check.passed).toBe(false);
    expect(report.check.thresholds).toEqual({ maxGrowth: 0.1 });
    const oldTruth = await truth('oci', 'v1');
    const newTruth = await truth('oci', 'v2');
    const sum = (t: ManifestTruth) => t.layers.reduce((s, l) => s + l.size, 0);
    expect(report.check.findings.find((f) => f.rule === 'max-growth')).toMatchObject({
      severity: 'error',
      actual: (sum(newTruth) - sum(oldTruth)) / sum(oldTruth),
      limit: 0.1,
    });
  });

  it('reads .layerdelta.yml from the current directory; flags override it', async () => {
    const dir = mkdtempSync(join(workDir, 'cfg-'));
    writeFileSync(join(dir, '.layerdelta.yml'), 'max-growth: 10%\nmax-new-layer-bytes: 5MB\ntolerance: 1%\n');
    const strict = await runCli(args(), { cwd: dir });
    expect(strict.status).toBe(1);
    expect(strict.stdout).toContain('above max-growth 10%');
    expect(strict.stdout).toContain('changed beyond ±1%');
    const relaxed = await runCli(args('--max-growth', '500%'), { cwd: dir });
    expect(relaxed.status).toBe(0);
  });

  it('reads --config FILE', async () => {
    const file = join(workDir, 'ci.yml');
    writeFileSync(file, 'max-layer-growth: 20\n');
    const result = await runCli(args('--config', file), { cwd: workDir });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('above max-layer-growth 20%');
  });

  it('rejects unknown keys in the config file (exit 2, one line)', async () => {
    const file = join(workDir, 'typo.yml');
    writeFileSync(file, 'max-growht: 10%\n');
    const result = await runCli(args('--config', file), { cwd: workDir });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('unknown setting "max-growht"');
    expect(result.stdout).toBe('');
  });

  it('under GitHub Actions: appends Markdown to the step summary and prints annotations', async () => {
    const summary = join(workDir, 'step-summary.md');
    writeFileSync(summary, '# earlier step\n');
    const result = await runCli(args('--max-growth', '10%'), {
      cwd: workDir,
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
    });
    expect(result.status).toBe(1);
    const written = readFileSync(summary, 'utf8');
    expect(written.startsWith('# earlier step\n### layerdelta: ')).toBe(true);
    expect(written).toContain('#### ❌ Check failed: 1 threshold crossed');
    expect(result.stdout).toMatch(
      /^::error title=layerdelta max-growth::image grew \+.* compressed, above max-growth 10%25$/m,
    );
    expect(result.stdout).toMatch(/^::warning title=layerdelta significant-layer-growth::layer 3 /m);
  });

  it('keeps stdout pure JSON under GitHub Actions (annotations go to stderr)', async () => {
    const result = await jsonInActions();
    expect(result.status).toBe(1);
    expect(() => JSON.parse(result.stdout)).not.toThrow();
    expect(result.stderr).toMatch(/^::error title=layerdelta max-growth::/m);
  });
});

describe('bad input', () => {
  const oneLine = (stderr: string) => expect(stderr.trim().split('\n')).toHaveLength(1);

  // Through the CLI: one of our usage errors, and oclif's own parse errors (a bad option, a missing flag).
  it.each([
    [['compare', 'not a reference', 'x'], 'invalid'],
    [['compare', 'a', 'b', '--output', 'yaml'], ''],
    [['check', 'a'], ''],
  ])('%j exits 2 with one line', async (argv, text) => {
    const result = await runCli(argv, { cwd: workDir });
    expect(result.status).toBe(2);
    oneLine(result.stderr);
    expect(result.stderr).toContain(text);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  // The other flags' usage errors take the same path (a UsageError the command throws, said by
  // BaseCommand.catch as one line): checked in-process at the function that decides.
  it.each([
    ['compare --tolerance five', () => toleranceFlag('five'), /invalid percentage "five" for --tolerance/],
    ['compare --platform linux', () => platformFlag('linux'), /invalid platform/],
    [
      'compare --json --output markdown',
      () => outputFormat({ json: true, output: 'markdown' }),
      /--json conflicts with --output markdown/,
    ],
    [
      'check --max-growth-bytes 5XB',
      () => settingsFromFlags({ 'max-growth-bytes': '5XB' }),
      /invalid size "5XB" for --max-growth-bytes/,
    ],
  ])('%s is a usage error: exit 2, one line', async (_, decide, text) => {
    await expectFailure(decide, 2, text);
  });

  it('a missing tag exits 3 with one line', async () => {
    const result = await runCli(['compare', image('oci', 'v1'), image('oci', 'nope')]);
    expect(result.status).toBe(3);
    oneLine(result.stderr);
    expect(result.stderr).toContain('nope');
  });

  it('an unreachable registry exits 3 with one line', async () => {
    const result = await runCli(['compare', '127.0.0.1:9/x/y:1', '127.0.0.1:9/x/y:2'], {
      timeoutMs: 120_000,
    });
    expect(result.status).toBe(3);
    oneLine(result.stderr);
  });
});
