import { describe, expect, it } from 'vitest';
import { buildImageDelta } from '../../src/delta/compare.js';
import type { BinaryDelta } from '../../src/delta/types.js';
import type { GoBinaryReport } from '../../src/golang/types.js';
import { evaluateThresholds } from '../../src/policy/evaluate.js';
import { renderHtmlReport } from '../../src/report/html/compare-page.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderReport, useColor } from '../../src/report/render.js';
import { summaryLine } from '../../src/report/summary.js';
import { renderText } from '../../src/report/text.js';
import { digestOf, resolvedImage, sampleDelta } from '../delta/images.js';
import { schemaErrors } from './schema.js';

function goReport(size: number, goVersion: string): GoBinaryReport {
  return {
    digest: digestOf(`bin-${size}`),
    size,
    arch: 'amd64',
    format: 'elf64-little',
    stripped: false,
    buildInfo: { goVersion, path: 'example.com/app', deps: [], settings: [] },
    sections: [],
    pclntabVersion: 'go1.20',
    text: { textBytes: 0, goFunctionBytes: 0, paddingBytes: 0, nonGoBytes: 0 },
    packages: [],
    modules: [],
  };
}

const binaries: BinaryDelta[] = [
  {
    path: '/usr/local/bin/app',
    status: 'changed',
    oldLayer: 4,
    newLayer: 4,
    old: goReport(4_000_000, 'go1.21.0'),
    new: goReport(9_000_000, 'go1.23.4'),
    delta: 5_000_000,
    goVersion: { old: 'go1.21.0', new: 'go1.23.4' },
    settingsChanged: [],
    modules: [
      { path: 'golang.org/x/net', change: 'added', newVersion: 'v0.20.0' },
      { path: 'github.com/old/dep', change: 'removed', oldVersion: 'v1.0.0' },
      { path: 'github.com/x/y', change: 'upgraded', oldVersion: 'v1.0.0', newVersion: 'v1.2.0' },
    ],
    packages: [
      { name: 'net/http', oldBytes: 0, newBytes: 900_000, delta: 900_000 },
      { name: 'main', oldBytes: 10_000, newBytes: 130_000, delta: 120_000 },
      { name: 'fmt', oldBytes: 50_000, newBytes: 40_000, delta: -10_000 },
    ],
    sections: [{ name: '.text', oldBytes: 1_000_000, newBytes: 2_000_000, delta: 1_000_000 }],
  },
  {
    path: '/usr/bin/hello',
    status: 'added',
    newLayer: 5,
    new: goReport(1_500_000, 'go1.23.4'),
    delta: 1_500_000,
    goVersion: { new: 'go1.23.4' },
    settingsChanged: [],
    modules: [],
    packages: [],
    sections: [],
  },
];

describe('summaryLine', () => {
  it('leads with the compressed delta and names the layers beyond tolerance', () => {
    expect(summaryLine(sampleDelta())).toBe(
      '+7.2 MB (+85%) compressed; 1 layer beyond ±5%: COPY app /usr/local/bin/app; 1 new layer (+1.2 MB); 1 removed layer (-300 kB)',
    );
  });
  it('adds the uncompressed delta when known', () => {
    expect(summaryLine(sampleDelta({ uncompressed: true }))).toMatch(
      /^\+7\.2 MB \(\+85%\) compressed, \+10 MB \(\+67%\) uncompressed; /,
    );
  });
  it('says when nothing is beyond tolerance, and names layers without history by index and digest', () => {
    const same = buildImageDelta(resolvedImage('a', [['x', 10]]), resolvedImage('b', [['x', 10]]), {
      tolerance: 0.05,
    });
    expect(summaryLine(same)).toBe('0 B (0%) compressed; no layer beyond ±5%');
    const grown = buildImageDelta(resolvedImage('a', [['x', 1000]]), resolvedImage('b', [['y', 2000]]), {
      tolerance: 0.05,
    });
    expect(summaryLine(grown)).toBe(
      `+1 kB (+100%) compressed; 1 layer beyond ±5%: layer 0 (${digestOf('y').slice(7, 19)})`,
    );
  });
});

describe('text report', () => {
  it('prints summary, both images, one row per layer in order, totals', () => {
    const text = renderText(sampleDelta(), { color: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe(summaryLine(sampleDelta()));
    expect(lines[2]).toMatch(
      /^old {2}oci:\/tmp\/layout:v1 {2}[0-9a-f]{12} {2}linux\/amd64 {2}5 layers {2}8\.5 MB compressed$/,
    );
    const header = lines.findIndex((l) => l.startsWith('STATUS'));
    expect(lines[header]).toMatch(
      /^STATUS +OLD LAYER +NEW LAYER +OLD SIZE +NEW SIZE +DELTA +% +PAIRED BY +INSTRUCTION$/,
    );
    const rows = lines.slice(header + 1, header + 7);
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual([
      'reused',
      'removed',
      'reused',
      'changed',
      'grown',
      'new',
    ]);
    expect(rows[4]).toMatch(
      / 4\.5 MB +10\.8 MB +\+6\.3 MB +\+140% +instruction +COPY app \/usr\/local\/bin\/app$/,
    );
    expect(rows[1]).toMatch(/^removed +[0-9a-f]{12} +- +300 kB +- +-300 kB +RUN install-legacy$/);
    expect(text).toContain('Total compressed: 8.5 MB → 15.7 MB, +7.2 MB (+85%)');
    expect(text).toContain(
      'Layers: 2 reused (3.6 MB), 2 changed (1 beyond ±5%), 1 new (+1.2 MB), 1 removed (-300 kB)',
    );
    expect(text).not.toContain('\u001b[');
    expect(text).not.toContain('Go binaries');
  });

  it('colours only when asked (grown red)', () => {
    const text = renderText(sampleDelta(), { color: true });
    expect(text).toMatch(/\u001b\[31mgrown/);
  });

  it('decides colour from the TTY and NO_COLOR', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: false }, {})).toBe(false);
    expect(useColor({}, {})).toBe(false);
  });

  it('shows uncompressed deltas when layers were read', () => {
    const text = renderText(sampleDelta({ uncompressed: true }), { color: false });
    expect(text).toMatch(/^STATUS .* UNCOMPRESSED DELTA +PAIRED BY +INSTRUCTION$/m);
    expect(text).toContain('Total uncompressed: 15 MB → 25 MB, +10 MB (+67%)');
  });

  it('lists Go binaries: sizes, Go version change, top packages grown, module changes', () => {
    const text = renderText(sampleDelta({ binaries }), { color: false });
    expect(text).toContain('Go binaries (file sizes):');
    const row = text.split('\n').find((l) => l.startsWith('/usr/local/bin/app'))!;
    expect(row).toMatch(
      /^\/usr\/local\/bin\/app +changed +4 MB +9 MB +\+5 MB +\+125% +go1\.21\.0 → go1\.23\.4 +net\/http \+900 kB, main \+120 kB +1 added, 1 removed, 1 upgraded$/,
    );
    expect(text).toMatch(/^\/usr\/bin\/hello +added +1\.5 MB +\+1\.5 MB +go1\.23\.4$/m);
    expect(text).toContain('    + golang.org/x/net v0.20.0');
    expect(text).toContain('    - github.com/old/dep v1.0.0');
    expect(text).toContain('    ↑ github.com/x/y v1.0.0 → v1.2.0');
  });

  it('says so when there are no Go binaries', () => {
    expect(renderText(sampleDelta({ binaries: [] }), { color: false })).toContain(
      '(no Go binaries in either image)',
    );
  });

  it('appends the check verdict', () => {
    const delta = sampleDelta();
    const check = evaluateThresholds(delta, { maxGrowth: 0.1 });
    const text = renderText(delta, { color: false, check });
    expect(text).toMatch(
      /Check FAILED: 1 threshold crossed\.\n {2}error: image grew \+7\.2 MB \(\+85%\) compressed, above max-growth 10%\n {2}warning: layer 3 /,
    );
  });
});

describe('Markdown report', () => {
  it('has a heading, the summary, tables and escapes table cells', () => {
    const delta = buildImageDelta(
      resolvedImage('a', [['x', 1000, 'RUN /bin/sh -c echo a | tee <b> # buildkit']]),
      resolvedImage('b', [['y', 1200, 'RUN /bin/sh -c echo a | tee <b> # buildkit']]),
      { tolerance: 0.05 },
    );
    const md = renderMarkdown(delta);
    expect(
      md.startsWith('### layerdelta: <code>oci:/tmp/layout:a</code> → <code>oci:/tmp/layout:b</code>\n'),
    ).toBe(true);
    expect(md).toContain('**+200 B (+20%) compressed; 1 layer beyond ±5%: RUN echo a \\| tee &lt;b&gt;**');
    expect(md).toContain('| **grown** |');
    expect(md).toContain('<code>RUN echo a \\| tee &lt;b&gt;</code>');
    // Every table row has the same number of unescaped pipes as its header.
    const lines = md.split('\n');
    const start = lines.findIndex((l) => l.startsWith('| Status |'));
    expect(start).toBeGreaterThanOrEqual(0);
    const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
    const layerTable = lines.slice(start, end < 0 ? undefined : end);
    // Header, separator and at least one layer row.
    expect(layerTable.length).toBeGreaterThanOrEqual(3);
    const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
    for (const row of layerTable) expect(cells(row), row).toBe(cells(layerTable[0] ?? ''));
  });

  it('escapes Markdown punctuation so instructions cannot start emphasis or links', () => {
    const delta = buildImageDelta(
      resolvedImage('a', [['x', 1000, 'RUN rm -rf /var/lib/*_cache [x]']]),
      resolvedImage('b', [['y', 2000, 'RUN rm -rf /var/lib/*_cache [x]']]),
      { tolerance: 0.05 },
    );
    expect(renderMarkdown(delta)).toContain('<code>RUN rm -rf /var/lib/\\*\\_cache \\[x\\]</code>');
  });

  it('includes binaries with module details and the check result', () => {
    const delta = sampleDelta({ binaries });
    const md = renderMarkdown(delta, { check: evaluateThresholds(delta, {}) });
    expect(md).toContain('#### Go binaries (file sizes)');
    expect(md).toContain(
      '| <code>/usr/local/bin/app</code> | changed | 4 MB | 9 MB | +5 MB | +125% | go1.21.0 → go1.23.4 |',
    );
    expect(md).toContain('<details><summary><code>/usr/local/bin/app</code>: 3 module changes</summary>');
    expect(md).toContain('#### ✅ Check passed (1 warning)');
    expect(md).toContain('_No thresholds set._');
  });
});

describe('JSON report', () => {
  it('is the ImageDelta, valid against the published schema, with binaries and a check', () => {
    const delta = sampleDelta({ binaries, uncompressed: true });
    const check = evaluateThresholds(delta, { maxGrowth: 0.1, maxBinaryGrowthBytes: 1_000_000 });
    const parsed = JSON.parse(renderJson(delta, { check }));
    expect(schemaErrors(parsed)).toEqual([]);
    expect(parsed).toEqual({ ...delta, check });
    expect(parsed.check.findings.map((f: { rule: string }) => f.rule)).toEqual([
      'max-growth',
      'significant-layer-growth',
      'max-binary-growth-bytes',
      'max-binary-growth-bytes',
    ]);
  });

  it('the schema rejects what the contract forbids', () => {
    const good = JSON.parse(renderJson(sampleDelta()));
    expect(schemaErrors(good)).toEqual([]);
    const mutate = (f: (d: typeof good) => void) => {
      const copy = structuredClone(good);
      f(copy);
      return schemaErrors(copy);
    };
    expect(mutate((d) => (d.layers[0].status = 'unchanged'))).not.toEqual([]);
    expect(mutate((d) => delete d.layers[3].significant)).not.toEqual([]);
    expect(mutate((d) => (d.layers[0].significant = true))).not.toEqual([]);
    expect(mutate((d) => (d.layers[1].new = d.layers[0].new))).not.toEqual([]);
    expect(mutate((d) => (d.totals.compressedDelta = 1.5))).not.toEqual([]);
    expect(mutate((d) => (d.schemaVersion = 2))).not.toEqual([]);
    expect(mutate((d) => (d.extra = true))).not.toEqual([]);
  });

  it('renderReport dispatches by format', () => {
    const delta = sampleDelta();
    expect(renderReport(delta, 'json')).toBe(renderJson(delta));
    expect(renderReport(delta, 'markdown')).toBe(renderMarkdown(delta));
    expect(renderReport(delta, 'text')).toBe(renderText(delta, { color: false }));
    const generatedAt = new Date(0);
    expect(renderReport(delta, 'html', { generatedAt })).toBe(renderHtmlReport(delta, { generatedAt }));
  });
});
