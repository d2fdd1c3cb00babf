/** The inspect report itself: JSON shape and text rendering, from images resolved out of small layouts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildInspectReport,
  type InspectReport,
  renderInspectJson,
  renderInspectText,
} from '../../src/report/inspect.js';
import { openSource } from '../../src/source/open.js';
import { parsePlatform } from '../../src/source/platform.js';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { forPlatform, TestLayout } from '../source/layout-builder.js';

let root: string;
let dir: string;

async function report(ref: string, platform?: string): Promise<InspectReport> {
  const source = await openSource(ref);
  try {
    const image = await source.resolve(platform ? parsePlatform(platform) : undefined);
    return buildInspectReport(image, {
      source: source.description,
      platformRequested: platform !== undefined,
    });
  } finally {
    await source.close();
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'layerdelta-report-'));
  dir = join(root, 'layout');
  const layout = new TestLayout(dir);
  // Incompressible-ish content so sizes land in kB and MB.
  const big = Array.from({ length: 60_000 }, (_, i) => ((i * 2654435761) >>> 0).toString(36)).join('');
  const img = await layout.image({
    layers: [
      { files: { 'data/big': big }, compression: 'none', createdBy: '/bin/sh -c #(nop) ADD file:0123 in / ' },
      { files: { 'etc/x': 'x' }, createdBy: 'RUN /bin/sh -c apk add --no-cache curl # buildkit' },
    ],
    config: { Entrypoint: ['/bin/app', '--serve'], Env: ['A=1', 'B=2', 'C=3'], Labels: {}, User: 'nobody' },
  });
  layout.tag(img, 'v1');
  const arm = await layout.image({ architecture: 'arm64', layers: [{ files: { a: 'a' } }] });
  layout.tag(layout.index([forPlatform(img, 'linux', 'amd64'), forPlatform(arm, 'linux', 'arm64')]), 'multi');
  layout.finish();
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('inspect report', () => {
  it('JSON: schemaVersion 1, bytes as integers, totals that add up', async () => {
    const r = await report(`oci:${dir}:v1`);
    const json = JSON.parse(renderInspectJson(r)) as InspectReport;
    expect(json.schemaVersion).toBe(1);
    expect(json.platformChoice).toBe('only');
    expect(json.config).toMatchObject({
      entrypoint: ['/bin/app', '--serve'],
      cmd: null,
      envCount: 3,
      labelsCount: 0,
      user: 'nobody',
    });
    for (const l of json.layers) expect(Number.isInteger(l.compressedSize)).toBe(true);
    expect(json.totals.compressedSize).toBe(json.layers.reduce((s, l) => s + l.compressedSize, 0));
    expect(json.layers[0]!.compressedSize).toBeGreaterThan(300_000);
  });

  it('text: aligned layer table in SI units, Dockerfile-like instructions, totals', async () => {
    const r = await report(`oci:${dir}:v1`);
    const text = renderInspectText(r);
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('#  DIGEST'));
    expect(header).toBeGreaterThan(0);
    const rows = lines.slice(header + 1, header + 3);
    // Every row's digest starts in the same column as the header's DIGEST.
    for (const row of rows) expect(row.indexOf('sha256:')).toBe(lines[header]!.indexOf('DIGEST'));
    expect(rows[0]).toMatch(/oci tar +\d+(\.\d+)? kB {2}ADD file:0123 in \/$/);
    expect(rows[1]).toMatch(/oci tar\+gzip +\d+ B {2}RUN apk add --no-cache curl$/);
    expect(text).toMatch(/^Total: 2 layers, \d+(\.\d+)? kB compressed$/m);
    expect(text).toMatch(/^ {2}Entrypoint +\["\/bin\/app","--serve"\]$/m);
    expect(text).toMatch(/^ {2}Env +3 variables$/m);
    expect(text).toMatch(/^Platform +linux\/amd64 \(single-platform image\)$/m);
  });

  it('text: says which platform was picked from an index and which others exist; extra sections append', async () => {
    const r = await report(`oci:${dir}:multi`);
    const text = renderInspectText(r, [() => 'Go binaries\n  (none)', () => undefined]);
    expect(text).toMatch(/^Platform +linux\/amd64 \(default; also available: linux\/arm64\)$/m);
    expect(text).toMatch(/^Index +sha256:[a-f0-9]{64} {2}application\/vnd.oci.image.index.v1\+json$/m);
    expect(text.trimEnd().endsWith('Go binaries\n  (none)')).toBe(true);
    const arm = renderInspectText(await report(`oci:${dir}:multi`, 'linux/arm64'));
    expect(arm).toMatch(/^Platform +linux\/arm64 \(requested; also available: linux\/amd64\)$/m);
  });

  it('the CLI writes text, JSON and a self-contained HTML page', async () => {
    await ensureBuilt();
    const [text, json, html] = await Promise.all([
      runCli(['inspect', `oci:${dir}:v1`, '--no-binaries']),
      runCli(['inspect', `oci:${dir}:v1`, '-o', 'json', '--no-binaries']),
      runCli(['inspect', `oci:${dir}:v1`, '--output', 'html', '--no-binaries']),
    ]);
    for (const r of [text, json, html]) {
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const expected = await report(`oci:${dir}:v1`);
    expect(text.stdout).toBe(renderInspectText(expected));
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(renderInspectJson(expected)));
    expect(html.stdout).toMatch(/^<!DOCTYPE html>/i);
    expect(html.stdout).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  }, 180_000);
});
