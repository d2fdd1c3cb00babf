/**
 * inspect with the layer scan: uncompressed sizes and the Go binaries of the final filesystem, checked
 * against the fixture's blobs with gzip, tar, sha256sum and `go version -m` (never our own output).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScannedInspectReport } from '../../src/report/inspect-binaries.js';
import { ensureBuilt, ROOT, runCli } from '../commands/cli.js';
import { fixturePath } from '../support/fixtures.js';

const GO = '/usr/lib/go-1.23/bin/go';
const LAYOUT = fixturePath('fixtures/build/oci/fsops');

function blobPath(digest: string): string {
  return join(LAYOUT, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

describe('inspect reads the layers: Go binaries of the final filesystem', () => {
  let report: ScannedInspectReport;
  let work: string;

  beforeAll(async () => {
    await ensureBuilt();
    work = mkdtempSync(join(tmpdir(), 'ld-inspect-'));
    const result = await runCli([
      'inspect',
      `oci:${LAYOUT}:v2`,
      '--json',
      '--cache-dir',
      join(work, 'cache'),
    ]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    report = JSON.parse(result.stdout) as ScannedInspectReport;
  }, 180_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('gives each layer its uncompressed size, as gzip -dc | wc -c counts it', () => {
    for (const layer of report.layers) {
      const bytes = Number(
        execFileSync('sh', ['-c', `gzip -dc '${blobPath(layer.digest)}' | wc -c`])
          .toString()
          .trim(),
      );
      expect(layer.uncompressedSize).toBe(bytes);
    }
    expect(report.totals.uncompressedSize).toBe(report.layers.reduce((s, l) => s + l.uncompressedSize!, 0));
  });

  it('lists the Go binaries that survive whiteouts, with the layer that last wrote each', () => {
    // The fixture's design (fixtures/README.md): webapp is whited out in layer 4, the app moved to
    // /srv/app in layer 5, /usr/bin/hello-link is a hard link to /usr/bin/hello.
    const paths = report.binaries!.goBinaries.map((b) => b.path);
    expect(paths).toEqual(['/srv/app', '/usr/bin/hello', '/usr/bin/hello-link']);
    const layerOf = Object.fromEntries(report.binaries!.goBinaries.map((b) => [b.path, b.layer]));
    expect(layerOf).toEqual({ '/srv/app': 5, '/usr/bin/hello': 1, '/usr/bin/hello-link': 1 });
  });

  it('reports what tar, sha256sum and go version -m say of each binary', () => {
    for (const binary of report.binaries!.goBinaries) {
      const dir = mkdtempSync(join(work, 'x-'));
      const layer = report.layers[binary.layer]!;
      // Extract the member (and a hard link's target with it) straight from the layer blob.
      const members = execFileSync('tar', ['-tzf', blobPath(layer.digest)])
        .toString()
        .split('\n');
      const wanted = members.filter(
        (m) => m.replace(/^\.?\//, '') === binary.path.slice(1) || m.endsWith('usr/bin/hello'),
      );
      execFileSync('tar', ['-xzf', blobPath(layer.digest), '-C', dir, ...wanted]);
      const file = join(dir, binary.path);
      expect(binary.size).toBe(statSync(file).size);
      const sha = execFileSync('sha256sum', [file]).toString().split(' ')[0];
      expect(binary.digest).toBe(`sha256:${sha}`);
      const goVersionM = execFileSync(GO, ['version', '-m', file]).toString();
      expect(goVersionM.split('\n')[0]).toBe(`${file}: ${binary.goVersion}`);
      expect(goVersionM).toMatch(new RegExp(`^\\tmod\\t${binary.mainModule!.replace(/\./g, '\\.')}\\t`, 'm'));
      const stripped = !execFileSync('readelf', ['-SW', file]).toString().includes('.symtab');
      expect(binary.stripped).toBe(stripped);
    }
  });

  it('keeps to manifests alone with --no-binaries', async () => {
    const result = await runCli(['inspect', `oci:${LAYOUT}:v2`, '--json', '--no-binaries']);
    expect(result.status).toBe(0);
    const plain = JSON.parse(result.stdout) as ScannedInspectReport;
    expect(plain.binaries).toBeUndefined();
    expect(plain.layers.map((l) => l.digest)).toEqual(report.layers.map((l) => l.digest));
  });

  it('adds a Go binaries section to the text report', async () => {
    const result = await runCli(['inspect', `oci:${LAYOUT}:v2`, '--cache-dir', join(work, 'cache')]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Go binaries \(file sizes\)$/m);
    expect(result.stdout).toMatch(/^\/srv\/app\s+5\s/m);
    expect(readFileSync(join(ROOT, 'package.json'), 'utf8')).toContain('"layerdelta"');
  });
});
