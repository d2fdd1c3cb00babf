/**
 * The pages as text: what must be in the markup before any script runs (tables readable without
 * JavaScript), the edge cases of the data, and the inspect page in the browser.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildImageDelta } from '../../../src/delta/compare.js';
import type { BinaryDelta, ImageDelta } from '../../../src/delta/types.js';
import type { GoBinaryReport } from '../../../src/golang/types.js';
import { renderHtmlReport } from '../../../src/report/html/compare-page.js';
import { renderInspectHtml } from '../../../src/report/html/inspect-page.js';
import type { ResolvedImage } from '../../../src/source/types.js';
import { consoleMessages, dumpDom } from '../../support/chromium.js';

function image(tag: string, layers: Array<[string, number, string?]>): ResolvedImage {
  return {
    reference: { transport: 'registry', registry: 'registry.example', repository: 'team/app', tag },
    manifestDigest: `sha256:${'ab'.repeat(32)}`,
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    availablePlatforms: [],
    configDescriptor: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:c', size: 1 },
    config: { architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } },
    layers: layers.map(([digest, size, createdBy], index) => ({
      index,
      descriptor: {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: `sha256:${digest}`,
        size,
      },
      ...(createdBy ? { createdBy } : {}),
    })),
  };
}

function report(goVersion: string, size: number, packages: Array<[string, number]>): GoBinaryReport {
  return {
    digest: `sha256:${goVersion}${size}`,
    size,
    arch: 'arm64',
    format: 'elf64-little',
    stripped: true,
    buildInfo: { goVersion, path: 'example.com/tool', deps: [], settings: [] },
    sections: [],
    pclntabVersion: 'go1.20',
    text: { textBytes: 0, goFunctionBytes: 0, paddingBytes: 0, nonGoBytes: 0 },
    packages: packages.map(([name, bytes]) => ({ name, bytes, functions: 1 })),
    modules: [],
  };
}

const OLD = image('v1', [
  ['base', 10_000_000, 'ADD rootfs.tar /'],
  ['app1', 2_000_000, 'COPY app /app'],
  ['gone', 100_000, 'RUN echo <gone>'],
]);
const NEW = image('v2', [
  ['base', 10_000_000, 'ADD rootfs.tar /'],
  ['app2', 2_050_000, 'COPY app /app'],
]);

function delta(binaries?: BinaryDelta[]): ImageDelta {
  return buildImageDelta(OLD, NEW, { tolerance: 0.05, ...(binaries ? { binaries } : {}) });
}

const unchanged: BinaryDelta = {
  path: '/bin/same',
  status: 'unchanged',
  old: report('go1.22.1', 1000, [['main', 10]]),
  new: report('go1.22.1', 1000, [['main', 10]]),
  delta: 0,
  goVersion: { old: 'go1.22.1', new: 'go1.22.1' },
  settingsChanged: [],
  modules: [],
  packages: [],
  sections: [],
};
const removed: BinaryDelta = {
  path: '/bin/gone',
  status: 'removed',
  old: report('go1.19.2', 5000, [['main', 10]]),
  delta: -5000,
  goVersion: { old: 'go1.19.2' },
  settingsChanged: [],
  modules: [],
  packages: [{ name: 'main', oldBytes: 10, newBytes: 0, delta: -10 }],
  sections: [],
};
const changed: BinaryDelta = {
  path: '/app',
  status: 'changed',
  old: report('go1.22.1', 3_000_000, [['runtime', 900_000]]),
  new: report('go1.23.2', 3_200_000, [['runtime', 950_000]]),
  delta: 200_000,
  goVersion: { old: 'go1.22.1', new: 'go1.23.2' },
  settingsChanged: [{ key: 'CGO_ENABLED', old: '0', new: '1' }],
  modules: [{ path: 'golang.org/x/sys', change: 'upgraded', oldVersion: 'v0.1.0', newVersion: 'v0.2.0' }],
  packages: [
    { name: 'runtime', oldBytes: 900_000, newBytes: 950_000, delta: 50_000 },
    { name: 'old/pkg', oldBytes: 20_000, newBytes: 0, delta: -20_000 },
  ],
  sections: [{ name: '.text', oldBytes: 1_000_000, newBytes: 1_100_000, delta: 100_000 }],
};

describe('renderHtmlReport', () => {
  it('writes every layer and binary row into the markup, so the tables read without JavaScript', () => {
    const page = renderHtmlReport(delta([changed, unchanged, removed]));
    expect(page.match(/<tr class="layer /g)).toHaveLength(3);
    expect(page).toContain('<td class="path"><a href="#bin-0">/app</a></td>');
    expect(page).toContain('<td class="path">/bin/same</td>');
    expect(page).toContain('<td class="path">/bin/gone</td>');
    // Only the binary whose code changed gets a section with a treemap.
    expect(page.match(/<section class="binary"/g)).toHaveLength(1);
    expect(page.match(/<svg class="treemap tm-wide"/g)).toHaveLength(1);
    expect(page).toContain('go1.22.1 → go1.23.2');
    expect(page).toContain('CGO_ENABLED');
    expect(page).toContain('golang.org/x/sys');
    // A package that left has no area in the treemap, so it is named next to it.
    expect(page).toMatch(/Removed packages[^<]*<span class="path">old\/pkg<\/span> -20 kB/);
    expect(page).toContain('RUN echo &lt;gone&gt;');
    expect(page).toContain('linux/arm64/v8');
    // The summary: +50 kB - 100 kB compressed, one significant change (the removed layer is not "changed").
    expect(page).toContain('-50 kB');
    expect(page).toMatch(/<strong>0<\/strong> significant layer changes/);
  });

  it('says so when binaries were not analysed or there are none', () => {
    expect(renderHtmlReport(delta())).toContain('Binaries were not analysed');
    expect(renderHtmlReport(delta([]))).toContain('No Go executable in either image');
  });

  it('gives the same file for the same input, with the time only when asked for', () => {
    const d = delta([changed]);
    expect(renderHtmlReport(d)).toBe(renderHtmlReport(d));
    expect(renderHtmlReport(d, { generatedAt: new Date(0), title: 'T<1>' })).toContain(
      '1970-01-01T00:00:00.000Z',
    );
    expect(renderHtmlReport(d, { title: 'T<1>' })).toContain('<title>T&lt;1&gt;</title>');
  });

  it('puts check findings first when given', () => {
    const page = renderHtmlReport(delta([changed]), {
      check: {
        passed: false,
        thresholds: { maxGrowthBytes: 10_000 },
        sizes: 'compressed',
        findings: [{ severity: 'error', rule: 'max-growth-bytes', message: 'image grew by <50 kB>' }],
      },
    });
    expect(page).toContain('Check failed');
    expect(page).toContain('image grew by &lt;50 kB&gt;');
    expect(page.indexOf('Check failed')).toBeLessThan(page.indexOf('<h2>Layers</h2>'));
  });

  it('renders two empty images', () => {
    const empty = buildImageDelta(image('a', []), image('b', []), { tolerance: 0.05 });
    expect(renderHtmlReport(empty)).toContain('0 → 0 layers');
  });
});

describe('renderInspectHtml', () => {
  it('shows one image and its binaries, and runs in the browser without a complaint', async () => {
    const page = renderInspectHtml(NEW, {
      binaries: {
        '/app': report('go1.23.2', 3_200_000, [
          ['runtime', 950_000],
          ['main', 30_000],
        ]),
      },
    });
    expect(page).toContain('registry.example/team/app:v2');
    expect(page).toContain('go1.23.2');
    expect(page).toContain('<svg class="treemap tm-wide"');
    expect(page).not.toMatch(/https?:|\/\//);
    const file = join(mkdtempSync(join(tmpdir(), 'layerdelta-inspect-')), 'inspect.html');
    writeFileSync(file, page);
    const run = await dumpDom(file);
    expect(run.stdout).toContain('data-script="ran"');
    expect(run.stdout).toContain('runtime\nnew: 950 kB');
    expect(consoleMessages(run.stderr)).toEqual([]);
  });
});
