/**
 * Hostile input, "Leaks and injection" (docs/hostile-input.md): a Go build setting that carries ESC and a
 * GitHub workflow command. `gobin` writes it as `go version -m` does (quoted with strconv.Quote), so it
 * neither recolours the terminal nor starts a line. Before, the ESC was escaped but the value was not
 * quoted as Go quotes it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../commands/cli.js';

const GO = '/usr/lib/go-1.23/bin/go';
let root: string;
let binary: string;

beforeAll(async () => {
  await ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'layerdelta-gobin-esc-'));
  writeFileSync(join(root, 'go.mod'), 'module example.com/esc\n\ngo 1.21\n');
  writeFileSync(join(root, 'main.go'), 'package main\n\nvar x string\n\nfunc main() { println(x) }\n');
  binary = join(root, 'esc');
  // -ldflags is recorded as a build setting, whatever it holds.
  execFileSync(
    GO,
    [
      'build',
      '-buildvcs=false',
      '-o',
      binary,
      '-ldflags',
      "-X 'main.x=\x1b[31m\n::error title=x::boom'",
      '.',
    ],
    {
      cwd: root,
      env: { ...process.env, GOFLAGS: '', GOPROXY: 'off', GOTOOLCHAIN: 'local', CGO_ENABLED: '0' },
    },
  );
}, 300_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('gobin and a build setting with ESC and ::error', { timeout: 300_000 }, () => {
  it('prints the setting as go version -m quotes it, with no control character and no line starting with ::', async () => {
    const goLine = execFileSync(GO, ['version', '-m', binary])
      .toString()
      .split('\n')
      .find((l) => l.includes('-ldflags='));
    // Ground truth: Go quotes the value (it holds spaces) and escapes ESC inside the quotes.
    const setting = goLine?.split('\t')[2];
    expect(setting).toMatch(/^-ldflags="-X 'main\.x=\\x1b\[31m ::error title=x::boom'"$/);

    const result = await runCli(['gobin', binary], { timeoutMs: 120_000 });
    expect(result.status, result.stderr).toBe(0);
    const ours = result.stdout.split('\n').find((l) => l.includes('-ldflags='));
    expect(ours).toMatch(/^build\s+/);
    expect(ours?.replace(/^build\s+/, '')).toBe(setting);
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(result.stdout.split('\n').filter((l) => l.startsWith('::'))).toEqual([]);
  });
});
