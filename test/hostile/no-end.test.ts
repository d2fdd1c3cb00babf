/**
 * docs/hostile-input.md, "No end": what a server or a helper can make last forever ends with one line.
 * - An endless `_catalog` (a `Link: next` to ever new pages, or back to a page already sent) from a
 *   small HTTP server speaking the registry API: exit 3 after at most LAYERDELTA_MAX_LIST_PAGES
 *   requests (50 here; 10,000 by default, which takes minutes on a loaded machine).
 * - A `docker-credential-*` helper that hangs while a child of its own keeps stdout open: killed
 *   with its process group at LAYERDELTA_CREDENTIAL_HELPER_TIMEOUT (2 s here), exit 3, no process left.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { expectOneLine } from './support.js';

const TIMEOUT = 180_000;
const MAX_LIST_PAGES = 50;
let root: string;
let server: Server;
let host: string;
/** `_catalog` requests served, per test. */
let catalogRequests = 0;

/** What `_catalog` does: link back to its first page from the second, or to a new page forever. */
let mode: 'cycle' | 'endless' = 'cycle';

/**
 * `/v2/` answers 200 (no auth); `_catalog` pages per `mode`; anything else 401 with a Basic challenge
 * (the credential helper is asked).
 */
function startRegistry(): Promise<Server> {
  const s = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = { 'content-type': 'application/json' };
    if (url.pathname === '/v2/') {
      res.writeHead(200, json).end('{}');
    } else if (url.pathname === '/v2/_catalog') {
      catalogRequests++;
      const last = Number(url.searchParams.get('last') ?? '0');
      const next =
        mode === 'cycle' && last > 0 ? '/v2/_catalog?n=100' : `/v2/_catalog?n=100&last=${last + 1}`;
      res.writeHead(200, { ...json, link: `<${next}>; rel="next"` });
      res.end(JSON.stringify({ repositories: [`repo-${last}`] }));
    } else {
      res.writeHead(401, { ...json, 'www-authenticate': 'Basic realm="locked"' });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    }
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

beforeAll(async () => {
  await ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'layerdelta-no-end-'));
  server = await startRegistry();
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('an endless _catalog', { timeout: 600_000 }, () => {
  it('a Link back to a page sent before: exit 3 at once', async () => {
    mode = 'cycle';
    catalogRequests = 0;
    const result = await runCli(['scan', host, '-q'], {
      env: { LAYERDELTA_INSECURE_REGISTRIES: host },
      timeoutMs: TIMEOUT,
    });
    expectOneLine(
      result,
      3,
      /endless _catalog: its next link leads back to \/v2\/_catalog\?n=100, a page it sent before/,
    );
    expect(catalogRequests).toBe(2);
  });

  it(`a Link to ever new pages: exit 3 after ${MAX_LIST_PAGES} pages`, async () => {
    mode = 'endless';
    catalogRequests = 0;
    const result = await runCli(['scan', host, '-q'], {
      env: { LAYERDELTA_INSECURE_REGISTRIES: host, LAYERDELTA_MAX_LIST_PAGES: String(MAX_LIST_PAGES) },
      timeoutMs: TIMEOUT,
    });
    expectOneLine(
      result,
      3,
      new RegExp(`endless _catalog: it still links to a next page after ${MAX_LIST_PAGES} pages`),
    );
    expect(catalogRequests).toBe(MAX_LIST_PAGES);
  });
});

describe('a credential helper that hangs', { timeout: 300_000 }, () => {
  it('is killed with its children at the timeout: exit 3, one line', async () => {
    const bin = join(root, 'bin');
    const pids = join(root, 'helper-pids');
    mkdirSync(bin, { recursive: true });
    // A child in the background keeps stdout open; both record their pid, then sleep.
    const helper = join(bin, 'docker-credential-hostile-hang');
    writeFileSync(
      helper,
      `#!/bin/sh\nsleep 1000 &\necho $! >> ${pids}\necho $$ >> ${pids}\nexec sleep 1000\n`,
    );
    chmodSync(helper, 0o755);
    const config = join(root, 'docker');
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, 'config.json'), JSON.stringify({ credHelpers: { [host]: 'hostile-hang' } }));
    try {
      const result = await runCli(['inspect', `${host}/locked/app:v1`, '--no-cache', '-q'], {
        env: {
          DOCKER_CONFIG: config,
          PATH: `${bin}:${process.env.PATH}`,
          LAYERDELTA_INSECURE_REGISTRIES: host,
          LAYERDELTA_CREDENTIAL_HELPER_TIMEOUT: '2',
        },
        timeoutMs: 120_000,
      });
      expectOneLine(
        result,
        3,
        /credential helper docker-credential-hostile-hang did not answer for 127\.0\.0\.1:\d+ within 2 s \(killed with its children\)/,
      );
      // Neither the helper nor its child outlived the run.
      const started = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
      expect(started).toHaveLength(2);
      for (const pid of started) expect(alive(pid), `pid ${pid}`).toBe(false);
    } finally {
      if (existsSync(pids))
        for (const pid of readFileSync(pids, 'utf8').trim().split('\n').map(Number)) kill(pid);
    }
  });
});

/** Running (a zombie, dead but not yet reaped by an init that does not reap, counts as gone). */
function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/** Clean up what this test started (a helper left behind by the code under test). */
function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone.
  }
}
