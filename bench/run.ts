/**
 * `npm run bench` (docs/design.md §8): everything measured in one run on the same images, pushed to a real local
 * docker-registry.
 *   (a) the physical limit: `curl | gzip -dc` of the pair's distinct blobs, one after another
 *   (b) the shell pipeline a user would write: skopeo copy + tar -x + `go version -m` + `go tool nm -size`
 *   (c) our cold compare (fresh cache dir), (d) our warm compare (must fetch no blob: proxy-counted)
 *   (e) peak RSS of a compare with a 100 MB vs a 1 GB non-Go layer (flat memory)
 *   (f) the built CLI as a user runs it: compare --no-cache, warm, --no-binaries; start-up
 *       (--version, compare --help) against a bare `node -e 0` (issue 16's table, with ratios)
 * plus the decompressors' speeds (gzip and zstd, ours against the command-line tools).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDecompressor, zstdImplementation } from '../src/layer/decompress.js';
import { pushImage, startProxy, startRegistry } from '../test/support/registry.js';
import { type BenchImages, buildBenchImages } from './images.js';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'bench', 'out');
const GO = '/usr/lib/go-1.23/bin/go';
const REPEATS = 3;
/** The compare runs as compiled JavaScript, like the built CLI: no transpiling inside the timings. */
const COMPARE_CHILD = join(OUT, 'js', 'bench', 'compare-child.js');
const MB = 1_000_000;

const benchStart = performance.now();
const log = (line: string) =>
  process.stderr.write(`[${((performance.now() - benchStart) / 1000).toFixed(0)}s] ${line}\n`);

function time(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

interface Timing {
  wallMs: number;
  /** User + system CPU of the script and everything it ran: comparable even on a busy machine. */
  cpuMs: number;
}

/** Run a bash script under /usr/bin/time. */
function timedBash(script: string): Timing {
  const timesFile = join(tmpdir(), `layerdelta-bench-time-${process.pid}`);
  const start = performance.now();
  bash(script, ['/usr/bin/time', '-f', '%U %S', '-o', timesFile]);
  const wallMs = performance.now() - start;
  const [user = 0, system = 0] = readFileSync(timesFile, 'utf8').trim().split(/\s+/).map(Number);
  rmSync(timesFile, { force: true });
  return { wallMs, cpuMs: (user + system) * 1000 };
}

function medianTiming(runs: Timing[]): Timing {
  return runs.sort((a, b) => a.wallMs - b.wallMs)[Math.floor(runs.length / 2)]!;
}

function bash(script: string, prefix: string[] = []): void {
  const [command, ...args] = [...prefix, 'bash', '-c', `set -euo pipefail\n${script}`];
  const result = spawnSync(command!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (result.status !== 0) throw new Error(`bench step failed: ${script}\n${result.stderr}`);
}

interface ChildResult {
  ms: number;
  /** User + system CPU of the whole process (zlib's threads included). */
  cpuMs: number;
  /** From process start to the compare's start: Node and module loading. */
  loadMs: number;
  wallMs: number;
  maxRssBytes: number;
  stats: { downloads: number; cacheHits: number; shared: number };
  goBinaries: { old: number; new: number };
  changed: number;
  analysed: number;
}

/** Async on purpose: the counting proxy lives in this process and must keep serving meanwhile. */
async function compareInChild(oldRef: string, newRef: string, cacheDir: string): Promise<ChildResult> {
  const start = performance.now();
  const child = spawn(process.execPath, [COMPARE_CHILD, oldRef, newRef, cacheDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallMs = performance.now() - start;
  if (status !== 0) throw new Error(`compare failed: ${stderr}`);
  return { ...(JSON.parse(stdout.trim().split('\n').at(-1)!) as Omit<ChildResult, 'wallMs'>), wallMs };
}

async function pushAll(registry: { url: string }, built: BenchImages): Promise<void> {
  for (const [tag, names] of Object.entries(built.images)) {
    const layers = names.map((n) => built.layers[n]!);
    await pushImage(registry, 'bench/app', tag, {
      layers: layers.map((l) => readFileSync(l.file)),
      config: {
        architecture: 'amd64',
        os: 'linux',
        config: {},
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
        history: names.map((n) => ({ created_by: `bench layer ${n}` })),
      },
    });
  }
}

/** Throughput of one of our decompressors over a file, in MB/s of uncompressed output. */
async function ourDecompressSpeed(file: string, compression: 'gzip' | 'zstd'): Promise<number> {
  let bytes = 0;
  const start = performance.now();
  await pipeline(
    createReadStream(file, { highWaterMark: 1 << 20 }),
    createDecompressor(compression)!,
    new Writable({
      write(chunk: Buffer, _e, done) {
        bytes += chunk.length;
        done();
      },
    }),
  );
  return bytes / MB / ((performance.now() - start) / 1000);
}

function toolDecompressSpeed(command: string, file: string, uncompressed: number): number {
  const ms = time(() => bash(`${command} '${file}' > /dev/null`));
  return uncompressed / MB / (ms / 1000);
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  process.chdir(ROOT);
  if (!existsSync(join(ROOT, 'fixtures', 'build', 'manifest.json'))) {
    log('building the fixture Go binaries (fixtures/build.sh)...');
    execFileSync('bash', ['fixtures/build.sh'], { stdio: 'inherit' });
  }
  mkdirSync(OUT, { recursive: true });
  log('building the CLI (npm run build: dist/ and oclif.manifest.json)...');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore' });
  log('compiling the compare (tsc -p bench/tsconfig.json)...');
  spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'bench/tsconfig.json'],
    {
      cwd: ROOT,
      stdio: 'ignore',
    },
  );
  if (!existsSync(COMPARE_CHILD)) throw new Error(`tsc did not produce ${COMPARE_CHILD}`);
  const built = await buildBenchImages(OUT, log);
  const pair = [...new Set([...built.images.old, ...built.images.new])].map((n) => built.layers[n]!);
  const pairCompressed = pair.reduce((n, l) => n + l.size, 0);
  const pairUncompressed = pair.reduce((n, l) => n + l.uncompressedSize, 0);

  log('starting docker-registry and pushing the images...');
  const registry = await startRegistry();
  const work = mkdtempSync(join(tmpdir(), 'layerdelta-bench-'));
  try {
    await pushAll(registry, built);
    const ref = (tag: string) => `${registry.host}/bench/app:${tag}`;

    log('(a) curl | gzip -dc of the distinct blobs...');
    const curlScript = pair
      .map((l) => `curl -sf '${registry.url}/v2/bench/app/blobs/${l.digest}' | gzip -dc > /dev/null`)
      .join('\n');
    const curl = medianTiming(Array.from({ length: REPEATS }, () => timedBash(curlScript)));
    const curlMs = curl.wallMs;
    // Two blobs at a time: on 2 cores, the real physical limit.
    const urls = pair.map((l) => `'${registry.url}/v2/bench/app/blobs/${l.digest}'`).join(' ');
    const curl2 = medianTiming(
      Array.from({ length: REPEATS }, () =>
        timedBash(`printf '%s\\n' ${urls} | xargs -P2 -I{} sh -c "curl -sf '{}' | gzip -dc > /dev/null"`),
      ),
    );

    log('(b) skopeo copy + tar -x + go version -m + go tool nm -size...');
    const shellScript = ['old', 'new']
      .map(
        (tag) => `
dir='${work}/shell-${tag}'; rm -rf "$dir"; mkdir -p "$dir/rootfs"
skopeo copy --quiet --src-tls-verify=false docker://${ref(tag)} "dir:$dir/image"
for layer in $(jq -r '.layers[].digest' "$dir/image/manifest.json"); do tar -xzf "$dir/image/\${layer#sha256:}" -C "$dir/rootfs"; done
for f in $(find "$dir/rootfs" -type f -perm -u+x); do ${GO} version -m "$f" > /dev/null; ${GO} tool nm -size "$f" > /dev/null 2>&1 || true; done`,
      )
      .join('\n');
    const shell = timedBash(shellScript);
    const shellMs = shell.wallMs;

    log('(c) our cold compare (fresh cache dir each time)...');
    const colds: ChildResult[] = [];
    let cacheDir = '';
    for (let i = 0; i < REPEATS; i++) {
      cacheDir = join(work, `cache-${i}`);
      colds.push(await compareInChild(ref('old'), ref('new'), cacheDir));
    }
    const cold = colds.sort((a, b) => a.wallMs - b.wallMs)[Math.floor(REPEATS / 2)]!;

    log('(d) our warm compare through the counting proxy...');
    const proxy = await startProxy(registry.url);
    const warm = await compareInChild(`${proxy.host}/bench/app:old`, `${proxy.host}/bench/app:new`, cacheDir);
    // Config blobs are read to resolve the images; layer blobs are what the cache must spare.
    const warmBlobGets = pair.reduce((n, layer) => n + proxy.blobGets(layer.digest), 0);
    await proxy.stop();

    log('(e) peak RSS with a 100 MB and a 1 GB non-Go layer (no cache)...');
    const rss100 = await compareInChild(ref('old'), ref('big100m'), '-');
    const rss1g = await compareInChild(ref('old'), ref('big1g'), '-');

    log('(f) the built CLI: compare --no-cache, warm, --no-binaries, --version, compare --help...');
    const cli = (args: string) => `node '${join(ROOT, 'bin', 'run.js')}' ${args} > /dev/null`;
    const median = (script: string) => medianTiming(Array.from({ length: REPEATS }, () => timedBash(script)));
    const refs = `'${ref('old')}' '${ref('new')}'`;
    const cliCache = join(work, 'cli-cache');
    const cliCold = median(cli(`compare ${refs} --no-cache`));
    bash(cli(`compare ${refs} --cache-dir '${cliCache}'`));
    const cliWarm = median(cli(`compare ${refs} --cache-dir '${cliCache}'`));
    const cliNoBinaries = median(cli(`compare ${refs} --cache-dir '${cliCache}' --no-binaries`));
    const bareNode = median('node -e 0');
    const version = median(cli('--version'));
    const help = median(cli('compare --help'));

    log('decompressor speeds...');
    const appLayer = built.layers['new-app']!;
    const tarFile = join(work, 'new-app.tar');
    bash(`gzip -dc '${appLayer.file}' > '${tarFile}' && zstd -q -f '${tarFile}' -o '${tarFile}.zst'`);
    const speeds = {
      ourGzip: await ourDecompressSpeed(appLayer.file, 'gzip'),
      gzipTool: toolDecompressSpeed('gzip -dc', appLayer.file, appLayer.uncompressedSize),
      ourZstd: await ourDecompressSpeed(`${tarFile}.zst`, 'zstd'),
      zstdTool: toolDecompressSpeed('zstd -dc', `${tarFile}.zst`, statSync(tarFile).size),
    };

    const rssLimit = 200 * 1024 * 1024 + built.largestGoBinary;
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    const lines = [
      '',
      `images: old and new, ${pair.length} distinct layers, ${mb(pairCompressed)} compressed / ${mb(pairUncompressed)} uncompressed, Go binaries: ${cold.goBinaries.old} old, ${cold.goBinaries.new} new (${cold.changed} changed, ${cold.analysed} analysed)`,
      `machine: ${cpus().length} CPUs, load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end (timings suffer on a busy machine), node ${process.version}; medians of ${REPEATS} runs for (a) and (c)`,
      '',
      '                                                   wall      CPU',
      `(a) curl | gzip -dc, distinct blobs one by one     ${fmt(curlMs)}  ${fmt(curl.cpuMs)}`,
      `(b) skopeo + tar + go version -m + go tool nm      ${fmt(shellMs)}  ${fmt(shell.cpuMs)}`,
      `(c) ours, cold (fresh cache), whole process        ${fmt(cold.wallMs)}  ${fmt(cold.cpuMs)}   (module loading ${fmt(cold.loadMs)}, compare itself ${fmt(cold.ms)}; ${cold.stats.downloads} blobs fetched)`,
      `(d) ours, warm cache, whole process                ${fmt(warm.wallMs)}  ${fmt(warm.cpuMs)}   (compare itself ${fmt(warm.ms)}, layer blob GETs seen by the proxy: ${warmBlobGets})`,
      '',
      'the table of issue 16 (whole process, wall; ratio to (a), the one-after-another limit):',
      ...[
        ['curl | gzip -dc, one after another', curl],
        ['the same, two blobs at a time', curl2],
        ['shell pipeline (skopeo + tar + go version -m + nm)', shell],
        ['layerdelta compare --no-cache', cliCold],
        ['layerdelta compare, warm cache', cliWarm],
        ['layerdelta compare --no-binaries (warm)', cliNoBinaries],
        ['layerdelta --version', version],
        ['layerdelta compare --help', help],
      ].map(
        ([what, t]) =>
          `  ${String(what).padEnd(52)} ${fmt((t as Timing).wallMs)}  ${((t as Timing).wallMs / curlMs).toFixed(2)}x`,
      ),
      `cold compare / two-at-a-time limit = ${(cliCold.wallMs / curl2.wallMs).toFixed(2)}x (target <= 1.5x: ${verdict(cliCold.wallMs <= 1.5 * curl2.wallMs)}); warm / (a) = ${(cliWarm.wallMs / curlMs).toFixed(2)}x (target <= 0.2x: ${verdict(cliWarm.wallMs <= 0.2 * curlMs)})`,
      `start-up against node -e 0 (${fmt(bareNode.wallMs)} wall, ${fmt(bareNode.cpuMs)} CPU): --version ${(version.wallMs / bareNode.wallMs).toFixed(2)}x wall ${(version.cpuMs / bareNode.cpuMs).toFixed(2)}x CPU (target <= 2x: ${verdict(version.wallMs <= 2 * bareNode.wallMs)}); compare --help ${(help.wallMs / bareNode.wallMs).toFixed(2)}x wall ${(help.cpuMs / bareNode.cpuMs).toFixed(2)}x CPU (target <= 3x: ${verdict(help.wallMs <= 3 * bareNode.wallMs)})`,
      '',
      `(e) peak RSS, 100 MB non-Go layer                  ${mb(rss100.maxRssBytes)}`,
      `    peak RSS, 1 GB non-Go layer                    ${mb(rss1g.maxRssBytes)}`,
      '',
      `cold / (a)   = ${(cold.wallMs / curlMs).toFixed(2)}x wall (compare itself ${(cold.ms / curlMs).toFixed(2)}x), ${(cold.cpuMs / curl.cpuMs).toFixed(2)}x CPU   target <= 1.0x: ${verdict(cold.wallMs <= curlMs)}`,
      `(b) / cold   = ${(shellMs / cold.wallMs).toFixed(2)}x wall, ${(shell.cpuMs / cold.cpuMs).toFixed(2)}x CPU   target >= 2x: ${verdict(shellMs >= 2 * cold.wallMs)}`,
      `warm fetches ${warmBlobGets} layer blobs   target 0: ${verdict(warmBlobGets === 0)}`,
      `peak RSS 1 GB layer ${mb(rss1g.maxRssBytes)} vs 100 MB layer ${mb(rss100.maxRssBytes)}; limit 200 MiB + largest Go binary (${mb(built.largestGoBinary)}) = ${mb(rssLimit)}: ${verdict(rss1g.maxRssBytes <= rssLimit && rss100.maxRssBytes <= rssLimit)}`,
      '',
      `decompression, MB/s of tar: ours gzip (node:zlib) ${speeds.ourGzip.toFixed(0)}, gzip -dc ${speeds.gzipTool.toFixed(0)}; ours zstd (${zstdImplementation()}) ${speeds.ourZstd.toFixed(0)}, zstd -dc ${speeds.zstdTool.toFixed(0)}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The other benchmarks of docs/design.md §8 (Go analysis, registry-wide scan) run after ours, in the same run.
 * The scan runs at each size in BENCH_SCAN_REPOSITORIES (default `60`; `60 600` for how it grows).
 */
function runOtherBenchmarks(): void {
  const scanSizes = (process.env.BENCH_SCAN_REPOSITORIES ?? '60').split(/[\s,]+/).filter(Boolean);
  for (const [script, title, args] of [
    ['bench/gobin.ts', 'Go analysis against go version -m + go tool nm -size', []],
    ...scanSizes.map((n) => ['bench/scan.ts', `registry-wide scan, ${n} shared repositories`, [n]] as const),
    ['bench/pairing.ts', 'layer pairing (docs/design.md §3) against reading the layers', []],
  ] as const) {
    if (!existsSync(join(ROOT, script))) continue;
    process.stdout.write(`\n${title} (${script}):\n`);
    const result = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [script, ...args], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (result.status !== 0) process.stdout.write(`  ${script} failed (exit ${result.status})\n`);
  }
}

await main();
runOtherBenchmarks();
