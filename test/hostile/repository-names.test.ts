/**
 * docs/hostile-input.md, "Integrity": names from `--repositories-file` are checked against the
 * distribution spec's repository name grammar before any request, so `..`, `?`, `%` or `:` never
 * reach a request URL (`#` starts a comment in the file) (`/v2/../../x` is normalised to another path, `?` starts a query). A server
 * speaking the registry API logs every request it gets.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { expectOneLine } from './support.js';

let root: string;
let server: Server;
let host: string;
const requests: string[] = [];

beforeAll(async () => {
  await ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'layerdelta-repo-names-'));
  // Answers every tag list with one tag, so a scan would go on to ask for each name it was given.
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(req.url?.endsWith('/tags/list') ? '{"name":"x","tags":["1.0.0"]}' : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('bad names in --repositories-file', { timeout: 300_000 }, () => {
  it.each([
    ['..', '../../v2/_catalog', /repository component "\.\." is not valid/],
    ['?', 'team/app?n=1', /repository component "app\?n=1" is not valid/],
    [':', 'team/app:1.0', /repository component "app:1.0" is not valid/],
    ['%', 'team/%2e%2e', /repository component "%2e%2e" is not valid/],
    ['a space', 'team/my app', /repository component "my app" is not valid/],
  ])('%s: one line naming the file and line, exit 2, no request', async (_what, bad, message) => {
    const file = join(root, 'repositories.txt');
    // Line 3 is the first bad one; line 5 another.
    writeFileSync(file, `# team repositories\nteam/good\n${bad}\n\n${bad}/more\n`);
    requests.length = 0;
    const result = await runCli(['scan', host, '--repositories-file', file, '-q'], {
      env: { LAYERDELTA_INSECURE_REGISTRIES: host },
      timeoutMs: 90_000,
    });
    expectOneLine(result, 2, message);
    expect(result.stderr).toContain(`--repositories-file ${file}:3: `);
    expect(result.stderr).toContain('(and 1 more: lines 5)');
    expect(requests).toEqual([]);
  });
});
