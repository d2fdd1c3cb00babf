/**
 * The reports with real extras: the `basic` fixture pair read from its OCI layout, every layer scanned
 * (uncompressed sizes, Go binaries paired by path), then rendered. Ground truth: `gzip -dc | wc -c` of
 * each layer blob, the fixture binaries' file sizes and `go version -m`.
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffBinaries, uncompressedSizes } from '../../src/delta/binaries.js';
import { buildImageDelta } from '../../src/delta/compare.js';
import type { ImageDelta } from '../../src/delta/types.js';
import { LayerReader } from '../../src/pipeline/layer-reader.js';
import { closeAll, resolveBoth } from '../../src/pipeline/resolve-pair.js';
import { evaluateThresholds } from '../../src/policy/evaluate.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';
import { fixtureBinary, fixtureLayout, fixturePath } from '../support/fixtures.js';
import { schemaErrors } from './schema.js';

const GO = '/usr/lib/go-1.23/bin/go';
let delta: ImageDelta;
let layoutDir: string;

beforeAll(async () => {
  layoutDir = fixturePath(fixtureLayout('basic').dir);
  const pair = await resolveBoth(`oci:${layoutDir}:v1`, `oci:${layoutDir}:v2`);
  try {
    const [oldScan, newScan] = await new LayerReader().readImages([pair.old, pair.new]);
    delta = buildImageDelta(pair.old.image, pair.new.image, {
      tolerance: 0.05,
      uncompressedSizes: uncompressedSizes([...oldScan!.scans, ...newScan!.scans]),
      binaries: diffBinaries(oldScan!.filesystem, newScan!.filesystem),
    });
  } finally {
    await closeAll([pair.old.source, pair.new.source]);
  }
});

/** `gzip -dc BLOB | wc -c`: the tar length, independent of our decompressor. */
function tarLength(digest: string): number {
  const blob = `${layoutDir}/blobs/sha256/${digest.slice('sha256:'.length)}`;
  return Number(execFileSync('sh', ['-c', `gzip -dc '${blob}' | wc -c`], { encoding: 'utf8' }).trim());
}

function goVersionOf(file: string): string {
  return execFileSync(GO, ['version', file], { encoding: 'utf8' }).trim().split(/\s+/).at(-1)!;
}

describe('reports with uncompressed sizes and Go binaries (basic fixture)', () => {
  it('carries every layer’s uncompressed size as gzip counts it', () => {
    for (const change of delta.layers) {
      for (const side of [change.old, change.new]) {
        if (side) expect(side.uncompressedSize).toBe(tarLength(side.digest));
      }
    }
    const total = (side: 'old' | 'new') =>
      delta.layers.reduce((sum, l) => sum + (l[side]?.uncompressedSize ?? 0), 0);
    expect(delta.old.uncompressedSize).toBe(total('old'));
    expect(delta.new.uncompressedSize).toBe(total('new'));
    expect(delta.totals.uncompressedDelta).toBe(total('new') - total('old'));
  });

  it('is valid JSON per the schema, binaries included', () => {
    const check = evaluateThresholds(delta, { maxBinaryGrowth: 0.01 });
    const parsed = JSON.parse(renderJson(delta, { check }));
    expect(schemaErrors(parsed)).toEqual([]);
    expect(parsed.binaries.length).toBeGreaterThan(0);
    expect(
      check.findings.some((f) => f.rule === 'max-binary-growth' && f.path === '/usr/local/bin/app'),
    ).toBe(true);
  });

  it('text: the app binary row has the fixture binaries’ sizes and Go version', () => {
    const oldApp = fixturePath(
      fixtureBinary({ program: 'app-v1', go: '1.23', goarch: 'amd64', stripped: false }).file,
    );
    const newApp = fixturePath(
      fixtureBinary({ program: 'app-v2', go: '1.23', goarch: 'amd64', stripped: false }).file,
    );
    const oldSize = statSync(oldApp).size;
    const newSize = statSync(newApp).size;
    const app = delta.binaries!.find((b) => b.path === '/usr/local/bin/app')!;
    expect(app).toMatchObject({ status: 'changed', delta: newSize - oldSize });
    expect(app.goVersion.new).toBe(goVersionOf(newApp));

    const text = renderText(delta, { color: false });
    expect(text).toMatch(/^STATUS .* UNCOMPRESSED DELTA +PAIRED BY +INSTRUCTION$/m);
    expect(text).toMatch(/^Total uncompressed: /m);
    const row = text.split('\n').find((l) => l.startsWith('/usr/local/bin/app '))!;
    expect(row).toBeDefined();
    expect(row).toMatch(/^\/usr\/local\/bin\/app +changed +/);
    expect(row).toContain(goVersionOf(newApp));
    const hello = text.split('\n').find((l) => l.startsWith('/usr/bin/hello '))!;
    expect(hello).toMatch(/^\/usr\/bin\/hello +unchanged +/);
  });

  it('Markdown: binaries table', () => {
    const md = renderMarkdown(delta);
    expect(md).toContain('#### Go binaries (file sizes)');
    expect(md).toMatch(/^\| <code>\/usr\/local\/bin\/app<\/code> \| changed \|/m);
  });
});
