/**
 * Go analysis time (docs/design.md §8), in one run on the same files: our pure-TypeScript analysis (read +
 * ELF + build info + pclntab + attribution, every function listed) against what a user would run
 * instead, `go version -m FILE` plus `go tool nm -size FILE`. Files: the largest fixture binary and
 * Debian's /usr/bin/docker-registry (stripped: nm has nothing to print there, we still list functions).
 *
 *   npx tsx bench/gobin.ts [FILE...]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { analyzeGoBinary } from '../src/golang/analyze.js';

const ROOT = resolve(import.meta.dirname, '..');
const GO = ['/usr/lib/go-1.23/bin/go', '/usr/lib/go-1.21/bin/go', '/usr/lib/go-1.19/bin/go'].find(existsSync);
const RUNS = 5;

function largestFixture(): string | undefined {
  const manifest = join(ROOT, 'fixtures/build/manifest.json');
  if (!existsSync(manifest)) return undefined;
  const files = (JSON.parse(readFileSync(manifest, 'utf8')).binaries as Array<{ file: string }>)
    .map((b) => resolve(ROOT, b.file))
    .filter(existsSync);
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function timeOurs(file: string): { cold: number; median: number; functions: number } {
  const times: number[] = [];
  let functions = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const report = analyzeGoBinary(readFileSync(file), { symbols: true });
    times.push(performance.now() - start);
    functions = report.functions?.length ?? 0;
  }
  return { cold: times[0] ?? 0, median: median(times), functions };
}

function timeToolchain(file: string): { median: number; nmSymbols: number } {
  if (!GO) throw new Error('no Go toolchain under /usr/lib/go-1.XX');
  const times: number[] = [];
  let nmSymbols = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    spawnSync(GO, ['version', '-m', file], { stdio: 'ignore' });
    const nm = spawnSync(GO, ['tool', 'nm', '-size', file], { maxBuffer: 1 << 28, encoding: 'utf8' });
    times.push(performance.now() - start);
    nmSymbols = (nm.stdout ?? '').split('\n').filter((l) => / [Tt] /.test(l)).length;
  }
  return { median: median(times), nmSymbols };
}

const files = process.argv.slice(2);
if (files.length === 0) {
  const fixture = largestFixture();
  if (fixture) files.push(fixture);
  else console.error('no fixtures/build/manifest.json: run `bash fixtures/build.sh` for the fixture binary');
  if (existsSync('/usr/bin/docker-registry')) files.push('/usr/bin/docker-registry');
}

console.log(
  `Go analysis: layerdelta (in-process, median of ${RUNS}) vs go version -m + go tool nm -size (${GO})`,
);
console.log(
  `machine: ${cpus().length} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const rows: string[][] = [['FILE', 'SIZE', 'OURS', 'OURS COLD', 'FUNCS', 'GO TOOLS', 'NM T/t', 'RATIO']];
for (const file of files) {
  const ours = timeOurs(file);
  const tools = timeToolchain(file);
  rows.push([
    file.startsWith(ROOT) ? file.slice(ROOT.length + 1) : file,
    `${(statSync(file).size / 1e6).toFixed(1)} MB`,
    `${ours.median.toFixed(0)} ms`,
    `${ours.cold.toFixed(0)} ms`,
    String(ours.functions),
    `${tools.median.toFixed(0)} ms`,
    String(tools.nmSymbols),
    `${(tools.median / ours.median).toFixed(1)}x faster`,
  ]);
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
