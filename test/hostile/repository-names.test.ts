/**
 * docs/hostile-input.md, "Integrity": names from `--repositories-file` are checked against the
 * distribution spec's repository name grammar before any request, so `..`, `?`, `%` or `:` never
 * reach a request URL; names from the registry's own `_catalog` are held to the same grammar (`#` starts a comment in the file) (`/v2/../../x` is normalised to another path, `?` starts a query). A server
 * speaking the registry API logs every request it gets.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScan } from '../../src/registry-scan/run.js';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { expectFailure } from '../support/failure.js';
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
    if (req.url?.startsWith('/v2/_catalog')) {
      res.end(JSON.stringify({ repositories: ['team/good', '../../v2/_catalog', 'team/app?n=1'] }));
      return;
    }
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
  /** A file whose line 3 is the first bad name and line 5 another. */
  function repositoriesFile(bad: string): string {
    const file = join(root, 'repositories.txt');
    writeFileSync(file, `# team repositories\nteam/good\n${bad}\n\n${bad}/more\n`);
    return file;
  }

  it('..: one line naming the file and line, exit 2, no request (CLI)', async () => {
    const file = repositoriesFile('../../v2/_catalog');
    requests.length = 0;
    const result = await runCli(['scan', host, '--repositories-file', file, '-q'], {
      env: { LAYERDELTA_INSECURE_REGISTRIES: host },
      timeoutMs: 90_000,
    });
    expectOneLine(result, 2, /repository component "\.\." is not valid/);
    expect(result.stderr).toContain(`--repositories-file ${file}:3: `);
    expect(result.stderr).toContain('(and 1 more: lines 5)');
    expect(requests).toEqual([]);
  });

  // The same decision as the CLI case (runScan reads the file before any request), in-process.
  it.each([
    ['?', 'team/app?n=1', /repository component "app\?n=1" is not valid/],
    [':', 'team/app:1.0', /repository component "app:1.0" is not valid/],
    ['%', 'team/%2e%2e', /repository component "%2e%2e" is not valid/],
    ['a space', 'team/my app', /repository component "my app" is not valid/],
  ])(
    '%s: one line naming the file and line, exit 2, no request (in-process)',
    async (_what, bad, message) => {
      const file = repositoriesFile(bad);
      requests.length = 0;
      const line = await expectFailure(
        () => runScan({ registry: host, repositoriesFile: file, insecure: true }),
        2,
        message,
      );
      expect(line).toContain(`--repositories-file ${file}:3: `);
      expect(line).toContain('(and 1 more: lines 5)');
      expect(requests).toEqual([]);
    },
  );
});

describe("bad names in the registry's own _catalog", { timeout: 300_000 }, () => {
  it('exit 3, one line naming the name; no request carries it', async () => {
    requests.length = 0;
    const result = await runCli(['scan', host, '-q'], {
      env: { LAYERDELTA_INSECURE_REGISTRIES: host },
      timeoutMs: 90_000,
    });
    expectOneLine(
      result,
      3,
      /lists a repository that is not valid: repository component "\.\." is not valid/,
    );
    expect(requests.some((r) => r.startsWith('/v2/_catalog'))).toBe(true);
    expect(requests.filter((r) => !r.startsWith('/v2/_catalog') && r !== '/v2/')).toEqual([]);
  });
});
