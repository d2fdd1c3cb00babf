/**
 * docs/hostile-input.md, "Messages": what a broken registry or layout sends is named for what it is.
 * - An HTML page for a manifest: the registry failed (exit 3), not a malformed manifest (exit 2).
 * - A redirect to `file://`: the scheme is named (was "an empty host").
 * - Two manifests with one `ref.name` and no platform to tell them apart: "ambiguous" (exit 2).
 * - Bytes after a tar's end-of-archive blocks: ignored, as Docker and containerd do; the files read
 *   are the clean layer's.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { OCI_CONFIG, OCI_MANIFEST, TestLayout, tarOf } from '../source/layout-builder.js';
import { expectOneLine } from './support.js';

const TIMEOUT = 90_000;
let root: string;
let server: Server;
let host: string;

beforeAll(async () => {
  await ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'layerdelta-messages-'));
  server = createServer((req, res) => {
    if (req.url === '/v2/') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } else if (req.url === '/v2/app/manifests/html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><body>Please log in</body></html>');
    } else if (req.url === '/v2/app/manifests/file') {
      res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    } else {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('a registry that answers with something else', { timeout: 300_000 }, () => {
  const env = () => ({ LAYERDELTA_INSECURE_REGISTRIES: host });

  it('an HTML page for a manifest: exit 3, status and content type named', async () => {
    const result = await runCli(['inspect', `${host}/app:html`, '--no-cache', '-q'], {
      env: env(),
      timeoutMs: TIMEOUT,
    });
    expectOneLine(
      result,
      3,
      /answered HTML, not a manifest, for 127\.0\.0\.1:\d+\/app:html \(HTTP 200, content-type text\/html; charset=utf-8\)/,
    );
  });

  it('a redirect to file://: exit 3, the scheme named', async () => {
    const result = await runCli(['inspect', `${host}/app:file`, '--no-cache', '-q'], {
      env: env(),
      timeoutMs: TIMEOUT,
    });
    expectOneLine(result, 3, /redirected 127\.0\.0\.1:\d+\/app:file to a file: URL; only http and https/);
  });
});

describe('OCI layouts', { timeout: 300_000 }, () => {
  it('two manifests named "v1" for one platform: ambiguous, exit 2', async () => {
    const dir = join(root, 'twice');
    const layout = new TestLayout(dir);
    const a = await layout.image({ layers: [{ files: { a: 'a' } }] });
    const b = await layout.image({ layers: [{ files: { b: 'b' } }] });
    layout.tag(a, 'v1');
    layout.tag(b, 'v1');
    layout.finish();
    const result = await runCli(['inspect', `oci:${dir}:v1`, '--no-cache', '-q'], { timeoutMs: TIMEOUT });
    expectOneLine(
      result,
      2,
      new RegExp(`ambiguous: 2 manifests named "v1" in ${dir} \\(${a.digest}, ${b.digest}\\)`),
    );
  });

  it('bytes after the end-of-archive blocks are ignored: the files are the clean layer’s', async () => {
    const files = { 'etc/motd': 'hello', 'usr/bin/tool': 'x'.repeat(3000) };
    const clean = await tarOf(files);
    const garbage = Buffer.from(`${'trailing garbage, not a tar header '.repeat(40)}\n`);
    const dirty = Buffer.concat([clean, garbage]);
    const inspect = async (name: string, tar: Buffer) => {
      const dir = join(root, name);
      const layout = new TestLayout(dir);
      const layer = layout.blob(tar, 'application/vnd.oci.image.layer.v1.tar');
      const diffId = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
      const config = layout.json(
        { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [diffId] } },
        OCI_CONFIG,
      );
      const manifest = layout.json(
        { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] },
        OCI_MANIFEST,
      );
      layout.tag(manifest, 'v1');
      layout.finish();
      const result = await runCli(['inspect', `oci:${dir}:v1`, '--no-cache', '-q', '--json'], {
        timeoutMs: TIMEOUT,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      return JSON.parse(result.stdout);
    };
    const want = await inspect('clean', clean);
    const got = await inspect('dirty', dirty);
    // The same files, named by another layer digest (the blob differs by the trailing bytes).
    const renamed = JSON.stringify(got.files).replaceAll(got.layers[0].digest, want.layers[0].digest);
    expect(JSON.parse(renamed)).toEqual(want.files);
    expect(want.files.files).toBe(2);
    expect(got.layers[0].uncompressedSize).toBe(want.layers[0].uncompressedSize + garbage.length);
  });
});
