/**
 * Debian's chromium, headless, as a one-shot process per page: `--dump-dom` prints the DOM after the
 * page's scripts ran, `--screenshot` writes a PNG. No driver needed. Every run gets a fresh profile
 * directory and has networking features switched off, so nothing but the file is loaded.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';

const BASE_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--hide-scrollbars',
  // Console messages (and CSP violations) go to stderr, where tests can read them.
  '--enable-logging=stderr',
  '--v=0',
];

export interface ChromiumRun {
  stdout: string;
  stderr: string;
}

/** Console lines chromium logged for the page (`INFO:CONSOLE(...)`), e.g. CSP violations. */
export function consoleMessages(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.includes(':CONSOLE'));
}

async function runChromium(args: string[], timeoutMs: number): Promise<ChromiumRun> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium package`);
  const profile = await mkdtemp(join(tmpdir(), 'layerdelta-chromium-'));
  try {
    return await new Promise<ChromiumRun>((resolve, reject) => {
      const child = spawn(CHROMIUM, [...BASE_FLAGS, `--user-data-dir=${profile}`, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so a timeout can stop the renderer and GPU helpers too.
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
      const timer = setTimeout(() => {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        reject(new Error(`chromium did not finish within ${timeoutMs} ms\n${stderr.slice(-2000)}`));
      }, timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve({ stdout, stderr });
        else reject(new Error(`chromium exited with ${code}\n${stderr.slice(-2000)}`));
      });
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The serialised DOM of a local HTML file after its scripts ran, and what chromium logged. */
export async function dumpDom(
  htmlFile: string,
  timeoutMs = 60_000,
  options: { darkMode?: boolean } = {},
): Promise<ChromiumRun> {
  // --force-dark-mode makes `prefers-color-scheme: dark` match (headless has no system theme).
  const flags = options.darkMode ? ['--force-dark-mode'] : [];
  return await runChromium([...flags, '--dump-dom', pathToFileURL(htmlFile).href], timeoutMs);
}

/** A PNG of a local HTML file at the given window size (the page is cut at the window's height). */
export async function screenshot(
  htmlFile: string,
  pngFile: string,
  size: { width: number; height: number } = { width: 1280, height: 2000 },
  timeoutMs = 60_000,
): Promise<ChromiumRun> {
  return await runChromium(
    [`--screenshot=${pngFile}`, `--window-size=${size.width},${size.height}`, pathToFileURL(htmlFile).href],
    timeoutMs,
  );
}
