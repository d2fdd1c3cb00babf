/**
 * `layerdelta gobin` through the built CLI: the report against the toolchain, the diff of two
 * fixture versions, and one clear line with exit 2 for input that is not an analysable Go binary.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { type TestBinary, testBinaries } from './support/binaries.js';
import { goNm, goVersionM } from './support/toolchain.js';

let binaries: TestBinary[] = [];
let dir = '';

beforeAll(async () => {
  binaries = await testBinaries();
  dir = mkdtempSync(join(tmpdir(), 'gobin-cli-'));
  await ensureBuilt();
}, 900_000);

function pick(f: (b: TestBinary) => boolean): TestBinary {
  const b = binaries.find(f);
  if (!b) throw new Error('no such test binary');
  return b;
}

describe('layerdelta gobin FILE', () => {
  it('prints JSON whose build info and function sizes agree with the toolchain', async () => {
    const b = pick((x) => !x.stripped && x.goarch === 'arm64' && x.go === '1.21');
    const result = await runCli(['gobin', b.file, '--symbols', '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.schemaVersion).toBe(1);
    expect(json.kind).toBe('gobin');
    expect(json.buildInfo).toEqual(await goVersionM(b.file));
    const nm = new Map((await goNm(b.file)).filter((s) => s.type === 'T').map((s) => [s.name, s.size]));
    const main = (json.functions as Array<{ name: string; size: number }>).find(
      (f) => f.name === 'main.main',
    );
    expect(main?.size).toBe(nm.get('main.main'));
  });

  it('prints a text report for a stripped binary, with packages and modules', async () => {
    const b = pick((x) => x.stripped && x.program === 'goprog');
    const result = await runCli(['gobin', b.file, '--top', '5']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('stripped');
    expect(result.stdout).toMatch(/^PACKAGE\s+CODE/m);
    expect(result.stdout).toMatch(/^runtime\s+\d/m);
    expect(result.stdout).toMatch(/^MODULE\s+CODE/m);
    expect(result.stdout).toContain('dep         example.com/greet v0.1.0 => ./greet (devel)');
  });
});

describe('layerdelta gobin OLD NEW', () => {
  it('reports the Go version, settings, modules and package growth', async () => {
    const old = pick(
      (x) => x.program === 'goprog' && x.go === '1.19' && x.goarch === 'amd64' && !x.cgo && !x.stripped,
    );
    const next = pick(
      (x) => x.program === 'goprog' && x.go === '1.23' && x.goarch === 'amd64' && !x.cgo && x.stripped,
    );
    const result = await runCli(['gobin', old.file, next.file, '--json']);
    expect(result.status).toBe(0);
    const diff = JSON.parse(result.stdout);
    const [oldInfo, newInfo] = [await goVersionM(old.file), await goVersionM(next.file)];
    expect(diff.goVersion).toEqual({ old: oldInfo.goVersion, new: newInfo.goVersion });
    expect(diff.delta).toBe(readFileSync(next.file).length - readFileSync(old.file).length);
    // Ground truth: the build settings `go version -m` prints that differ between the two builds (the
    // stripped one's -ldflags is not among them: with -trimpath Go does not record -ldflags).
    const before = new Map(oldInfo.settings.map((s) => [s.key, s.value]));
    const after = new Map(newInfo.settings.map((s) => [s.key, s.value]));
    const differing = [...new Set([...before.keys(), ...after.keys()])].filter(
      (key) => before.get(key) !== after.get(key),
    );
    expect(differing.length).toBeGreaterThan(0);
    const changed = diff.settingsChanged as Array<{ key: string; old?: string; new?: string }>;
    expect(changed.map((s) => s.key).sort()).toEqual(differing.sort());
    for (const s of changed) expect([s.old, s.new], s.key).toEqual([before.get(s.key), after.get(s.key)]);
    const sections = new Map(
      (diff.sections as Array<{ name: string; newBytes: number }>).map((s) => [s.name, s]),
    );
    expect(sections.get('.symtab')?.newBytes).toBe(0);
    const deltas = (diff.packages as Array<{ delta: number }>).map((p) => p.delta);
    expect(deltas).toEqual([...deltas].sort((a, b) => b - a));
    const text = await runCli(['gobin', old.file, next.file]);
    expect(text.stdout).toContain(`Go version: ${oldInfo.goVersion} → ${newInfo.goVersion}`);
  });

  it('lists modules added and upgraded between the fixture app versions', async () => {
    const v1 = binaries.find((x) => x.program === 'app-v1' && x.go === '1.23' && x.goarch === 'amd64');
    const v2 = binaries.find((x) => x.program === 'app-v2' && x.go === '1.23' && x.goarch === 'amd64');
    if (!v1 || !v2) return expect(binaries.some((x) => x.program === 'app-v1')).toBe(false);
    const result = await runCli(['gobin', v1.file, v2.file, '--json']);
    const diff = JSON.parse(result.stdout);
    const [a, b] = [await goVersionM(v1.file), await goVersionM(v2.file)];
    const before = new Set(a.deps.map((d) => d.path));
    for (const dep of b.deps) {
      const change = (diff.modules as Array<{ path: string; change: string }>).find(
        (m) => m.path === dep.path,
      );
      if (!before.has(dep.path)) expect(change?.change, dep.path).toBe('added');
    }
  });
});

describe('input gobin cannot analyse: one line, exit 2', () => {
  const oneLine = (stderr: string) => {
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/); // no stack trace
  };

  it('a file that is not ELF', async () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'hello\n');
    const r = await runCli(['gobin', file]);
    expect(r.status).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain(`${file}: not an ELF file`);
  });

  it('an ELF executable not built by Go', async () => {
    const r = await runCli(['gobin', '/bin/ls']);
    expect(r.status).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain('/bin/ls: not a Go binary (no Go build info)');
  });

  it('a Go binary packed with UPX', async () => {
    const b = pick((x) => x.stripped && x.goarch === 'amd64' && !x.cgo);
    const file = join(dir, 'packed');
    copyFileSync(b.file, file);
    execFileSync('upx', ['-q', file]);
    const r = await runCli(['gobin', file]);
    expect(r.status).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain(`${file}: packed with UPX`);
  });

  it('a truncated Go binary', async () => {
    const b = pick((x) => !x.stripped && x.goarch === 'amd64');
    const file = join(dir, 'truncated');
    writeFileSync(file, readFileSync(b.file).subarray(0, 100_000));
    const r = await runCli(['gobin', file]);
    expect(r.status).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain(`${file}: truncated`);
  });

  it('a missing file', async () => {
    const r = await runCli(['gobin', join(dir, 'missing')]);
    expect(r.status).toBe(2);
    oneLine(r.stderr);
    expect(r.stderr).toContain('ENOENT');
  });
});
