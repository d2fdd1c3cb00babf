import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advise, savableBytes } from '../../src/advice/rules.js';
import type { AdviceItem, AnalysedImage } from '../../src/advice/types.js';
import { diffBinaries } from '../../src/delta/binaries.js';
import { fixtureBinary, fixturePath, fixtureVariant, loadFixtureManifest } from '../support/fixtures.js';
import { analyse, exe, raceHello, writeImages } from './support.js';

const bin = (want: Parameters<typeof fixtureBinary>[0]) => fixturePath(fixtureBinary(want).file);
const size = (file: string) => statSync(file).size;
const of = (items: AdviceItem[], rule: string) => items.filter((i) => i.rule === rule);

let work: string;
let image: AnalysedImage;
let race: string;
let untrimmed: string;

const hello = bin({ program: 'hello', go: '1.23', goarch: 'amd64', stripped: false });
const helloStripped = bin({ program: 'hello', go: '1.23', goarch: 'amd64', stripped: true });
const app = bin({ program: 'app-v1', go: '1.23', goarch: 'amd64', stripped: true });
const webappCgo = bin({ program: 'webapp', go: '1.23', goarch: 'amd64', cgo: true, stripped: true });
const webapp = bin({ program: 'webapp', go: '1.23', goarch: 'amd64', cgo: false, stripped: true });
const cgo = bin({ program: 'cgo', go: '1.23', goarch: 'amd64', stripped: true });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'layerdelta-advice-'));
  race = raceHello();
  untrimmed = fixturePath(fixtureVariant('untrimmed').file); // hello without -trimpath
  await writeImages(join(work, 'layout'), {
    v1: [
      { createdBy: 'COPY hello /usr/bin/hello', entries: [exe('usr/bin/hello', hello)] },
      {
        createdBy: 'COPY app /app',
        entries: [
          exe('app', app),
          exe('srv/app', app),
          { path: 'srv/app-link', type: 'link', target: 'app' },
        ],
      },
      { createdBy: 'COPY app /app # again', entries: [exe('app', app)] },
      {
        createdBy: 'COPY tools /usr/local/bin/',
        entries: [
          exe('usr/local/bin/webapp-cgo', webappCgo),
          exe('usr/local/bin/cgo', cgo),
          exe('usr/local/bin/race', race),
          exe('usr/local/bin/untrimmed', untrimmed),
        ],
      },
    ],
  });
  image = await analyse(join(work, 'layout'), 'v1');
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('go-strip', () => {
  it('on every unstripped fixture binary, the saving is within 5% of its stripped twin (-ldflags="-s -w")', async () => {
    const { binaries } = loadFixtureManifest();
    const unstripped = binaries.filter((b) => !b.stripped);
    expect(unstripped.length).toBeGreaterThan(10);
    // One image holding every unstripped fixture at its own path.
    const dir = join(work, 'all');
    await writeImages(dir, {
      all: [{ createdBy: 'COPY bin /bin', entries: unstripped.map((b) => exe(b.file, fixturePath(b.file))) }],
    });
    const items = of(advise({ image: await analyse(dir, 'all') }), 'go-strip');
    for (const b of unstripped) {
      const twin = binaries.find((t) => t.stripped && t.file === `${b.file}-stripped`)!;
      const real = size(fixturePath(b.file)) - size(fixturePath(twin.file));
      const item = items.find((i) => i.paths?.includes(`/${b.file}`));
      expect(item, b.file).toBeDefined();
      expect(Math.abs(item!.savableBytes - real) / real, b.file).toBeLessThan(0.05);
      expect(item!.measure).toBe('measured');
    }
  }, 120_000);

  it('names the sections readelf lists and says nothing for stripped binaries', () => {
    const items = of(advise({ image }), 'go-strip');
    const item = items.find((i) => i.paths?.includes('/usr/bin/hello'))!;
    const readelf = execFileSync('readelf', ['-SW', hello], { encoding: 'utf8' });
    const names = [...readelf.matchAll(/\]\s+(\.(?:z?debug_\w+|symtab|strtab))\s/g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(3);
    for (const name of names) expect(item.evidence.join('\n'), name).toMatch(new RegExp(`\\${name}[ :]`));
    expect(item.change).toContain('-ldflags="-s -w"');
    // app, webapp-cgo and cgo are stripped fixtures: nothing to remove.
    expect(items.some((i) => i.paths?.some((p) => p.includes('app') || p.includes('cgo')))).toBe(false);
    expect(size(hello) - size(helloStripped)).toBeGreaterThan(0);
  });
});

describe('go-duplicate', () => {
  it('counts every extra copy of the same content: other paths and other layers, not hard links', () => {
    const [item, ...rest] = of(advise({ image }), 'go-duplicate');
    expect(rest).toEqual([]);
    // /app and /srv/app in layer 1, /app again in layer 2: three copies, two too many.
    expect(item!.savableBytes).toBe(2 * size(app));
    expect(item!.paths).toEqual(['/app', '/srv/app']);
    expect(item!.evidence).toEqual([
      'layer 1 (COPY app /app): /app (hidden by a later layer, still shipped)',
      'layer 1 (COPY app /app): /srv/app',
      'layer 2 (COPY app /app # again): /app',
    ]);
  });
});

describe('go-trimpath', () => {
  it('lists exactly the binaries whose build info (go version -m) has no -trimpath=true', () => {
    const [item] = of(advise({ image }), 'go-trimpath');
    const trimmed = (file: string) =>
      /^\tbuild\t-trimpath=true$/m.test(
        execFileSync('/usr/lib/go-1.23/bin/go', ['version', '-m', file], { encoding: 'utf8' }),
      );
    expect(trimmed(untrimmed)).toBe(false);
    expect(trimmed(hello)).toBe(true);
    expect(item!.paths).toEqual(['/usr/local/bin/untrimmed']);
    // The real twin: the same program, toolchain and flags with -trimpath. The file table is most of
    // the difference; DWARF's line tables (compressed) are the rest, so the saving is a lower bound.
    const real = size(untrimmed) - size(hello);
    expect(real).toBeGreaterThan(0);
    expect(item!.savableBytes).toBeLessThanOrEqual(real);
    expect(Math.abs(item!.savableBytes - real) / real).toBeLessThan(0.05);
    expect(item!.measure).toBe('lower-bound');
    expect(item!.evidence[0]).toMatch(/absolute file names in the pclntab.*DWARF line tables/);
  });
});

describe('go-race', () => {
  it('gives a lower bound that the real -race twin exceeds', () => {
    const [item, ...rest] = of(advise({ image }), 'go-race');
    expect(rest).toEqual([]);
    expect(item!.paths).toEqual(['/usr/local/bin/race']);
    expect(item!.measure).toBe('lower-bound');
    // The same program (fixtures/go/hello, same flags) without -race, as the fixtures build it.
    const real = size(race) - size(hello);
    expect(item!.savableBytes).toBeGreaterThan(100_000);
    expect(item!.savableBytes).toBeLessThanOrEqual(real);
  });
});

describe('go-cgo', () => {
  it('advises CGO_ENABLED=0 only where Go linked the binary itself, with a bound its CGO_ENABLED=0 twin exceeds', () => {
    const [item, ...rest] = of(advise({ image }), 'go-cgo');
    // cgo (C code of its own: the system linker) and race (needs cgo) are not advised.
    expect(rest).toEqual([]);
    expect(item!.paths).toEqual(['/usr/local/bin/webapp-cgo']);
    const real = size(webappCgo) - size(webapp);
    expect(item!.savableBytes).toBeGreaterThan(0);
    expect(item!.savableBytes).toBeLessThanOrEqual(real);
    expect(item!.evidence.join('\n')).toMatch(/internal linker/);
    // readelf agrees: the advised binary has no .init, the externally linked one has.
    expect(execFileSync('readelf', ['-SW', webappCgo], { encoding: 'utf8' })).not.toContain(' .init ');
    expect(execFileSync('readelf', ['-SW', cgo], { encoding: 'utf8' })).toContain(' .init ');
  });
});

describe('go-toolchain (compare)', () => {
  it('measures the same code built by two Go versions, and names binaries left on an older one', async () => {
    const appOld = bin({ program: 'app-v1', go: '1.21', goarch: 'amd64', stripped: false });
    const appNew = bin({ program: 'app-v1', go: '1.23', goarch: 'amd64', stripped: false });
    const hello19 = bin({ program: 'hello', go: '1.19', goarch: 'amd64', stripped: false });
    const hello21 = bin({ program: 'hello', go: '1.21', goarch: 'amd64', stripped: false });
    const stayed = bin({ program: 'app-v2', go: '1.19', goarch: 'amd64', stripped: false });
    const dir = join(work, 'toolchain');
    await writeImages(dir, {
      old: [
        {
          createdBy: 'COPY bin /bin',
          entries: [exe('app', appOld), exe('hello', hello19), exe('v2', stayed)],
        },
      ],
      new: [
        {
          createdBy: 'COPY bin /bin',
          entries: [exe('app', appNew), exe('hello', hello21), exe('v2', stayed)],
        },
      ],
    });
    const [baseline, current] = [await analyse(dir, 'old'), await analyse(dir, 'new')];
    const binaries = diffBinaries(baseline.filesystem, current.filesystem);
    const items = of(advise({ image: current, baseline, binaries }), 'go-toolchain');
    expect(size(appNew)).toBeGreaterThan(size(appOld));
    expect(size(hello21)).toBeLessThan(size(hello19));
    const grown = items.find((i) => i.measure === 'measured')!;
    expect(grown.paths).toEqual(['/app']);
    expect(grown.savableBytes).toBe(size(appNew) - size(appOld));
    const behind = items.find((i) => i.measure === 'not-measured')!;
    expect(behind.paths).toEqual(['/v2']);
    expect(behind.title).toContain('go1.19');
    expect(items).toHaveLength(2);
    // Without a baseline the rule has nothing to measure.
    expect(of(advise({ image: current }), 'go-toolchain')).toEqual([]);
  }, 60_000);
});

describe('advise', () => {
  it('sorts by saving and the total adds the items', () => {
    const items = advise({ image });
    expect(items.length).toBeGreaterThan(4);
    for (let i = 1; i < items.length; i++)
      expect(items[i - 1]!.savableBytes).toBeGreaterThanOrEqual(items[i]!.savableBytes);
    expect(savableBytes(items)).toBe(items.reduce((n, i) => n + i.savableBytes, 0));
  });
});
