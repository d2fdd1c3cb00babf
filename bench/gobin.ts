/**
 * Go analysis time (docs/design.md §8), in one run on the same files: our pure-TypeScript analysis (read +
 * ELF + build info + pclntab + attribution, every function listed) against what a user would run
 * instead, `go version -m FILE` plus `go tool nm -size FILE`; and whole processes against whole processes:
 * `layerdelta gobin FILE --symbols --json` (the built CLI) against the two Go tools, wall and CPU (user + sys,
 * the steadier figure on a busy machine). Files: the largest fixture binary, an unstripped cmd/go (built
 * once into bench/out) and Debian's /usr/bin/docker-registry (stripped: nm has nothing to print there, we
 * still list functions).
 *
 *   npx tsx bench/gobin.ts [FILE...]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
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

/** Wall and CPU (user + sys, children included) of one command, via /usr/bin/time. */
function timed(command: string[]): { wall: number; cpu: number } {
  const times = join(tmpdir(), `layerdelta-gobin-time-${process.pid}`);
  const start = performance.now();
  spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', times, ...command], { stdio: 'ignore' });
  const wall = performance.now() - start;
  // The last line: time writes "Command exited with non-zero status N" first (nm on a stripped binary).
  const last = readFileSync(times, 'utf8').trim().split('\n').at(-1) ?? '';
  const [user = 0, sys = 0] = last.split(/\s+/).map(Number);
  rmSync(times, { force: true });
  return { wall, cpu: (user + sys) * 1000 };
}

/** Whole processes: the built CLI against `go version -m` + `go tool nm -size` (median by wall of RUNS). */
function wholeProcess(file: string): {
  ours: { wall: number; cpu: number };
  tools: { wall: number; cpu: number };
} {
  const cli = join(ROOT, 'bin', 'run.js');
  const pick = (runs: Array<{ wall: number; cpu: number }>) =>
    [...runs].sort((a, b) => a.wall - b.wall)[Math.floor(runs.length / 2)] ?? { wall: 0, cpu: 0 };
  const ours: Array<{ wall: number; cpu: number }> = [];
  const tools: Array<{ wall: number; cpu: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(timed([process.execPath, cli, 'gobin', file, '--symbols', '--json']));
    const version = timed([GO as string, 'version', '-m', file]);
    const nm = timed([GO as string, 'tool', 'nm', '-size', file]);
    tools.push({ wall: version.wall + nm.wall, cpu: version.cpu + nm.cpu });
  }
  return { ours: pick(ours), tools: pick(tools) };
}

/** An unstripped cmd/go of the toolchain, built once (the reference binary for nm). */
function unstrippedCmdGo(): string | undefined {
  if (!GO) return undefined;
  const out = join(ROOT, 'bench', 'out', 'cmd-go-unstripped');
  if (!existsSync(out)) {
    mkdirSync(join(ROOT, 'bench', 'out'), { recursive: true });
    execFileSync(GO, ['build', '-o', out, 'cmd/go'], {
      stdio: 'ignore',
      env: { ...process.env, CGO_ENABLED: '0' },
    });
  }
  return out;
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
  const cmdGo = unstrippedCmdGo();
  if (cmdGo) files.push(cmdGo);
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
const processRows: string[][] = [
  ['FILE', 'CLI WALL', 'CLI CPU', 'GO TOOLS WALL', 'GO TOOLS CPU', 'CLI/TOOLS WALL', 'CLI/TOOLS CPU'],
];
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
  const whole = wholeProcess(file);
  processRows.push([
    file.startsWith(ROOT) ? file.slice(ROOT.length + 1) : file,
    `${whole.ours.wall.toFixed(0)} ms`,
    `${whole.ours.cpu.toFixed(0)} ms`,
    `${whole.tools.wall.toFixed(0)} ms`,
    `${whole.tools.cpu.toFixed(0)} ms`,
    `${(whole.ours.wall / whole.tools.wall).toFixed(2)}x`,
    `${(whole.ours.cpu / whole.tools.cpu).toFixed(2)}x`,
  ]);
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
console.log(
  '\nwhole processes (target: layerdelta gobin <= 3x go version -m + go tool nm -size on an unstripped cmd/go):',
);
const processWidths =
  processRows[0]?.map((_, i) => Math.max(...processRows.map((r) => (r[i] ?? '').length))) ?? [];
for (const r of processRows) console.log(r.map((c, i) => c.padEnd(processWidths[i] ?? 0)).join('  '));
