/**
 * The `--platform all` HTML pages of compare and inspect, made by the built CLI from the fixture `multi`
 * index (an OCI layout): one section per image platform of the index, every id on the page once, every
 * in-page link landing on an id. Ground truth for the platforms and each one's layers: skopeo's view of
 * the layout (the index, then each platform's manifest).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../../commands/cli.js';
import { fixtureLayout } from '../../support/fixtures.js';

interface Index {
  manifests: Array<{ digest: string; platform?: { os: string; architecture: string; variant?: string } }>;
}

const layout = () => fixtureLayout('multi').dir;
let cache: string;
const pages = { compare: '', inspect: '' };

/** Image platforms of the v1 index as skopeo reads it (attestations have platform unknown/unknown). */
function platformsOfV1(): Array<{ name: string; layers: string[] }> {
  const skopeo = (args: string[]) =>
    JSON.parse(execFileSync('skopeo', ['inspect', ...args, `oci:${layout()}:v1`], { encoding: 'utf8' }));
  const index = skopeo(['--raw']) as Index;
  return index.manifests
    .filter((m) => m.platform && m.platform.os !== 'unknown')
    .map(({ platform: p }) => ({
      name: [p!.os, p!.architecture, p!.variant].filter(Boolean).join('/'),
      // skopeo picks that platform's manifest from the index.
      layers: (
        skopeo([
          `--override-os=${p!.os}`,
          `--override-arch=${p!.architecture}`,
          ...(p!.variant ? [`--override-variant=${p!.variant}`] : []),
        ]) as { Layers: string[] }
      ).Layers,
    }));
}

function ids(page: string): string[] {
  return [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
}

/** The page's text from the start of one platform's section to the start of the next. */
function section(page: string, id: string): string {
  const start = page.indexOf(`<section id="${id}">`);
  expect(start, id).toBeGreaterThan(0);
  const next = page.indexOf('<section id="platform-', start + 1);
  return page.slice(start, next < 0 ? undefined : next);
}

beforeAll(async () => {
  await ensureBuilt();
  cache = mkdtempSync(join(tmpdir(), 'layerdelta-platforms-page-'));
  const html = async (args: string[]) => {
    const result = await runCli([...args, '--platform', 'all', '-o', 'html', '--cache-dir', cache]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return result.stdout;
  };
  [pages.compare, pages.inspect] = await Promise.all([
    html(['compare', `oci:${layout()}:v1`, `oci:${layout()}:v2`]),
    html(['inspect', `oci:${layout()}:v1`]),
  ]);
}, 120_000);

afterAll(() => {
  if (cache) rmSync(cache, { recursive: true, force: true });
});

describe('--platform all as HTML', () => {
  it.each(['compare', 'inspect'] as const)('%s: every id once, every in-page link lands on one', (name) => {
    const page = pages[name];
    const all = ids(page);
    expect(all.filter((id, i) => all.indexOf(id) !== i)).toEqual([]);
    const targets = [...page.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThan(2);
    for (const target of targets) expect(all, target).toContain(target);
  });

  it('inspect: a section per image platform of the index, with that platform’s layers', () => {
    const platforms = platformsOfV1();
    expect(platforms.length).toBeGreaterThan(1);
    const sections = [...pages.inspect.matchAll(/<section id="([^"]+)">/g)].map((m) => m[1]);
    expect(sections).toEqual(platforms.map((p) => `platform-${p.name.replaceAll('/', '-')}`));
    for (const p of platforms) {
      const text = section(pages.inspect, `platform-${p.name.replaceAll('/', '-')}`);
      expect(text).toContain(`<h2>Platform ${p.name}</h2>`);
      for (const digest of p.layers) expect(text, `${p.name} ${digest}`).toContain(digest);
    }
  });
});
