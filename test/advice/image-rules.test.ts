import { execFileSync } from 'node:child_process';
import {
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DebianFixture, debianFixture } from '../../fixtures/debian.js';
import { filler, type TarEntry } from '../../fixtures/oci-writer.js';
import { advise } from '../../src/advice/rules.js';
import type { AdviceItem, AnalysedImage } from '../../src/advice/types.js';
import { wastedBytes } from '../../src/files/wasted.js';
import { formatBytes } from '../../src/units.js';
import { fixtureBinary, fixturePath } from '../support/fixtures.js';
import { analyse, exe, writeImages } from './support.js';

/** An unstripped Go binary standing in for the toolchain's own `go` command. */
const goBinary = fixturePath(
  fixtureBinary({ program: 'hello', go: '1.23', goarch: 'amd64', stripped: false }).file,
);

/** Real Debian files: every path two installed packages own, copied from this (Debian) machine. */
const PACKAGES = ['tar', 'gzip'];

let work: string;
let root: string;
let image: AnalysedImage;

const of = (items: AdviceItem[], rule: string) => items.filter((i) => i.rule === rule);

/** Every entry under `dir`, as tar entries with paths relative to `dir`. */
function entriesOf(dir: string): TarEntry[] {
  const out: TarEntry[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      const full = join(at, name);
      const path = relative(dir, full);
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) out.push({ path, type: 'symlink', target: readlinkSync(full) });
      else if (stat.isDirectory()) {
        out.push({ path, type: 'dir' });
        walk(full);
      } else out.push({ path, type: 'file', data: readFileSync(full), mode: stat.mode & 0o7777 });
    }
  };
  walk(dir);
  return out;
}

/** `du --apparent-size` of the regular files find selects: bytes, as du counts them. */
function du(dir: string, ...findArgs: string[]): number {
  const files = execFileSync('find', [dir, '-type', 'f', ...findArgs, '-print0']);
  const out = execFileSync('du', ['--apparent-size', '--block-size=1', '-c', '--files0-from=-'], {
    input: files,
    encoding: 'utf8',
  });
  return Number(/^(\d+)\s+total$/m.exec(out)![1]);
}

function within1Percent(actual: number, expected: number): void {
  expect(expected).toBeGreaterThan(0);
  expect(Math.abs(actual - expected) / expected).toBeLessThan(0.01);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'layerdelta-advice-image-'));
  root = join(work, 'root');
  const owned = execFileSync('dpkg', ['-L', ...PACKAGES], { encoding: 'utf8' }).split('\n');
  for (const path of owned) {
    if (!path.startsWith('/usr/share/')) continue;
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat || stat.isDirectory()) continue;
    mkdirSync(join(root, dirname(path)), { recursive: true });
    cpSync(path, join(root, path), { verbatimSymlinks: true });
  }
  mkdirSync(join(root, 'usr/local/go/bin'), { recursive: true });
  cpSync(goBinary, join(root, 'usr/local/go/bin/go'));
  mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/status'), 'Package: tar\nStatus: install ok installed\n\n');
  for (const [path, size] of [
    ['root/.cache/pip/http/a/b/cached-wheel', 30_000],
    ['root/.npm/_cacache/index-v5/00/cache', 12_345],
    ['app/__pycache__/main.cpython-311.pyc', 4_000],
    ['app/lib/__pycache__/util.cpython-311.pyc', 2_500],
    ['usr/local/go/src/fmt/print.go', 50_000],
    ['usr/local/go/pkg/tool/linux_amd64/compile', 400_000],
    ['usr/include/zlib.h', 97_323],
  ] as const) {
    mkdirSync(join(root, dirname(path)), { recursive: true });
    writeFileSync(join(root, path), filler(path, size));
  }
  const lists = (name: string, size: number): TarEntry => ({
    path: `var/lib/apt/lists/${name}`,
    type: 'file',
    data: filler(name, size),
  });
  await writeImages(join(work, 'layout'), {
    v1: [
      { createdBy: 'COPY rootfs /', entries: entriesOf(root) },
      {
        createdBy: '/bin/sh -c apt-get update && apt-get install -y tar',
        entries: [lists('deb.debian.org_InRelease', 60_000), lists('deb.debian.org_Packages.lz4', 700_000)],
      },
      {
        createdBy: '/bin/sh -c rm -rf /var/lib/apt/lists/*',
        entries: [
          { path: 'var/lib/apt/lists/.wh.deb.debian.org_InRelease', type: 'file', data: Buffer.alloc(0) },
          { path: 'var/lib/apt/lists/.wh.deb.debian.org_Packages.lz4', type: 'file', data: Buffer.alloc(0) },
        ],
      },
      {
        createdBy: 'COPY build /usr/local/bin/',
        entries: [
          exe(
            'usr/local/bin/tool',
            fixturePath(
              fixtureBinary({ program: 'hello', go: '1.23', goarch: 'amd64', stripped: true }).file,
            ),
          ),
        ],
      },
      {
        createdBy: 'COPY tool2 /usr/local/bin/tool',
        entries: [{ path: 'usr/local/bin/tool', type: 'file', data: filler('t', 1000) }],
      },
    ],
  });
  image = await analyse(join(work, 'layout'), 'v1');
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('docs-man-locale', () => {
  it('names /usr/share/doc, man and locale with bytes within 1% of du, copyright and locale.alias kept', () => {
    const items = of(advise({ image }), 'docs-man-locale');
    const byDir = (dir: string) => items.find((i) => i.paths?.[0] === dir)!;
    within1Percent(
      byDir('/usr/share/doc').savableBytes,
      du(join(root, 'usr/share/doc'), '!', '-name', 'copyright'),
    );
    within1Percent(byDir('/usr/share/man').savableBytes, du(join(root, 'usr/share/man')));
    within1Percent(
      byDir('/usr/share/locale').savableBytes,
      du(join(root, 'usr/share/locale'), '!', '-path', '*/usr/share/locale/locale.alias'),
    );
    // A dpkg image gets the path-exclude recipe.
    expect(byDir('/usr/share/doc').change).toContain('path-exclude=/usr/share/doc/*');
    expect(byDir('/usr/share/doc').change).toContain('path-include=/usr/share/doc/*/copyright');
    expect(byDir('/usr/share/man').change).toContain('path-exclude=/usr/share/man/*');
    expect(byDir('/usr/share/doc').evidence).toEqual([
      expect.stringMatching(/^layer 0 \(COPY rootfs \/\) wrote /),
    ]);
  });
});

describe('package-manager-leftovers', () => {
  it('names each cache with bytes within 1% of du, and every __pycache__ directory', () => {
    const items = of(advise({ image }), 'package-manager-leftovers');
    const byPath = (p: string) => items.find((i) => i.paths?.includes(p))!;
    within1Percent(byPath('/root/.cache/pip').savableBytes, du(join(root, 'root/.cache/pip')));
    within1Percent(byPath('/root/.npm').savableBytes, du(join(root, 'root/.npm')));
    const pycache = byPath('/app/__pycache__');
    expect(pycache.paths).toEqual(['/app/__pycache__', '/app/lib/__pycache__']);
    within1Percent(pycache.savableBytes, du(join(root, 'app'), '-path', '*/__pycache__/*'));
    // The apt lists were deleted by a later layer: not a leftover of the final filesystem.
    expect(items.some((i) => i.paths?.includes('/var/lib/apt/lists'))).toBe(false);
  });
});

describe('hidden-bytes', () => {
  it('names the layer that wrote the bytes and the one that deleted or overwrote them', () => {
    const items = of(advise({ image }), 'hidden-bytes');
    const apt = items.find((i) => i.paths?.some((p) => p.startsWith('/var/lib/apt/lists/')))!;
    expect(apt.savableBytes).toBe(760_000);
    expect(apt.evidence.slice(0, 2)).toEqual([
      'written by layer 1 (RUN apt-get update && apt-get install -y tar)',
      'deleted by layer 2 (RUN rm -rf /var/lib/apt/lists/*)',
    ]);
    const tool = items.find((i) => i.paths?.includes('/usr/local/bin/tool'))!;
    expect(tool.title).toContain('overwritten by layer 4');
    expect(tool.savableBytes).toBe(
      lstatSync(
        fixturePath(fixtureBinary({ program: 'hello', go: '1.23', goarch: 'amd64', stripped: true }).file),
      ).size,
    );
    expect(items).toHaveLength(2);
    // One home for the fact: the rule's bytes are the files view's wasted bytes of the writing layers.
    const wasted = wastedBytes(image.scans, image.filesystem);
    expect(apt.savableBytes + tool.savableBytes).toBe(wasted.bytes);
    expect(wasted.byLayer[1]!.bytes).toBe(apt.savableBytes);
  });
});

describe('build-toolchains', () => {
  it('names the Go toolchain and C headers with bytes within 1% of du; the Go rules leave its binaries alone', () => {
    const items = advise({ image });
    const toolchains = of(items, 'build-toolchains');
    const go = toolchains.find((i) => i.paths?.includes('/usr/local/go'))!;
    within1Percent(go.savableBytes, du(join(root, 'usr/local/go')));
    const headers = toolchains.find((i) => i.paths?.includes('/usr/include'))!;
    within1Percent(headers.savableBytes, du(join(root, 'usr/include')));
    expect(toolchains).toHaveLength(2);
    expect(
      items.some((i) => i.rule.startsWith('go-') && i.paths?.some((p) => p.startsWith('/usr/local/go'))),
    ).toBe(false);
  });
});

/**
 * The regular files `dpkg-query -L` lists for `names` in a root filesystem, once per inode, without what
 * docs-man-locale counts (docs but their copyright, man pages, translations but locale.alias).
 */
function dpkgOwnedBytes(root: string, names: string[]): number {
  const admindir = `--admindir=${join(root, 'var/lib/dpkg')}`;
  const seen = new Set<number>();
  let bytes = 0;
  for (const name of names) {
    for (const path of execFileSync('dpkg-query', [admindir, '-L', name], { encoding: 'utf8' }).split('\n')) {
      if (!path.startsWith('/')) continue;
      if (path.startsWith('/usr/share/doc/') && !path.endsWith('/copyright')) continue;
      if (path.startsWith('/usr/share/man/')) continue;
      if (path.startsWith('/usr/share/locale/') && path !== '/usr/share/locale/locale.alias') continue;
      const stats = lstatSync(join(root, path), { throwIfNoEntry: false });
      if (!stats?.isFile() || seen.has(stats.ino)) continue;
      seen.add(stats.ino);
      bytes += stats.size;
    }
  }
  return bytes;
}

describe('build-toolchains on a real Debian image (fixtures/debian.sh v3: v2 + libc6-dev cpp)', () => {
  let fixture: DebianFixture;
  let debian: AnalysedImage;
  beforeAll(async () => {
    fixture = await debianFixture();
    debian = await analyse(fixture.layout, 'v3');
  }, 40 * 60_000);

  it('names the dpkg packages with dpkg-query’s Installed-Size and the bytes of the files they own', () => {
    const root = fixture.rootfs.v3;
    const installed = new Map(
      execFileSync(
        'dpkg-query',
        [
          `--admindir=${join(root, 'var/lib/dpkg')}`,
          '-W',
          '-f',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own ${field} syntax
          '${Package} ${Installed-Size}\n',
        ],
        { encoding: 'utf8' },
      )
        .trim()
        .split('\n')
        .map((line) => [line.split(' ')[0]!, Number(line.split(' ')[1]) * 1024] as const),
    );
    // What the step installed (dpkg-query on v2 and v3), but the runtime libraries libnsl2, libtirpc3
    // and libtirpc-common.
    const expected: Record<string, string[]> = {
      'C compiler (gcc)': ['cpp', 'cpp-12', 'libisl23', 'libmpc3', 'libmpfr6'],
      'C headers (-dev packages)': [
        'libc-dev-bin',
        'libc6-dev',
        'libcrypt-dev',
        'libnsl-dev',
        'libtirpc-dev',
        'linux-libc-dev',
        'rpcsvc-proto',
      ],
    };
    const items = of(advise({ image: debian }), 'build-toolchains');
    expect(items.map((i) => i.title.split(':')[0]).sort()).toEqual(Object.keys(expected));
    for (const item of items) {
      const names = expected[item.title.split(':')[0]!]!;
      const shown = item.evidence.flatMap((line) => {
        const m = /^(\S+) \S+: .+ of files in the image \(dpkg Installed-Size (.+)\)$/.exec(line);
        return m ? [[m[1]!, m[2]!] as const] : [];
      });
      expect(shown.map(([name]) => name).sort()).toEqual(names);
      for (const [name, size] of shown) expect(size, name).toBe(formatBytes(installed.get(name)!));
      expect(item.savableBytes).toBe(dpkgOwnedBytes(root, names));
      expect(item.measure).toBe('measured');
      expect(item.evidence.at(-1)).toMatch(/^layer 3 \(RUN apt-get install .*libc6-dev cpp\) wrote /);
    }
  });
});
