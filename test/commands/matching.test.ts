/**
 * Layer matching that cannot be fooled (docs/design.md §3), through the built CLI on the `matching`
 * fixture layout pushed to a real docker-registry (and the `basic` docker archive). Ground truth for
 * digests, sizes, diff_ids and history is skopeo's view of what the registry stores, not our output.
 * Where each real `created_by` string comes from is written in fixtures/matching.ts (REAL_CREATED_BY).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ImageDelta, LayerChange } from '../../src/delta/types.js';
import type { CheckResult } from '../../src/policy/evaluate.js';
import { schemaErrors } from '../report/schema.js';
import { fixtureLayout, fixturePath, loadFixtureManifest, pushLayout } from '../support/fixtures.js';
import { memoize } from '../support/memo.js';
import { skopeoInspectRaw, startRegistry, type TestRegistry } from '../support/registry.js';
import { type JsonReport, renderAs } from '../support/reports.js';
import { ensureBuilt, runCli } from './cli.js';

const run = promisify(execFile);

// Several CLI runs per test, each reading real layers: on a busy 2-core CI machine one takes 10-20 s.
// Formats other than JSON are rendered from the one JSON run of a comparison (test/support/reports.ts):
// the format selection is compare-check.test.ts's concern; here it is what the matching decided.
vi.setConfig({ testTimeout: 180_000 });

interface Manifest {
  layers: Array<{ digest: string; size: number; mediaType: string }>;
}
interface Config {
  rootfs: { diff_ids: string[] };
  history?: Array<{ created_by?: string; empty_layer?: boolean }>;
}

let registry: TestRegistry;
const TAGS = ['gzip', 'zstd', 'tar', '1.1.0', '1.2.0', 'steps-v1', 'steps-v2', 'nohist-v1', 'nohist-v2'];

beforeAll(async () => {
  loadFixtureManifest();
  await ensureBuilt();
  registry = await startRegistry();
  const matching = fixtureLayout('matching').dir;
  // One push at a time: docker-registry 2.8 can answer 500 to concurrent uploads of a shared blob.
  for (const tag of TAGS) {
    await pushLayout(matching, tag, registry.host, 'matching', { format: 'oci', exact: true });
  }
  await pushLayout(fixtureLayout('basic').dir, 'v1', registry.host, 'basic', { format: 'oci' });
}, 240_000);

afterAll(async () => {
  await registry?.stop();
});

const ref = (tag: string) => `${registry.host}/matching:${tag}`;

// One skopeo answer per image and one CLI run per comparison, read by every test that needs it.
const manifestOf = memoize(
  async (image: string) => JSON.parse((await skopeoInspectRaw(registry, image)).toString()) as Manifest,
);

const configOf = memoize(async (image: string): Promise<Config> => {
  const { stdout } = await run('skopeo', [
    'inspect',
    '--config',
    '--raw',
    '--tls-verify=false',
    `docker://${registry.host}/${image}`,
  ]);
  return JSON.parse(stdout) as Config;
});

/** `compare`/`check` with `--json`: the exit status wanted, nothing on stderr, a schema-valid report. */
async function cliJson(args: string[], status: number): Promise<JsonReport> {
  const result = await runCli([...args, '--json']);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(status);
  const report = JSON.parse(result.stdout) as JsonReport;
  expect(schemaErrors(report)).toEqual([]);
  return report;
}

const compareJson = memoize(async (...args: string[]) => await cliJson(['compare', ...args], 0));

/** `check IMAGE --baseline BASELINE ...`: its report carries the comparison and the verdict. */
const checkJson = memoize(
  async (status: number, image: string, baseline: string, ...args: string[]) =>
    (await cliJson(['check', image, '--baseline', baseline, ...args], status)) as JsonReport & {
      check: CheckResult;
    },
);

/** The change holding the new (or, for removed, old) layer at this index. */
function at(report: ImageDelta, side: 'old' | 'new', index: number): LayerChange {
  const found = report.layers.find((l) => l[side]?.index === index);
  if (!found) throw new Error(`no change with ${side} layer ${index}`);
  return found;
}

describe('the same image stored as gzip, zstd and plain tar', () => {
  // check judges what compare reports: one run gives the comparison and the verdict on it.
  const checked = (from: string, to: string) =>
    checkJson(0, ref(to), ref(from), '--max-layer-growth', '1%', '--max-growth', '1%');

  for (const [from, to] of [
    ['gzip', 'zstd'],
    ['gzip', 'tar'],
    ['zstd', 'tar'],
  ] as const) {
    it(`${from} → ${to}: every layer reused and recompressed, uncompressed delta 0`, async () => {
      const report = await checked(from, to);
      const [oldManifest, newManifest] = await Promise.all([
        manifestOf(`matching:${from}`),
        manifestOf(`matching:${to}`),
      ]);
      const config = await configOf(`matching:${from}`);
      // Same content (skopeo: equal diff_ids), different blobs: the premise of the case.
      expect((await configOf(`matching:${to}`)).rootfs.diff_ids).toEqual(config.rootfs.diff_ids);
      expect(report.layers).toHaveLength(oldManifest.layers.length);
      report.layers.forEach((change, i) => {
        expect(change.status).toBe('reused');
        expect(change.recompressed).toBe(true);
        expect(change.old!.digest).toBe(oldManifest.layers[i]!.digest);
        expect(change.new!.digest).toBe(newManifest.layers[i]!.digest);
        expect(change.new!.digest).not.toBe(change.old!.digest);
        expect(change.new!.diffId).toBe(config.rootfs.diff_ids[i]);
        expect(change.delta).toBe(0);
        expect(change.storedDelta).toBe(newManifest.layers[i]!.size - oldManifest.layers[i]!.size);
      });
      const stored = (m: Manifest) => m.layers.reduce((s, l) => s + l.size, 0);
      expect(report.totals.compressedDelta).toBe(stored(newManifest) - stored(oldManifest));
      expect(report.totals.recompressed).toEqual({
        count: oldManifest.layers.length,
        storedDelta: report.totals.compressedDelta,
      });
      expect(report.totals.uncompressedDelta).toBe(0);
      expect(report.totals.byStatus.changed.count + report.totals.significantChanges).toBe(0);
      expect(report.storedSizes.comparable).toBe(false);
      expect(report.judgedSizes).toBe('uncompressed');
      // 1% limits pass (exit 0, checked by checkJson): the stored sizes, which differ, were not judged.
      expect(report.check).toMatchObject({ passed: true, sizes: 'uncompressed' });
      expect(report.check.findings.filter((f) => f.severity === 'error')).toEqual([]);
    });
  }

  it('the text report marks them recompressed and says their stored difference apart', async () => {
    const text = renderAs(await checked('gzip', 'tar'), 'text');
    const rows = text.split('\n').filter((l) => l.startsWith('recompressed '));
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toMatch(/ 0 B +0 B /);
    expect(text).toMatch(/^Recompressed: 4 reused layers stored as other blobs, \+[\d.]+ [kM]B stored/m);
    expect(text).toContain(
      'Stored sizes are not comparable (old layers are stored as gzip, new as plain tar)',
    );
    expect(text).toMatch(/^Check passed/m);
  });

  it('the HTML page shows them as recompressed', async () => {
    const page = renderAs(await checked('gzip', 'zstd'), 'html');
    expect(page.match(/<span class="badge tone-recompressed">reused, recompressed<\/span>/g)).toHaveLength(4);
    expect(page).toContain('same content, stored -');
  });
});

describe('a docker archive against the registry copy of the same image', () => {
  const archive = () => {
    const found = loadFixtureManifest().archives.find((a) => a.tag === 'basic:v1');
    return `docker-archive:${fixturePath(found!.file)}`;
  };
  const registryCopy = () => `${registry.host}/basic:v1`;
  /** check --max-growth 10%: `baseline` → `image`, the comparison and the verdict in one run. */
  const checked = (image: string, baseline: string) => checkJson(0, image, baseline, '--max-growth', '10%');

  it('is the same content: reused, recompressed, stored sizes said not comparable', async () => {
    const report = await checked(registryCopy(), archive());
    const manifest = await manifestOf('basic:v1');
    const config = await configOf('basic:v1');
    expect(report.layers.map((l) => l.status)).toEqual(manifest.layers.map(() => 'reused'));
    expect(report.layers.every((l) => l.recompressed === true)).toBe(true);
    expect(report.layers.map((l) => l.new!.diffId)).toEqual(config.rootfs.diff_ids);
    // docker save stores plain tars: the archive's blob digest is the diff_id.
    expect(report.layers.map((l) => l.old!.digest)).toEqual(config.rootfs.diff_ids);
    expect(report.storedSizes).toEqual({ comparable: false, old: ['none'], new: ['gzip'] });
    expect(report.judgedSizes).toBe('uncompressed');
    expect(report.totals.uncompressedDelta).toBe(0);
  });

  it('check --max-growth 10% passes in both directions; the report says which sizes were judged', async () => {
    for (const [baseline, image] of [
      [archive(), registryCopy()],
      [registryCopy(), archive()],
    ]) {
      const report = await checked(image!, baseline!);
      expect(report.check).toMatchObject({ passed: true, sizes: 'uncompressed', findings: [] });
    }
    const text = renderAs(await checked(registryCopy(), archive()), 'text');
    expect(text.split('\n')[0]).toMatch(
      /^0 B \(0%\) uncompressed; stored sizes not comparable \(plain tar → gzip\); no layer beyond ±5%; 7 recompressed layers/,
    );
  });
});

describe('1.1.0 → 1.2.0: an unrelated layer replaces COPY static', () => {
  /** check --max-new-layer-bytes 10MB, layers read or (`--no-binaries`) only manifests: both exit 1. */
  const checked = (...extra: string[]) =>
    checkJson(1, ref('1.2.0'), ref('1.1.0'), '--max-new-layer-bytes', '10MB', ...extra);

  it('is removed + new, never a changed layer', async () => {
    const report = await checked();
    const [oldHistory, newHistory] = await Promise.all([
      configOf('matching:1.1.0'),
      configOf('matching:1.2.0'),
    ]);
    const last = (c: Config) => c.history!.filter((h) => !h.empty_layer).at(-1)!.created_by;
    expect(last(oldHistory)).toBe('COPY static /srv/static');
    expect(last(newHistory)).toBe('COPY go binaries /usr/local/bin/');
    expect(at(report, 'old', 4)).toMatchObject({ status: 'removed' });
    expect(at(report, 'new', 4)).toMatchObject({ status: 'new' });
    expect(report.totals.byStatus.changed.count).toBe(0);
    expect(report.totals.byStatus.reused.count).toBe(4);
  });

  it('check --max-new-layer-bytes 10MB fails with exit 1, also when only manifests are read', async () => {
    const manifest = await manifestOf('matching:1.2.0');
    const size = manifest.layers[4]!.size;
    expect(size).toBeGreaterThan(10_000_000);
    for (const extra of [[], ['--no-binaries']]) {
      const report = await checked(...extra);
      const finding = report.check.findings.find((f) => f.rule === 'max-new-layer-bytes');
      expect(finding).toMatchObject({ severity: 'error', actual: size, limit: 10_000_000, layer: 4 });
    }
  });

  it('without reading the layers the two COPY layers pair only by order, and the check says so', async () => {
    const report = await checked('--no-binaries');
    expect(at(report, 'new', 4)).toMatchObject({ status: 'changed', evidence: 'order' });
    expect(renderAs(report, 'text')).toMatch(
      /error: changed \(paired only by order\) layer 4 \(COPY go binaries \/usr\/local\/bin\/\) is [\d.]+ MB compressed, above max-new-layer-bytes 10 MB/,
    );
  });
});

describe('rebuilt steps (real BuildKit and classic-builder created_by strings)', () => {
  /** Evidence by new-layer index; removed/new by status. */
  const expected: Array<[index: number, status: LayerChange['status'], evidence?: LayerChange['evidence']]> =
    [
      [1, 'changed', 'instruction'], // classic ADD dir:<hash> in /opt/cni/bin/, another hash
      [2, 'changed', 'instruction'], // BuildKit RUN |5 BUILD_DATE=… with new argument values, other files
      [3, 'changed', 'content'], // COPY app → COPY --chmod=555 app: instruction changed, file did not
      [4, 'changed', 'instruction'], // classic |1 GIT_VERSION=… /bin/sh -c …, another value
      [5, 'changed', 'instruction'], // classic COPY file:<hash> in /licenses, another hash
      [6, 'new'], // COPY docs: nothing in common with the removed RUN install-legacy-tools
    ];

  it('pairs each by its evidence; the history is the registry’s', async () => {
    const report = await compareJson(ref('steps-v1'), ref('steps-v2'));
    const [oldConfig, newConfig] = await Promise.all([
      configOf('matching:steps-v1'),
      configOf('matching:steps-v2'),
    ]);
    const history = (c: Config) => c.history!.filter((h) => !h.empty_layer).map((h) => h.created_by);
    for (const [index, status, evidence] of expected) {
      const change = at(report, 'new', index);
      expect({ index, status: change.status, evidence: change.evidence }).toEqual({
        index,
        status,
        evidence,
      });
      expect(change.new!.createdBy).toBe(history(newConfig)[index]);
      if (change.old) expect(change.old.createdBy).toBe(history(oldConfig)[change.old.index]);
    }
    // The rebuilt RUN: same step, other content (the registry's diff_ids differ), other instruction text.
    const rebuilt = at(report, 'new', 2);
    expect(rebuilt.old!.diffId).toBe(oldConfig.rootfs.diff_ids[2]);
    expect(rebuilt.new!.diffId).toBe(newConfig.rootfs.diff_ids[2]);
    expect(rebuilt.new!.diffId).not.toBe(rebuilt.old!.diffId);
    expect(rebuilt.new!.createdBy).not.toBe(rebuilt.old!.createdBy);
    expect(at(report, 'old', 6)).toMatchObject({ status: 'removed' });
  });

  it('text and Markdown show the old instruction where it differs', async () => {
    const report = await compareJson(ref('steps-v1'), ref('steps-v2'));
    const text = renderAs(report, 'text');
    const row = text.split('\n').find((l) => l.includes('COPY --chmod=555 app'))!;
    expect(row).toMatch(
      / content +COPY --chmod=555 app \/usr\/local\/bin\/app \(was: COPY app \/usr\/local\/bin\/app\)$/,
    );
    const docs = text.split('\n').find((l) => l.includes('COPY docs'))!;
    expect(docs).not.toContain('was:');
    expect(renderAs(report, 'markdown')).toContain(
      '| content | <code>COPY --chmod=555 app /usr/local/bin/app (was: COPY app /usr/local/bin/app)</code> |',
    );
  });

  it('the HTML page shows the pairing evidence and the old instruction', async () => {
    const page = renderAs(await compareJson(ref('steps-v1'), ref('steps-v2')), 'html');
    expect(page.match(/paired by instruction/g)?.length).toBeGreaterThanOrEqual(4);
    expect(page).toContain('<small class="evidence">paired by content</small>');
    expect(page).toContain('was: COPY app /usr/local/bin/app</small>');
  });

  it('without reading the layers: order pairs only the same instruction kind (COPY with COPY, never RUN with COPY)', async () => {
    const report = await compareJson(ref('steps-v1'), ref('steps-v2'), '--no-binaries');
    expect(at(report, 'new', 3)).toMatchObject({ status: 'changed', evidence: 'order' });
    expect(at(report, 'new', 6)).toMatchObject({ status: 'new' });
    expect(at(report, 'old', 6)).toMatchObject({ status: 'removed' });
    for (const index of [1, 2, 4, 5]) expect(at(report, 'new', index).evidence).toBe('instruction');
  });
});

describe('images without history', () => {
  it('pair by content when read; unrelated layers stay removed + new', async () => {
    const config = await configOf('matching:nohist-v2');
    expect(config.history).toBeUndefined();
    const report = await compareJson(ref('nohist-v1'), ref('nohist-v2'));
    expect(at(report, 'new', 0)).toMatchObject({ status: 'reused' });
    expect(at(report, 'new', 1)).toMatchObject({ status: 'changed', evidence: 'content' });
    expect(at(report, 'new', 2)).toMatchObject({ status: 'new' });
    expect(at(report, 'old', 2)).toMatchObject({ status: 'removed' });
  });

  it('pair by order when not read, and such a pair is still judged as new by the check', async () => {
    const manifest = await manifestOf('matching:nohist-v2');
    const checked = await checkJson(
      1,
      ref('nohist-v2'),
      ref('nohist-v1'),
      '--no-binaries',
      '--max-new-layer-bytes',
      String(manifest.layers[2]!.size - 1),
    );
    expect(checked.layers.map((l) => [l.status, l.evidence])).toEqual([
      ['reused', undefined],
      ['changed', 'order'],
      ['changed', 'order'],
    ]);
    expect(
      checked.check.findings.filter((f) => f.rule === 'max-new-layer-bytes').map((f) => f.layer),
    ).toEqual([1, 2]);
  });
});
