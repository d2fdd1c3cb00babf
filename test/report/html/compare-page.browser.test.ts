/**
 * The compare page in real headless Chromium, fed with a delta built from real Go binaries (the
 * fixture programs app v1 with Go 1.21 and app v2 with Go 1.23), our Go analysis and our layer
 * classification. Ground truth for what the page must show comes from the Go toolchain
 * (`go version -m`, `go tool nm -size`), not from our own analysis.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BinarySpec, binaryFile, buildBinaries } from '../../../fixtures/go-builds.js';
import { diffBinaries } from '../../../src/delta/binaries.js';
import { buildImageDelta } from '../../../src/delta/compare.js';
import type { ImageDelta } from '../../../src/delta/types.js';
import { analyzeGoBinary } from '../../../src/golang/analyze.js';
import type { GoBinaryReport } from '../../../src/golang/types.js';
import type { ImageFilesystem, LocatedBinary } from '../../../src/layer/filesystem.js';
import type { Reference } from '../../../src/reference/reference.js';
import { renderHtmlReport } from '../../../src/report/html/compare-page.js';
import { escapeHtml } from '../../../src/report/html/escape.js';
import { CONTENT_SECURITY_POLICY } from '../../../src/report/html/page.js';
import type { ResolvedImage } from '../../../src/source/types.js';
import { consoleMessages, dumpDom, screenshot } from '../../support/chromium.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const GO = '/usr/lib/go-1.23/bin/go';

const APP_V1: BinarySpec = { program: 'app-v1', go: '1.21', goarch: 'amd64', stripped: false, cgo: false };
const APP_V2: BinarySpec = { program: 'app-v2', go: '1.23', goarch: 'amd64', stripped: false, cgo: false };
const HELLO: BinarySpec = { program: 'hello', go: '1.23', goarch: 'amd64', stripped: true, cgo: false };

// Strings from images are attacker-controlled: each tries to run script if it is not escaped.
const HOSTILE_PATH = `/opt/<script>window.__pwned='path'</script>/"it's" & co`;
const HOSTILE_INSTRUCTION = `/bin/sh -c echo "<img src=x onerror=window.__pwned='run'>" & echo 'ok' > /x`;
const HOSTILE_PACKAGE = `main.(*T).M[<script>window.__pwned='pkg'</script>]`;
const HOSTILE_OCI_PATH = `/tmp/<b onmouseover="x">"v"&'q'`;

/** What `go version -m` says: the Go version, and per dep line its version and `=>` replacement. */
function goVersionM(file: string): {
  goVersion: string;
  deps: Map<string, { version: string; replacement?: string }>;
} {
  const out = execFileSync(GO, ['version', '-m', file], { encoding: 'utf8' });
  const goVersion = out.split('\n')[0]!.split(': ')[1]!.trim();
  const deps = new Map<string, { version: string; replacement?: string }>();
  let last: { version: string; replacement?: string } | undefined;
  for (const line of out.split('\n')) {
    const fields = line.trim().split('\t');
    if (fields[0] === 'dep') {
      last = { version: fields[2]! };
      deps.set(fields[1]!, last);
    } else if (fields[0] === '=>' && last) {
      last.replacement = fields[2] && fields[2] !== '(devel)' ? `${fields[1]} ${fields[2]}` : fields[1]!;
    }
  }
  return { goVersion, deps };
}

/** Function symbols (type T/t) with their size, as `go tool nm -size` prints them. */
function nmSymbols(file: string): Array<{ name: string; size: number }> {
  const out = execFileSync(GO, ['tool', 'nm', '-size', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.split('\n').flatMap((line) => {
    const m = /^\s*[0-9a-f]+\s+(\d+)\s+([Tt])\s+(.+)$/.exec(line);
    return m ? [{ size: Number(m[1]), name: m[3]! }] : [];
  });
}

function ociImage(
  tag: string,
  layers: Array<{ digest: string; size: number; createdBy: string }>,
): ResolvedImage {
  const reference: Reference = { transport: 'oci', path: HOSTILE_OCI_PATH, tag };
  return {
    reference,
    manifestDigest: `sha256:${tag.padEnd(64, '0')}`,
    manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
    platform: { os: 'linux', architecture: 'amd64' },
    availablePlatforms: [{ os: 'linux', architecture: 'amd64' }],
    configDescriptor: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:c', size: 1 },
    config: {
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      history: layers.map((l) => ({ created_by: l.createdBy })),
    },
    layers: layers.map((l, index) => ({
      index,
      descriptor: {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: l.digest,
        size: l.size,
      },
      createdBy: l.createdBy,
    })),
  };
}

/** What the page's DOM holds once its own script ran, read by a probe script inside Chromium. */
interface PageFacts {
  scriptRan: boolean;
  pwned: unknown;
  violations: string[];
  resources: string[];
  scripts: number;
  images: number;
  references: string[];
  h1: string;
  binaryRows: string[][];
  binaryPaths: string[];
  instructionTitles: string[];
  sections: Array<{ path: string; goVersion: string; treemap: string[]; moduleRows: string[][] }>;
  sortedLayerDeltas: number[];
}

const EARLY_PROBE = `<script>window.__violations=[];document.addEventListener('securitypolicyviolation',function(e){window.__violations.push(e.violatedDirective+' '+e.blockedURI)});</script>`;

// Runs at the end of <body>, after the page's own script. Reads the DOM through the browser's API,
// clicks a sortable header, and leaves everything as base64 JSON in <pre id="probe">.
const LATE_PROBE = `<script>(function(){
  function text(e){return e?(e.textContent||'').replace(/\\s+/g,' ').trim():'';}
  function all(root,sel){return Array.prototype.slice.call(root.querySelectorAll(sel));}
  var facts={
    scriptRan:document.documentElement.getAttribute('data-script')==='ran',
    pwned:window.__pwned,
    violations:window.__violations,
    resources:performance.getEntriesByType('resource').map(function(e){return e.name;}),
    scripts:document.scripts.length,
    images:document.images.length,
    references:all(document,'[src],[href],[action],[srcset],[poster],[data]').map(function(e){return e.getAttribute('src')||e.getAttribute('href')||e.getAttribute('action')||'?';}),
    h1:text(document.querySelector('h1')),
    binaryRows:all(document,'table.binaries tbody tr').map(function(r){return all(r,'td').map(text);}),
    binaryPaths:all(document,'table.binaries tbody td.path').map(function(td){return td.textContent;}),
    instructionTitles:all(document,'table.layers td.instruction').map(function(td){return td.getAttribute('title');}),
    sections:all(document,'section.binary').map(function(s){return {
      path:s.querySelector('h3 .path').textContent,
      goVersion:text(s.querySelector('dd.goversion')),
      treemap:all(s,'svg.treemap rect > title').map(function(t){return t.textContent;}),
      moduleRows:all(s,'table').filter(function(t){return text(t.caption).indexOf('Module changes')===0;})
        .flatMap(function(t){return all(t,'tbody tr').map(function(r){return all(r,'td').map(text);});})
    };})
  };
  var table=document.querySelector('table.layers');
  var heads=all(table,'thead th');
  var deltaIndex=heads.findIndex(function(h){return text(h).indexOf('Δ')===0;});
  heads[deltaIndex].click();
  facts.sortedLayerDeltas=all(table,'tbody tr').map(function(r){return Number(r.cells[deltaIndex].getAttribute('data-v'));});
  var bytes=new TextEncoder().encode(JSON.stringify(facts)),bin='';
  for(var i=0;i<bytes.length;i++)bin+=String.fromCharCode(bytes[i]);
  var pre=document.createElement('pre');pre.id='probe';pre.textContent=btoa(bin);document.body.appendChild(pre);
})();</script>`;

function withProbes(page: string): string {
  const csp = page.indexOf('<meta http-equiv="Content-Security-Policy"');
  const afterCsp = page.indexOf('>', csp) + 1;
  const withEarly = page.slice(0, afterCsp) + EARLY_PROBE + page.slice(afterCsp);
  return withEarly.replace('</body>', `${LATE_PROBE}</body>`);
}

function readFacts(dom: string): PageFacts {
  const m = /<pre id="probe">([A-Za-z0-9+/=]+)<\/pre>/.exec(dom);
  if (!m) throw new Error(`no probe output in the dumped DOM:\n${dom.slice(-2000)}`);
  return JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as PageFacts;
}

describe('compare page in headless Chromium', () => {
  let page: string;
  let facts: PageFacts;
  let chromiumLog: string;
  let delta: ImageDelta;
  let truth: {
    old: ReturnType<typeof goVersionM>;
    new: ReturnType<typeof goVersionM>;
    hello: ReturnType<typeof goVersionM>;
    oldSymbols: Array<{ name: string; size: number }>;
    newSymbols: Array<{ name: string; size: number }>;
  };
  const workDir = mkdtempSync(join(tmpdir(), 'layerdelta-html-'));

  // A cold build of the three programs can take minutes; with fixtures/build.sh run first it is instant.
  beforeAll(async () => {
    await buildBinaries([APP_V1, APP_V2, HELLO], ROOT, () => {});
    const file = (spec: BinarySpec) => join(ROOT, binaryFile(spec));
    const bytes = (spec: BinarySpec) => readFileSync(file(spec));
    const [oldApp, newApp, hello] = [bytes(APP_V1), bytes(APP_V2), bytes(HELLO)];
    truth = {
      old: goVersionM(file(APP_V1)),
      new: goVersionM(file(APP_V2)),
      hello: goVersionM(file(HELLO)),
      oldSymbols: nmSymbols(file(APP_V1)),
      newSymbols: nmSymbols(file(APP_V2)),
    };

    const oldReport: GoBinaryReport = analyzeGoBinary(oldApp);
    const newReport: GoBinaryReport = analyzeGoBinary(newApp);
    const helloReport: GoBinaryReport = analyzeGoBinary(hello);
    const filesystem = (binaries: LocatedBinary[]): ImageFilesystem => ({
      files: new Map(),
      goBinaries: new Map(binaries.map((b) => [b.path, b])),
      otherExecutables: new Map(),
    });
    const binaries = diffBinaries(
      filesystem([{ path: '/usr/local/bin/app', layer: 3, report: oldReport }]),
      filesystem([
        { path: '/usr/local/bin/app', layer: 2, report: newReport },
        { path: HOSTILE_PATH, layer: 4, report: helloReport },
      ]),
    );
    // A name as hostile as a generic instantiation can get, among the real ones.
    binaries
      .find((b) => b.path === '/usr/local/bin/app')
      ?.packages.push({ name: HOSTILE_PACKAGE, oldBytes: 0, newBytes: 40_000, delta: 40_000 });

    // Layer sizes as gzip would store the binaries; the base and config layers are stand-ins.
    const gz = (b: Buffer) => gzipSync(b).length;
    const base = {
      digest: 'sha256:base',
      size: 3_100_000,
      createdBy: '/bin/sh -c #(nop) ADD file:0123abcd in / ',
    };
    const copyApp = 'COPY app /usr/local/bin/app # buildkit';
    const config = 'COPY config.yaml /etc/app/ # buildkit';
    // The reused `certs` layer splits the rest into two hunks: the hostile layer alone in the first
    // (removed), app and config paired by instruction in the second, hello left over (new).
    const certs = {
      digest: 'sha256:certs',
      size: 240_000,
      createdBy: 'RUN apk add ca-certificates # buildkit',
    };
    const oldImage = ociImage('v1', [
      base,
      { digest: 'sha256:tmp', size: 420_000, createdBy: HOSTILE_INSTRUCTION },
      certs,
      { digest: 'sha256:app1', size: gz(oldApp), createdBy: copyApp },
      { digest: 'sha256:cfg1', size: 50_000, createdBy: config },
    ]);
    const newImage = ociImage('v2', [
      base,
      certs,
      { digest: 'sha256:app2', size: gz(newApp), createdBy: copyApp },
      { digest: 'sha256:cfg2', size: 50_900, createdBy: config },
      { digest: 'sha256:hello', size: gz(hello), createdBy: `COPY hello ${HOSTILE_PATH} # buildkit` },
    ]);
    delta = buildImageDelta(oldImage, newImage, { tolerance: 0.05, binaries });

    page = renderHtmlReport(delta);
    const htmlFile = join(workDir, 'report.html');
    writeFileSync(htmlFile, page);
    const probed = join(workDir, 'probed.html');
    writeFileSync(probed, withProbes(page));
    const run = await dumpDom(probed);
    chromiumLog = run.stderr;
    facts = readFacts(run.stdout);

    // A picture for people (kept under .cache/, which git ignores).
    const shots = join(ROOT, '.cache/html-report');
    mkdirSync(shots, { recursive: true });
    await screenshot(htmlFile, join(shots, 'compare.png'), { width: 1280, height: 2400 });
  }, 600_000);

  it('is one self-contained file: no URL, no external reference, nothing loaded', () => {
    expect(page).toContain(`content="${escapeHtml(CONTENT_SECURITY_POLICY)}"`);
    expect(page).not.toMatch(/https?:/i);
    expect(page).not.toContain('//');
    // The hostile strings hold `src=` as text; the browser says which attributes there are.
    expect(facts.references.filter((r) => !r.startsWith('#'))).toEqual([]);
    expect(page).not.toMatch(/@import|url\((?!#hatch\))/i);
    expect(facts.resources).toEqual([]);
    expect(facts.violations).toEqual([]);
    expect(consoleMessages(chromiumLog)).toEqual([]);
  });

  it('runs only its own script: hostile strings came out as text', () => {
    expect(facts.scriptRan).toBe(true);
    expect(facts.pwned).toBeUndefined();
    expect(facts.images).toBe(0);
    // The page's script and the two probes, nothing injected.
    expect(facts.scripts).toBe(3);
    for (const hostile of [HOSTILE_PATH, HOSTILE_INSTRUCTION, HOSTILE_PACKAGE, HOSTILE_OCI_PATH]) {
      expect(page).not.toContain(hostile);
    }
    expect(page).toContain(
      '/opt/&lt;script&gt;window.__pwned=&#39;path&#39;&lt;/script&gt;/&quot;it&#39;s&quot; &amp; co',
    );
    // Read back through the DOM, each string is exactly what the data said.
    expect(facts.binaryPaths).toContain(HOSTILE_PATH);
    expect(facts.instructionTitles).toContain(HOSTILE_INSTRUCTION);
    expect(facts.h1).toBe(`layerdelta: oci:${HOSTILE_OCI_PATH}:v1 → oci:${HOSTILE_OCI_PATH}:v2`);
    const app = facts.sections.find((s) => s.path === '/usr/local/bin/app');
    expect(app?.treemap.some((t) => t.split('\n')[0] === HOSTILE_PACKAGE)).toBe(true);
  });

  it('lists both binaries with the Go versions that go version -m reports', () => {
    expect(truth.old.goVersion).toMatch(/^go1\.21\./);
    expect(truth.new.goVersion).toMatch(/^go1\.23\./);
    const appRow = facts.binaryRows.find((r) => r[0] === '/usr/local/bin/app');
    expect(appRow?.[1]).toBe('changed');
    expect(appRow?.[5]).toBe(`${truth.old.goVersion} → ${truth.new.goVersion}`);
    const addedRow = facts.binaryRows.find((r) => r[0] === HOSTILE_PATH);
    expect(addedRow?.[1]).toBe('added');
    expect(addedRow?.[5]).toBe(truth.hello.goVersion);
    const app = facts.sections.find((s) => s.path === '/usr/local/bin/app');
    expect(app?.goVersion).toBe(`${truth.old.goVersion} → ${truth.new.goVersion}`);
  });

  it("draws the new binary's packages in the treemap, with old and new sizes in each tooltip", () => {
    const app = facts.sections.find((s) => s.path === '/usr/local/bin/app')!;
    const byName = new Map(app.treemap.map((t) => [t.split('\n')[0]!, t]));
    const hasCode = (symbols: typeof truth.newSymbols, pkg: string) =>
      symbols.some((s) => s.name.startsWith(`${pkg}.`) && s.size > 0);
    // v2 added the units module and net/http; v1 inlined all of greet: nm shows their code in v2 only.
    for (const pkg of ['example.com/units', 'net/http', 'example.com/greet']) {
      expect(hasCode(truth.newSymbols, pkg)).toBe(true);
      expect(hasCode(truth.oldSymbols, pkg)).toBe(false);
      expect(byName.get(pkg)).toMatch(/\nold: absent\nnew: [\d.]+ [kM]?B\nΔ: \+/);
    }
    // Packages in both versions carry both sizes.
    for (const pkg of ['runtime', 'main', 'fmt']) {
      expect(hasCode(truth.oldSymbols, pkg) && hasCode(truth.newSymbols, pkg)).toBe(true);
      expect(byName.get(pkg)).toMatch(/\nold: [\d.]+ [kM]?B\nnew: [\d.]+ [kM]?B\nΔ: /);
    }
    // The added binary gets a treemap too, from its own report.
    const added = facts.sections.find((s) => s.path === HOSTILE_PATH)!;
    expect(added.treemap.map((t) => t.split('\n')[0])).toContain('runtime');
  });

  it('shows the module changes that the two go version -m outputs differ by', () => {
    const app = facts.sections.find((s) => s.path === '/usr/local/bin/app')!;
    const shown = new Map(app.moduleRows.map((r) => [r[0]!, r]));
    const same = (
      a?: { version: string; replacement?: string },
      b?: { version: string; replacement?: string },
    ) => a?.version === b?.version && a?.replacement === b?.replacement;
    for (const [path, after] of truth.new.deps) {
      const before = truth.old.deps.get(path);
      if (same(before, after)) continue;
      const row = shown.get(path);
      expect(row, `module ${path}`).toBeDefined();
      expect(row?.[1]).toMatch(before === undefined ? /^added$/ : /^(upgraded|replaced)$/);
      // A replaced module may be shown by its version, its replacement (a local directory) or both.
      const shownVersion = row?.[3] ?? '';
      expect([after.version, after.replacement].some((v) => v && shownVersion.includes(v))).toBe(true);
    }
    expect(shown.size).toBeGreaterThan(0);
  });

  it('sorts a table when its header is clicked', () => {
    const sorted = [...facts.sortedLayerDeltas].sort((a, b) => a - b);
    expect(facts.sortedLayerDeltas).toEqual(sorted);
    expect(new Set(facts.sortedLayerDeltas).size).toBeGreaterThan(2);
  });

  it('would notice an external load or an injected script (the probes can fail)', async () => {
    const tampered = page.replace(
      '<main>',
      '<main><img src="http://127.0.0.1:9/pixel.png" alt=""><script>window.__pwned="control"</script>',
    );
    const file = join(workDir, 'tampered.html');
    writeFileSync(file, withProbes(tampered));
    const control = readFacts((await dumpDom(file)).stdout);
    expect(control.pwned).toBe('control');
    expect(control.violations.join('\n')).toContain('img-src');
    expect(control.references).toContain('http://127.0.0.1:9/pixel.png');
  });

  it('shows the same tables with JavaScript disabled', async () => {
    // --dump-dom needs JavaScript itself, so the page's own policy switches its scripts off.
    const noScript = page.replace(
      `script-src ${escapeHtml("'unsafe-inline'")}`,
      `script-src ${escapeHtml("'none'")}`,
    );
    expect(noScript).not.toBe(page);
    const file = join(workDir, 'no-script.html');
    writeFileSync(file, noScript);
    const run = await dumpDom(file);
    expect(run.stdout).not.toContain('data-script="ran"');
    expect(run.stdout).toContain('<a href="#bin-');
    expect(run.stdout).toContain('>/usr/local/bin/app</a></td>');
    expect(run.stdout.match(/<tr class="layer /g)).toHaveLength(delta.layers.length);
    expect(run.stdout).toContain(`${truth.old.goVersion} → ${truth.new.goVersion}`);
  });

  it('renders a screenshot', () => {
    expect(statSync(join(ROOT, '.cache/html-report/compare.png')).size).toBeGreaterThan(20_000);
  });
});
