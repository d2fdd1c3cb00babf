/**
 * Regenerates docs/demo-report.png: the compare page of the demo pair (fixtures/demo v1 → v2) from
 * the real pipeline (layer scan, Go analysis, binary diff, layer classification), rendered by
 * renderHtmlReport and photographed by headless Chromium at 1280×2000.
 *
 *   npx tsx test/report/html/make-demo-report.ts [out.png]
 *
 * Once `compare` scans binaries, the same picture comes from
 * `./bin/run.js compare oci:fixtures/demo:v1 oci:fixtures/demo:v2 --output html > demo.html`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { diffBinaries, uncompressedSizes } from '../../../src/delta/binaries.js';
import { buildImageDelta } from '../../../src/delta/compare.js';
import { LayerReader } from '../../../src/pipeline/layer-reader.js';
import { closeAll, resolveBoth } from '../../../src/pipeline/resolve-pair.js';
import { renderHtmlReport } from '../../../src/report/html/compare-page.js';
import { screenshot } from '../../support/chromium.js';

const root = resolve(import.meta.dirname, '../../..');
const out = resolve(process.argv[2] ?? join(root, 'docs/demo-report.png'));
process.chdir(root);

const pair = await resolveBoth('oci:fixtures/demo:v1', 'oci:fixtures/demo:v2');
try {
  const [before, after] = await new LayerReader().readImages([pair.old, pair.new]);
  const delta = buildImageDelta(pair.old.image, pair.new.image, {
    tolerance: 0.05,
    uncompressedSizes: uncompressedSizes([...before!.scans, ...after!.scans]),
    binaries: diffBinaries(before!.filesystem, after!.filesystem),
  });
  const page = join(mkdtempSync(join(tmpdir(), 'layerdelta-demo-')), 'demo.html');
  writeFileSync(page, renderHtmlReport(delta));
  await screenshot(page, out, { width: 1280, height: 2000 });
  console.log(`wrote ${out} (page: ${page})`);
} finally {
  await closeAll([pair.old.source, pair.new.source]);
}
