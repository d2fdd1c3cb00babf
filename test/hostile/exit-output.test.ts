/**
 * docs/hostile-input.md, "Exit paths": no exit path loses the report or mislabels the outcome.
 * - A report bigger than a pipe's buffer (64 KiB; the HTML one of fixtures/demo is ~77 kB) read by a
 *   slow reader arrives whole whatever the exit code (process.exit() used to drop what the pipe had
 *   not taken).
 * - A report that cannot be written (/dev/full, a closed pipe): one line, exit 2, no stack trace.
 * - An unwritable --metrics-file or GITHUB_STEP_SUMMARY: the crossed threshold's exit 1 stays, the
 *   Pushgateway still gets the metrics (a real one), one line names the file.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, ensureBuilt, ROOT, runCli } from '../commands/cli.js';
import { type Pushgateway, startPushgateway } from '../support/pushgateway.js';
import { expectOneLine } from './support.js';

const OLD = 'oci:fixtures/demo:v1';
const NEW = 'oci:fixtures/demo:v2';
const TIMEOUT = 90_000;
/**
 * One layer cache for the file's runs (in its temporary directory): the first run scans the demo
 * layers, the others read them back; what is under test is how each run ends, not the scan.
 */
const CACHE = ['--cache-dir', join(tmpdir(), `layerdelta-exit-output-cache-${process.pid}`)];
/** Nothing listens on port 1: every push attempt is refused. */
const UNREACHABLE = 'http://127.0.0.1:1';

/**
 * The CLI with stdout piped into `sleep 2; cat` (a reader that takes nothing for 2 s): the CLI's exit
 * status and stderr, and what the reader got.
 */
async function runIntoSlowReader(
  args: string[],
): Promise<{ status: number | null; report: string; stderr: string }> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash script, not a template
  const script = '"$0" "$@" | { sleep 2; cat; }; exit "${PIPESTATUS[0]}"';
  const child = spawn('bash', ['-c', script, process.execPath, join(ROOT, 'bin', 'run.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), TIMEOUT);
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { status, report: stdout, stderr };
}

/** The CLI with stdout on `file` (e.g. /dev/full). */
async function runWithStdoutOn(file: string, args: string[]): Promise<CliResult> {
  const fd = openSync(file, 'w');
  try {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '' },
      stdio: ['ignore', fd, 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT);
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    return { status, stdout: '', stderr };
  } finally {
    closeSync(fd);
  }
}

let root: string;
let gateway: Pushgateway;

beforeAll(async () => {
  await ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'layerdelta-exit-output-'));
  gateway = await startPushgateway();
});

afterAll(async () => {
  await gateway?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
  rmSync(CACHE[1]!, { recursive: true, force: true });
});

/**
 * The whole HTML document, past a pipe's 64 KiB: what process.exit() dropped was the end (whatever the
 * pipe had not taken), so the document's last lines are the proof.
 */
function expectWholeHtml(report: string): void {
  expect(report.length).toBeGreaterThan(65_536);
  expect(report.startsWith('<!DOCTYPE html>\n')).toBe(true);
  expect(report.endsWith('</body>\n</html>\n'), report.slice(-200)).toBe(true);
  expect(report.split('</html>')).toHaveLength(2);
}

describe('a report bigger than a pipe buffer reaches a slow reader whole', { timeout: 300_000 }, () => {
  it('exit 4 (the Pushgateway unreachable)', async () => {
    const result = await runIntoSlowReader([
      'compare',
      OLD,
      NEW,
      ...CACHE,
      '-q',
      '-o',
      'html',
      '--pushgateway',
      UNREACHABLE,
    ]);
    expect(result.stderr).toMatch(/could not push metrics/);
    expect(result.status, result.stderr).toBe(4);
    expectWholeHtml(result.report);
  });

  it('exit 2 after the report (an unwritable --report-file)', async () => {
    const result = await runIntoSlowReader([
      'check',
      NEW,
      '--baseline',
      OLD,
      ...CACHE,
      '-q',
      '-o',
      'html',
      '--report-file',
      join(root, 'no', 'r.html'),
    ]);
    expect(result.stderr).toMatch(/cannot write --report-file/);
    expect(result.status, result.stderr).toBe(2);
    expectWholeHtml(result.report);
  });
});

describe('a report that cannot be written is one line and exit 2', { timeout: 300_000 }, () => {
  it.each([
    ['compare', ['compare', OLD, NEW, ...CACHE, '-q']],
    ['check --json', ['check', NEW, '--baseline', OLD, ...CACHE, '-q', '--json', '--max-growth-bytes', '1']],
    ['inspect -o html', ['inspect', NEW, ...CACHE, '-q', '-o', 'html']],
  ])('%s > /dev/full', async (_name, args) => {
    const result = await runWithStdoutOn('/dev/full', args);
    expectOneLine(result, 2, /cannot write the report to stdout: ENOSPC \(no space left on device\)/);
  });
});

describe('an unwritable metrics file or step summary keeps exit 1 and the push', { timeout: 300_000 }, () => {
  /** The group check pushed for `label`, as the Pushgateway exposes it. */
  async function pushed(label: string): Promise<boolean> {
    return (await gateway.scrape())
      .split('\n')
      .some((line) => line.startsWith('layerdelta_image_delta_bytes{') && line.includes(`run="${label}"`));
  }

  it.each([
    [
      '--metrics-file',
      'metrics-file',
      {},
      /cannot write --metrics-file .*layerdelta-exit-output-[^ ]*: EISDIR/,
    ],
    [
      'GITHUB_STEP_SUMMARY',
      'summary',
      { GITHUB_ACTIONS: 'true' },
      /cannot write GITHUB_STEP_SUMMARY .*layerdelta-exit-output-[^ ]*: EISDIR/,
    ],
  ])('%s is a directory', async (_name, label, env, message) => {
    // A directory: unwritable even for root (the tests may run as root, which ignores permissions).
    const extra = label === 'metrics-file' ? ['--metrics-file', root] : [];
    const result = await runCli(
      [
        'check',
        NEW,
        '--baseline',
        OLD,
        ...CACHE,
        '-q',
        '--max-growth-bytes',
        '1',
        '--pushgateway',
        gateway.url,
        '--label',
        `run=${label}`,
        ...extra,
      ],
      { env: { ...env, GITHUB_STEP_SUMMARY: label === 'summary' ? root : '' }, timeoutMs: TIMEOUT },
    );
    expectOneLine(result, 1, message);
    expect(await pushed(label)).toBe(true);
    expect(result.stdout).toMatch(/max-growth-bytes/);
  });
});
