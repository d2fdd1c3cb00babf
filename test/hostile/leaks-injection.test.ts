/**
 * docs/hostile-input.md, "Leaks and injection": server text that echoes a credential is redacted, a
 * credential typed into a reference is not echoed, and image data cannot start a line of output or carry
 * a control character to the terminal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { TestLayout } from '../source/layout-builder.js';
import { expectOneLine } from './support.js';

// Generous: a hang is what is detected, and 2 shared cores can make a run slow.
const TIMEOUT = 90_000;
const USER = 'hostile';
const PASSWORD = 'pa55-w0rd-XYZ';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
let root: string;
let layout: string;
let echo: Server;
let echoHost: string;

/** Asks for Basic credentials, then answers every authorised request with the Authorization echoed back. */
function startEchoServer(): Promise<Server> {
  const server = createServer((req, res) => {
    const auth = req.headers.authorization;
    if (req.url?.startsWith('/v2/') && auth === undefined) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="echo"', 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    // A registry's error code and a Pushgateway's error text, both carrying the request's credential.
    const body = req.url?.startsWith('/v2/')
      ? JSON.stringify({ errors: [{ code: `DENIED ${auth}`, message: `${auth}` }] })
      : `bad request from ${auth}\n`;
    res.writeHead(req.url === '/v2/' ? 200 : 418, { 'content-type': 'application/json' });
    res.end(req.url === '/v2/' ? '{}' : body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function expectNoSecret(text: string): void {
  expect(text).not.toContain(BASIC);
  expect(text).not.toContain(PASSWORD);
}

beforeAll(async () => {
  await ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'layerdelta-leaks-'));
  layout = join(root, 'layout');
  const builder = new TestLayout(layout);
  builder.tag(await builder.image({ layers: [{ files: { 'etc/motd': 'hello' } }] }), 'v1');
  const hostile = { 'etc/motd': 'hello', 'etc/x\n::warning title=pwned::from the image\u001b[31m': 'x' };
  const createdBy = 'RUN make \u001b[2J\u001b[31mred\u0007';
  builder.tag(await builder.image({ layers: [{ files: hostile, createdBy }] }), 'v2');
  builder.finish();
  echo = await startEchoServer();
  echoHost = `127.0.0.1:${(echo.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => echo?.close(r));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('credentials never reach output', { timeout: 300_000 }, () => {
  it('a registry error that echoes Authorization: Basic → exit 3, redacted', async () => {
    const config = join(root, 'docker');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(config, { recursive: true });
    writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { [echoHost]: { auth: BASIC } } }));
    const result = await runCli(['inspect', `${echoHost}/app:v1`, '--no-cache'], {
      env: { DOCKER_CONFIG: config, LAYERDELTA_INSECURE_REGISTRIES: echoHost },
      timeoutMs: TIMEOUT,
    });
    expectNoSecret(result.stderr + result.stdout);
    expectOneLine(result, 3, new RegExp(`registry ${echoHost} answered HTTP 418`));
  });

  it('a Pushgateway error body that echoes Authorization → exit 4, redacted', async () => {
    const result = await runCli(
      [
        'compare',
        `oci:${layout}:v1`,
        `oci:${layout}:v1`,
        '--no-cache',
        '--pushgateway',
        `http://${USER}:${PASSWORD}@${echoHost}`,
      ],
      { timeoutMs: TIMEOUT },
    );
    expectNoSecret(result.stderr + result.stdout);
    expect(result.status, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/Pushgateway refused .*HTTP 418: bad request from Basic \[redacted\]/);
  });

  it('user:password typed into a reference is not echoed', async () => {
    const result = await runCli(['inspect', `${USER}:${PASSWORD}@${echoHost}/app:v1`], {
      timeoutMs: TIMEOUT,
    });
    expectNoSecret(result.stderr + result.stdout);
    expect(result.status).toBe(2);
  });
});

describe('image data cannot start a line or carry a control character', { timeout: 300_000 }, () => {
  it.each([
    ['text', []],
    ['markdown', ['-o', 'markdown']],
  ])('ESC and BEL in a layer created_by, a newline in a tar path: the %s report', async (_name, format) => {
    const result = await runCli(
      ['compare', `oci:${layout}:v1`, `oci:${layout}:v2`, '--no-cache', ...format],
      {
        timeoutMs: TIMEOUT,
      },
    );
    expect(result.status, result.stderr).toBe(0);
    // Escaped as Go's strconv.Quote would (Markdown may escape the backslash again).
    expect(result.stdout).toMatch(/RUN make \\+x1b/);
    expect(result.stdout).not.toMatch(/^\s*::/m);
    expect(result.stdout).not.toContain('\u001b');
  });

  it('a newline or ESC in a reference gives one line', async () => {
    const result = await runCli(['inspect', `oci:${root}/nope\n::error::x\u001b[2J`], { timeoutMs: TIMEOUT });
    expectOneLine(result, 2, /invalid image reference .*nope\\n::error::x\\x1b\[2J/);
    expect(result.stderr).not.toContain('\u001b');
  });
});
