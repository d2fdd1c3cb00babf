/**
 * The ELF gate (src/layer/elf-gate.ts) against the Go tools: every fixture file `go version -m` reads as a
 * Go binary passes, fed all at once or as the stream delivers it; files it does not read are turned away,
 * the bombs from the first bytes.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { elfGate, type GateVerdict } from '../../src/layer/elf-gate.js';
import { ROOT } from '../commands/cli.js';
import { otherArchBinaries, testBinaries } from '../golang/support/binaries.js';

const BIN = join(ROOT, 'fixtures', 'build', 'bin');
const GO = '/usr/lib/go-1.23/bin/go';

/** The files under `dir` that start with the ELF magic (only the first 4 bytes are read). */
function elfFiles(dir: string): string[] {
  const magic = Buffer.alloc(4);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => {
      if (!statSync(path).isFile()) return false;
      const fd = openSync(path, 'r');
      try {
        return readSync(fd, magic, 0, 4, 0) === 4 && magic.toString('latin1') === '\x7fELF';
      } finally {
        closeSync(fd);
      }
    });
}

/** The verdict as a layer read reaches it: asking again with more bytes each time it says "more". */
function streamed(data: Buffer): GateVerdict {
  let verdict = elfGate(data.subarray(0, 4), data.length);
  for (let rounds = 0; verdict.kind === 'more'; rounds++) {
    expect(rounds).toBeLessThan(100);
    expect(verdict.bytes).toBeLessThanOrEqual(data.length);
    verdict = elfGate(data.subarray(0, verdict.bytes), data.length);
  }
  return verdict;
}

/**
 * The Go binaries among `files`, as one `go version FILE…` run says: it prints `FILE: go1.x` for each
 * Go binary and an error line on stderr for any other file.
 */
function goBinaries(files: string[]): Set<string> {
  const { stdout, status } = spawnSync(GO, ['version', ...files], { encoding: 'utf8', maxBuffer: 16 << 20 });
  expect(status).toBe(0);
  const found = new Set<string>();
  for (const line of stdout.split('\n')) {
    const at = line.lastIndexOf(': go');
    if (at > 0) found.add(line.slice(0, at));
  }
  for (const file of found) expect(files).toContain(file);
  return found;
}

describe('elfGate', { timeout: 900_000 }, () => {
  it('passes every Go binary of the fixtures and turns away the other ELF files (go version decides)', async () => {
    // The Go tests' binaries add PIE, race, 386, mips and s390x builds (cached once built).
    const built = [...(await testBinaries()), ...(await otherArchBinaries())].map((b) => b.file);
    const files = [...elfFiles(BIN), ...built, '/usr/bin/env', '/usr/lib/go-1.23/bin/go'];
    expect(files.length).toBeGreaterThan(20);
    const go = goBinaries(files);
    // Both verdicts are exercised: /usr/bin/env is an ELF file go turns away.
    expect(go.size).toBeGreaterThan(10);
    expect(go.size).toBeLessThan(files.length);
    for (const file of files) {
      const data = readFileSync(file);
      const expected = go.has(file) ? 'go' : 'not-go';
      expect(streamed(data).kind, file).toBe(expected);
      expect(elfGate(data, data.length).kind, file).toBe(expected);
    }
  });

  it('turns away the ELF magic followed by zeros after 64 bytes', () => {
    const head = Buffer.alloc(64);
    head.write('\x7fELF', 'latin1');
    const verdict = elfGate(head, 511 * 1024 * 1024);
    expect(verdict).toEqual({
      kind: 'not-go',
      reason: expect.stringMatching(/^not a Go binary \(ELF class 0/),
    });
    expect(elfGate(head.subarray(0, 4), 511 * 1024 * 1024)).toEqual({ kind: 'more', bytes: 64 });
  });

  it('turns away headers whose tables lie past the end of the file', () => {
    const [first] = goBinaries(elfFiles(BIN));
    const go = readFileSync(first!);
    const cut = go.subarray(0, 4096);
    expect(elfGate(cut, cut.length)).toMatchObject({ kind: 'not-go' });
  });
});
