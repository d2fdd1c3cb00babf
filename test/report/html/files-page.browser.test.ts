/**
 * The compare and inspect pages of the real Debian pair (fixtures/debian.ts), made by the built CLI,
 * laid out by headless Chromium at a phone's width (400 px) and a desktop's (1400 px), in light and in
 * dark mode. Each page sits in an iframe of that width (headless windows are at least 500 px wide);
 * a probe inside it reads the layout through the browser's API. Ground truth for the directory bytes:
 * `du --apparent-size` on the root filesystems the layers were made from; for packages, dpkg-query.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DebianFixture, debianFixture } from '../../../fixtures/debian.js';
import { escapeHtml } from '../../../src/report/html/escape.js';
import { ensureBuilt, ROOT, runCli } from '../../commands/cli.js';
import { consoleMessages, dumpDom } from '../../support/chromium.js';
import { duBytes } from '../../support/du.js';

// A phone, the medium treemap band (641–1000 px) and a desktop.
const WIDTHS = [400, 800, 1400] as const;
// 2025-12-01 18:00 UTC: the report's date comes from SOURCE_DATE_EPOCH, so the file is reproducible.
const EPOCH = '1764612000';

type Box = [left: number, top: number, right: number, bottom: number];

interface FrameFacts {
  clientWidth: number;
  scrollWidth: number;
  /** Elements outside a table's scroll box that reach past the right edge, for the failure message. */
  overflowing: string[];
  dark: boolean;
  background: string;
  color: string;
  headerBackground: string;
  footer: string;
  removedNote: string;
  tables: Array<{ caption: string; columns: number; visible: number; wrapped: boolean; rows: string[][] }>;
  treemaps: Array<{
    label: string;
    variant: string;
    width: number;
    cells: Array<{
      path: string;
      title: string;
      rect: Box;
      text: Box | null;
      label: string | null;
      fontPx: number;
    }>;
  }>;
  hiddenTreemaps: number;
}

// Runs at the end of the page's body, inside its iframe; leaves base64 JSON in the parent's <pre>.
const PROBE = `<script>(function(){
  function all(root,sel){return Array.prototype.slice.call(root.querySelectorAll(sel));}
  function text(e){return e?(e.textContent||'').replace(/\\s+/g,' ').trim():'';}
  function box(e){var r=e.getBoundingClientRect();return [r.left,r.top,r.right,r.bottom];}
  var vw=document.documentElement.clientWidth;
  var tables=all(document,'table').map(function(t){
    var wrap=t.parentElement.classList.contains('table-wrap')?t.parentElement:null;
    var clip=wrap?wrap.getBoundingClientRect():{left:0,right:vw};
    var head=t.tHead?t.tHead.rows[0]:t.rows[0];
    var visible=Array.prototype.filter.call(head.cells,function(c){var r=c.getBoundingClientRect();
      return r.width>0&&r.left<Math.min(clip.right,vw)-1&&r.right>Math.max(clip.left,0)+1;}).length;
    return {caption:text(t.caption)||text(t.previousElementSibling&&t.parentElement.previousElementSibling),columns:head.cells.length,visible:visible,wrapped:!!wrap,
      rows:all(t,'tbody tr').map(function(r){return all(r,'td').map(text);})};
  });
  var svgs=all(document,'svg.treemap');
  var shown=svgs.filter(function(s){return s.getBoundingClientRect().width>0;});
  var treemaps=shown.map(function(svg){
    var scale=svg.getBoundingClientRect().width/svg.viewBox.baseVal.width;
    return {label:svg.getAttribute('aria-label'),variant:svg.getAttribute('class'),width:svg.getBoundingClientRect().width,
      cells:all(svg,'g.tm-cell').map(function(g){var t=g.querySelector('text'),r=g.querySelector('rect');
        return {path:g.getAttribute('data-path')||g.getAttribute('data-package'),title:r.querySelector('title').textContent,
          rect:box(r),text:t?box(t):null,label:t?text(t):null,fontPx:t?parseFloat(getComputedStyle(t).fontSize)*scale:0};})};
  });
  // Outside the tables' own scroll boxes, what reaches past the right edge (named when the page scrolls).
  var overflowing=all(document.body,'*').filter(function(e){return !e.closest('.table-wrap')&&!e.closest('svg')&&e.getBoundingClientRect().right>vw+0.5;})
    .slice(0,8).map(function(e){var r=e.getBoundingClientRect();return e.tagName.toLowerCase()+(e.className?'.'+String(e.className).replace(/ /g,'.'):'')+' '+Math.round(r.left)+'..'+Math.round(r.right)+' '+text(e).slice(0,60);});
  var body=getComputedStyle(document.body);
  var facts={clientWidth:vw,scrollWidth:document.scrollingElement.scrollWidth,overflowing:overflowing,
    dark:matchMedia('(prefers-color-scheme: dark)').matches,background:body.backgroundColor,color:body.color,
    headerBackground:getComputedStyle(document.querySelector('th')).backgroundColor,
    footer:text(document.querySelector('footer')),removedNote:text(document.querySelector('p.gone')),
    tables:tables,treemaps:treemaps,hiddenTreemaps:svgs.length-shown.length};
  var bytes=new TextEncoder().encode(JSON.stringify(facts)),bin='';
  for(var i=0;i<bytes.length;i++)bin+=String.fromCharCode(bytes[i]);
  parent.document.getElementById('out-'+window.frameElement.id).textContent=btoa(bin);
})();</script>`;

/** One harness page: every report at every width, each in an iframe (srcdoc: same origin as the harness). */
function harness(pages: Record<string, string>): string {
  const frames = Object.entries(pages).flatMap(([name, page]) =>
    WIDTHS.map((width) => {
      const id = `${name}-${width}`;
      const doc = page.replace('</body>', `${PROBE}</body>`);
      return `<pre id="out-${id}"></pre><iframe id="${id}" style="width:${width}px;height:1200px;border:0" srcdoc="${escapeHtml(doc)}"></iframe>`;
    }),
  );
  return `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${frames.join('')}</body></html>`;
}

function readFrames(dom: string): Map<string, FrameFacts> {
  const facts = new Map<string, FrameFacts>();
  for (const m of dom.matchAll(/<pre id="out-([\w-]+)">([A-Za-z0-9+/=]*)<\/pre>/g)) {
    if (m[2]) facts.set(m[1]!, JSON.parse(Buffer.from(m[2], 'base64').toString('utf8')) as FrameFacts);
  }
  return facts;
}

/** `name\nold: 1.2 MB (1234 bytes)\nnew: …`: the exact byte counts a directory's tooltip shows. */
function tooltipBytes(title: string): { old: number | undefined; new: number } {
  const side = (name: string) => new RegExp(`\\n${name}: [^\\n]*\\((\\d+) bytes\\)`).exec(title)?.[1];
  const after = side('new') ?? /\n[^\n]*\((\d+) bytes\)/.exec(title)?.[1];
  const before = side('old');
  return { old: before === undefined ? undefined : Number(before), new: Number(after) };
}

let fixture: DebianFixture;
let workDir: string;
let compareHtml: string;
let compareAgain: string;
let inspectHtml: string;
let light: Map<string, FrameFacts>;
let dark: Map<string, FrameFacts>;
let chromiumLog: string;
const ref = (tag: string) => `oci:${fixture.layout}:${tag}`;

beforeAll(async () => {
  // Cold: mmdebstrap runs (minutes, see fixtures/debian.ts); warm: a marker file is read.
  fixture = await debianFixture();
  await ensureBuilt();
  workDir = mkdtempSync(join(tmpdir(), 'layerdelta-files-html-'));
  const cache = join(workDir, 'cache');
  const cli = async (args: string[]) => {
    const result = await runCli([...args, '--output', 'html', '--cache-dir', cache], {
      env: { SOURCE_DATE_EPOCH: EPOCH },
      timeoutMs: 240_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return result.stdout;
  };
  compareHtml = await cli(['compare', ref('v1'), ref('v2')]);
  compareAgain = await cli(['compare', ref('v1'), ref('v2')]);
  inspectHtml = await cli(['inspect', ref('v2')]);
  const file = join(workDir, 'harness.html');
  writeFileSync(file, harness({ compare: compareHtml, inspect: inspectHtml }));
  const lightRun = await dumpDom(file, 120_000);
  chromiumLog = lightRun.stderr;
  light = readFrames(lightRun.stdout);
  dark = readFrames((await dumpDom(file, 120_000, { darkMode: true })).stdout);
}, 45 * 60_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const frames = () =>
  (['compare', 'inspect'] as const).flatMap((page) =>
    WIDTHS.map((width) => ({ page, width, id: `${page}-${width}`, facts: light.get(`${page}-${width}`)! })),
  );

describe('the HTML reports of a real Debian pair at 400, 800 and 1400 px', () => {
  it('every probe ran, in a frame of the width asked for, without console errors', () => {
    for (const { id, width, facts } of frames()) {
      expect(facts, id).toBeDefined();
      expect(facts.clientWidth, id).toBe(width);
    }
    expect(consoleMessages(chromiumLog)).toEqual([]);
  });

  it('never scrolls sideways: a wide table scrolls in its own box, with more than one column in view', () => {
    for (const { id, facts } of frames()) {
      expect(facts.scrollWidth, `${id}: ${facts.overflowing.join(' | ')}`).toBeLessThanOrEqual(
        facts.clientWidth,
      );
      expect(facts.tables.length, id).toBeGreaterThan(2);
      for (const table of facts.tables) {
        expect(table.wrapped, `${id} ${table.caption}`).toBe(true);
        if (table.columns > 1) expect(table.visible, `${id} ${table.caption}`).toBeGreaterThan(1);
      }
    }
    // The probe can tell a cut table from a whole one: at 400 px some table does not fit entirely.
    const narrow = light.get('compare-400')!;
    expect(narrow.tables.some((t) => t.visible < t.columns)).toBe(true);
  });

  it('shows one drawing of each treemap, labels inside their cells and readable, the rest in tooltips', () => {
    for (const { id, width, facts } of frames()) {
      expect(facts.treemaps.length, id).toBe(1);
      expect(facts.hiddenTreemaps, id).toBe(2);
      const map = facts.treemaps[0]!;
      expect(map.variant, id).toContain(
        width === 400 ? 'tm-narrow' : width === 800 ? 'tm-medium' : 'tm-wide',
      );
      expect(map.width, id).toBeLessThanOrEqual(width);
      const labelled = map.cells.filter((c) => c.text !== null);
      const unlabelled = map.cells.filter((c) => c.text === null);
      expect(labelled.length, id).toBeGreaterThan(10);
      expect(unlabelled.length, id).toBeGreaterThan(0);
      for (const cell of map.cells) {
        // Every cell carries its full path (and sizes) in its tooltip, labelled or not.
        expect(cell.title.split('\n')[0], id).toBe(cell.path);
        if (!cell.text) continue;
        const [l, t, r, b] = cell.rect;
        const [tl, tt, tr, tb] = cell.text;
        const where = `${id} ${cell.path} label ${cell.label} ${JSON.stringify(cell.text)} in ${JSON.stringify(cell.rect)}`;
        expect(tl >= l - 0.5 && tt >= t - 0.5 && tr <= r + 0.5 && tb <= b + 0.5, where).toBe(true);
        expect(cell.fontPx, where).toBeGreaterThanOrEqual(9);
      }
    }
  });

  it("shows directory bytes that equal du's apparent sizes on the root filesystems (±1%)", () => {
    for (const width of WIDTHS) {
      const cells = light.get(`compare-${width}`)!.treemaps[0]!.cells;
      // The top-level directories and the biggest ones of the new image.
      const top = cells.filter((c) => c.path.split('/').length === 2);
      const biggest = [...cells]
        .sort((a, b) => tooltipBytes(b.title).new - tooltipBytes(a.title).new)
        .slice(0, 8);
      expect(top.map((c) => c.path)).toEqual(expect.arrayContaining(['/usr', '/var', '/etc']));
      for (const cell of new Set([...top, ...biggest])) {
        const shown = tooltipBytes(cell.title);
        const after = duBytes(join(fixture.rootfs.v2, cell.path));
        const before = duBytes(join(fixture.rootfs.v1, cell.path));
        expect(
          Math.abs(shown.new - after),
          `${cell.path} new ${shown.new} vs du ${after}`,
        ).toBeLessThanOrEqual(after * 0.01);
        expect(Math.abs((shown.old ?? 0) - before), `${cell.path} old vs du ${before}`).toBeLessThanOrEqual(
          before * 0.01,
        );
      }
    }
    // `rm -rf /usr/share/doc` left no area in the new image: the directory is named next to the map.
    expect(duBytes(join(fixture.rootfs.v2, 'usr/share/doc'))).toBe(0);
    expect(light.get('compare-400')!.removedNote).toMatch(
      /Removed directories: \/usr\/share\/doc -[\d.]+ MB/,
    );
  });

  it('colours directories by growth: grown, shrunk and new as du says they changed', () => {
    const cells = new Map(light.get('compare-1400')!.treemaps[0]!.cells.map((c) => [c.path, c]));
    const grew = duBytes(join(fixture.rootfs.v2, 'usr/lib')) > duBytes(join(fixture.rootfs.v1, 'usr/lib'));
    expect(grew).toBe(true);
    expect(compareHtml).toMatch(/<g class="tm-cell" data-path="\/usr\/lib"><rect class="tm-grow-\d"/);
    expect(compareHtml).toMatch(/<g class="tm-cell" data-path="\/usr\/share"><rect class="tm-shrink-\d"/);
    expect(cells.get('/usr/lib')?.title).toMatch(/\nΔ: \+/);
  });

  it('lists the packages that came, with the versions dpkg-query reads on the root filesystem', () => {
    const facts = light.get('compare-400')!;
    const packages = facts.tables.find((t) => t.rows.some((r) => r[0] === 'curl' && r[1] === 'added'));
    expect(packages).toBeDefined();
    const admindir = `--admindir=${join(fixture.rootfs.v2, 'var/lib/dpkg')}`;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} syntax
    const version = execFileSync('dpkg-query', [admindir, '-W', '-f', '${Version}', 'curl'], {
      encoding: 'utf8',
    });
    expect(packages!.rows.find((r) => r[0] === 'curl')?.[3]).toBe(version);
  });

  it('is the same file for the same input (treemap layout included)', () => {
    expect(compareAgain).toBe(compareHtml);
  });

  it('inspect shows each layer with its uncompressed size, and the biggest directories', () => {
    const facts = light.get('inspect-1400')!;
    const layers = facts.tables.find(
      (t) => t.rows.length === fixture.layers.v2.length && /^\d+$/.test(t.rows[0]![0]!),
    );
    expect(layers?.rows.every((r) => / unc\.$/.test(r[3]!))).toBe(true);
    const biggest = facts.tables.find((t) => t.rows.some((r) => r[0] === '/usr/lib/x86_64-linux-gnu'));
    expect(biggest).toBeDefined();
    expect(inspectHtml).toContain('class="treemap tm-narrow"');
  });

  it("has a footer with the tool's version and the report's date", () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const { id, facts } of frames()) {
      expect(facts.footer, id).toContain(`Generated by layerdelta ${version} on 2025-12-01 18:00 UTC.`);
    }
  });

  it('turns dark under prefers-color-scheme: dark, light otherwise', () => {
    const luminance = (rgb: string) => {
      const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    for (const { id, facts } of frames()) {
      const night = dark.get(id)!;
      expect(facts.dark, id).toBe(false);
      expect(night.dark, id).toBe(true);
      expect(luminance(facts.background), id).toBeGreaterThan(200);
      expect(luminance(facts.color), id).toBeLessThan(80);
      expect(luminance(night.background), id).toBeLessThan(40);
      expect(luminance(night.color), id).toBeGreaterThan(180);
      expect(luminance(night.headerBackground), id).toBeLessThan(60);
      // The layout does not change with the colours.
      expect(night.scrollWidth, `${id}: ${night.overflowing.join(' | ')}`).toBeLessThanOrEqual(
        night.clientWidth,
      );
    }
  });
});
