/**
 * Go binaries for the analysis tests: the fixture binaries of fixtures/build/manifest.json (when
 * fixtures/build.sh has run) plus the test program in test/golang/testdata/goprog (generics, a
 * replaced dependency, cgo) built here with the real toolchains (Go 1.19/1.21/1.23 × amd64/arm64 ×
 * stripped/unstripped, cgo on amd64). Builds go to a temp directory keyed by the sources, so every
 * test file and run reuses them.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { goCacheDir } from '../../../fixtures/go-builds.js';

const run = promisify(execFile);

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const MANIFEST = join(REPO_ROOT, 'fixtures/build/manifest.json');
const PROGRAM_DIR = join(REPO_ROOT, 'test/golang/testdata/goprog');

export interface TestBinary {
  file: string;
  program: string;
  go: string;
  goarch: string;
  stripped: boolean;
  cgo: boolean;
  /** Built with `-race` (cgo, amd64): links the race runtime's C++ code internally. */
  race?: boolean;
}

export const GO_VERSIONS = ['1.19', '1.21', '1.23'];

export function goTool(version: string): string {
  return `/usr/lib/go-${version}/bin/go`;
}

/** The `go` used for ground truth (`go version -m`, `go tool nm`): the newest installed. */
export function referenceGo(): string {
  for (const v of [...GO_VERSIONS].reverse()) if (existsSync(goTool(v))) return goTool(v);
  throw new Error('no Go toolchain in /usr/lib/go-1.XX: run scripts/install-deps.sh');
}

/** The binaries that match, at least one: a loop over none would pass without testing anything. */
export function some(binaries: TestBinary[], predicate: (b: TestBinary) => boolean): TestBinary[] {
  const chosen = binaries.filter(predicate);
  expect(chosen.length, 'no test binary matches').toBeGreaterThan(0);
  return chosen;
}

/** Every fixture binary of the manifest (when built) plus our own test program's builds. */
export async function testBinaries(): Promise<TestBinary[]> {
  return [...manifestBinaries(), ...(await buildOwn())];
}

export function manifestBinaries(): TestBinary[] {
  if (!existsSync(MANIFEST)) return [];
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as { binaries?: TestBinary[] };
  return (manifest.binaries ?? [])
    .map((b) => ({ ...b, file: resolve(REPO_ROOT, b.file) }))
    .filter((b) => existsSync(b.file));
}

/** Bump when the set of builds changes, so cached build directories are not reused. */
const RECIPE = "v3: -trimpath, the fixtures' build cache";

function sourceHash(dir = PROGRAM_DIR, recipe = RECIPE): string {
  const hash = createHash('sha256').update(recipe);
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(path).update(readFileSync(path));
    }
  };
  walk(dir);
  return hash.digest('hex').slice(0, 16);
}

/**
 * One test file builds while the others wait (vitest runs files in parallel processes); a lock left
 * by a killed run is ignored after 15 minutes.
 */
async function withBuildLock<T>(final: string, build: () => Promise<T>): Promise<T> {
  const lock = `${final}.lock`;
  let acquired = false;
  for (let waited = 0; ; waited += 500) {
    try {
      mkdirSync(lock);
      acquired = true;
      break;
    } catch {
      if (existsSync(join(final, 'binaries.json')) || waited > 900_000) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await build();
  } finally {
    if (acquired) rmSync(lock, { recursive: true, force: true });
  }
}

async function buildOwn(): Promise<TestBinary[]> {
  const final = join(tmpdir(), `layerdelta-gobin-${sourceHash()}`);
  return withBuildLock(final, () => buildOwnUnlocked(final));
}

async function buildOwnUnlocked(final: string): Promise<TestBinary[]> {
  if (existsSync(join(final, 'binaries.json'))) return readBuilt(final);
  const out = `${final}.${process.pid}`;
  mkdirSync(out, { recursive: true });
  const wanted: TestBinary[] = [];
  for (const go of GO_VERSIONS.filter((v) => existsSync(goTool(v)))) {
    for (const [goarch, cgo] of [
      ['amd64', false],
      ['arm64', false],
      ['amd64', true],
    ] as const) {
      for (const stripped of [false, true]) {
        const name = `goprog-go${go}-${goarch}${cgo ? '-cgo' : ''}${stripped ? '-stripped' : ''}`;
        wanted.push({ file: join(out, name), program: 'goprog', go, goarch, stripped, cgo });
      }
    }
  }
  // Position-independent (Debian's and many distributions' default): no .gopclntab section, the
  // table sits in .data.rel.ro and is found by its magic number.
  const newest = [...GO_VERSIONS].reverse().find((v) => existsSync(goTool(v)));
  if (newest) {
    for (const stripped of [false, true]) {
      const name = `goprog-pie-go${newest}-amd64-cgo${stripped ? '-stripped' : ''}`;
      wanted.push({
        file: join(out, name),
        program: 'goprog-pie',
        go: newest,
        goarch: 'amd64',
        stripped,
        cgo: true,
      });
    }
  }
  // One toolchain at a time per version keeps the build cache warm; versions in parallel.
  const byVersion = GO_VERSIONS.map((v) => wanted.filter((b) => b.go === v));
  await Promise.all(
    byVersion.map(async (list) => {
      for (const b of list) await buildOne(b);
    }),
  );
  return publish(out, final, wanted);
}

/** Builds happen in a private directory renamed into place, so parallel test files never see half a build. */
function publish(out: string, final: string, built: TestBinary[]): TestBinary[] {
  writeFileSync(
    join(out, 'binaries.json'),
    JSON.stringify(built.map((b) => ({ ...b, file: b.file.slice(out.length + 1) }))),
  );
  try {
    renameSync(out, final);
  } catch {
    rmSync(out, { recursive: true, force: true }); // another process published first
  }
  return readBuilt(final);
}

function readBuilt(dir: string): TestBinary[] {
  const list = JSON.parse(readFileSync(join(dir, 'binaries.json'), 'utf8')) as TestBinary[];
  return list.map((b) => ({ ...b, file: join(dir, b.file) }));
}

/**
 * With -trimpath and the fixtures' build cache, as fixtures/go-builds.ts builds: the standard library the
 * fixtures compiled for a toolchain and configuration is not compiled again (minutes on a fresh machine).
 */
async function buildOne(b: TestBinary, dir = PROGRAM_DIR): Promise<void> {
  const args = ['build', '-trimpath', '-buildvcs=false', '-o', b.file];
  if (b.program.endsWith('-pie')) args.push('-buildmode=pie');
  if (b.race) args.push('-race');
  if (b.stripped) args.push('-ldflags=-s -w');
  args.push('.');
  await run(goTool(b.go), args, {
    cwd: dir,
    env: {
      ...process.env,
      GOCACHE: goCacheDir(REPO_ROOT),
      GOFLAGS: '-mod=mod',
      GOPROXY: 'off',
      GOTOOLCHAIN: 'local',
      GOOS: 'linux',
      GOARCH: b.goarch,
      CGO_ENABLED: b.cgo ? '1' : '0',
    },
    maxBuffer: 1 << 24,
  });
}

/** The unstripped build of the same program, toolchain, arch and cgo setting. */
export function unstrippedTwin(all: TestBinary[], b: TestBinary): TestBinary | undefined {
  return all.find(
    (o) =>
      !o.stripped && o.program === b.program && o.go === b.go && o.goarch === b.goarch && o.cgo === b.cgo,
  );
}

/**
 * The test program for the other ELF shapes: 32-bit little-endian (386), 64-bit big-endian (s390x)
 * and 32-bit big-endian (mips), built with the newest toolchain, unstripped and stripped.
 */
export async function otherArchBinaries(): Promise<TestBinary[]> {
  const go = [...GO_VERSIONS].reverse().find((v) => existsSync(goTool(v))) ?? '1.23';
  const final = join(tmpdir(), `layerdelta-gobin-${sourceHash()}-arch`);
  return withBuildLock(final, () => buildOtherArchs(final, go));
}

async function buildOtherArchs(final: string, go: string): Promise<TestBinary[]> {
  if (existsSync(join(final, 'binaries.json'))) return readBuilt(final);
  const out = `${final}.${process.pid}`;
  mkdirSync(out, { recursive: true });
  const wanted: TestBinary[] = [];
  for (const goarch of ['386', 's390x', 'mips']) {
    for (const stripped of [false, true]) {
      const file = join(out, `goprog-go${go}-${goarch}${stripped ? '-stripped' : ''}`);
      wanted.push({ file, program: 'goprog', go, goarch, stripped, cgo: false });
    }
  }
  await Promise.all(wanted.map((b) => buildOne(b)));
  return publish(out, final, wanted);
}

const WRAPPERS_DIR = join(REPO_ROOT, 'test/golang/testdata/wrappers');

/**
 * test/golang/testdata/wrappers, whose types embed other packages' types (promoted-method wrappers),
 * built where the toolchain differs from a plain reading: Go 1.19 (wrappers of anonymous structs
 * named `go.…`), unstripped and stripped, and `-race` with Go 1.21 and 1.23 on amd64 (the race
 * runtime's C++ code linked internally: aliases, gcc's `.cold` parts, code ending in 0xcc).
 */
export async function wrapperBinaries(): Promise<TestBinary[]> {
  const final = join(
    tmpdir(),
    `layerdelta-gobin-${sourceHash(WRAPPERS_DIR, 'wrappers v2: -trimpath')}-wrappers`,
  );
  return withBuildLock(final, async () => {
    if (existsSync(join(final, 'binaries.json'))) return readBuilt(final);
    const out = `${final}.${process.pid}`;
    mkdirSync(out, { recursive: true });
    const wanted: TestBinary[] = [];
    const add = (go: string, stripped: boolean, race: boolean): void => {
      if (!existsSync(goTool(go))) return;
      const file = join(out, `wrappers-go${go}-amd64${race ? '-race' : ''}${stripped ? '-stripped' : ''}`);
      wanted.push({ file, program: 'wrappers', go, goarch: 'amd64', stripped, cgo: race, race });
    };
    add('1.19', false, false);
    add('1.19', true, false);
    add('1.21', false, true);
    add('1.23', false, true);
    add('1.23', true, true);
    for (const b of wanted) await buildOne(b, WRAPPERS_DIR);
    return publish(out, final, wanted);
  });
}
