/**
 * Running the built CLI (`node bin/run.js ...`) from tests. The build runs once when dist/ is missing
 * or older than src/ (scripts/test.sh builds before vitest, so usually nothing happens here).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Build dist/ if stale; a lock directory keeps parallel test files from building at once. */
export async function ensureBuilt(): Promise<void> {
  const marker = join(ROOT, 'dist', 'commands', 'compare.js');
  const fresh = () => existsSync(marker) && statSync(marker).mtimeMs >= newestMtime(join(ROOT, 'src'));
  if (fresh()) return;
  const lock = join(ROOT, '.cache', 'build.lock');
  mkdirSync(join(ROOT, '.cache'), { recursive: true });
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 120_000) throw new Error(`build lock ${lock} held for 2 minutes`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (fresh()) return;
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
    } catch (error) {
      // Type errors elsewhere still emit JavaScript; fail only when our command was not emitted.
      if (!existsSync(marker)) throw error;
    }
    // The command list and help come from the manifest: regenerate it with the commands.
    execFileSync(process.execPath, ['scripts/manifest.js'], { cwd: ROOT, stdio: 'pipe' });
  } finally {
    rmdirSync(lock);
  }
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', ...options.env },
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
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { status, stdout, stderr };
}
