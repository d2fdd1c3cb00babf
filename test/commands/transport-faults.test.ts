/**
 * Registries that misbehave mid-transfer, through the built CLI (docs/design.md §7): a blob cut
 * mid-stream is resumed with a Range request and still verified; a registry that trickles (slowloris)
 * ends the run with one line and exit 3 once the configured deadline passes.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectReport } from '../../src/report/inspect.js';
import {
  type PushedImage,
  pushImage,
  type RegistryProxy,
  startProxy,
  startRegistry,
  type TestRegistry,
  tarLayer,
} from '../support/registry.js';
import { ensureBuilt, runCli } from './cli.js';

beforeAll(async () => {
  await ensureBuilt();
});

describe('a blob cut mid-stream', () => {
  let registry: TestRegistry;
  let proxy: RegistryProxy;
  let image: PushedImage;
  let layer: Buffer;
  beforeAll(async () => {
    registry = await startRegistry();
    layer = await tarLayer({ 'data.bin': randomBytes(512 * 1024), 'etc/motd': 'resumed' });
    image = await pushImage(registry, 'cut/app', 'v1', { layers: [layer] });
    proxy = await startProxy(registry.url);
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  it('is resumed from the last byte read and verified over the whole', async () => {
    const digest = image.layers[0]!.digest;
    proxy.truncateNext(new RegExp(digest));
    const result = await runCli(['inspect', `${proxy.host}/cut/app:v1`, '--json', '--no-cache']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as InspectReport & {
      layers: Array<{ uncompressedSize?: number }>;
    };
    // Ground truth: gzip's own count of the layer's bytes.
    const uncompressed = execFileSync('gzip', ['-dc'], { input: layer, maxBuffer: 1 << 26 }).length;
    expect(report.layers[0]?.uncompressedSize).toBe(uncompressed);
    const gets = proxy.requests.filter((r) => r.method === 'GET' && r.path.includes(digest));
    expect(gets).toHaveLength(2);
    expect(gets[0]?.range).toBeUndefined();
    expect(gets[1]?.range).toBe(`bytes=${layer.length >> 1}-`);
    expect(gets[1]?.status).toBe(206);
  });

  it('fails with one line and exit 3 when every resume is cut too', async () => {
    proxy.truncateNext(new RegExp(image.layers[0]!.digest), 100);
    const result = await runCli(['inspect', `${proxy.host}/cut/app:v1`, '--json', '--no-cache']);
    expect(result.status).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /download of blob sha256:[0-9a-f]{64} broke off after \d+ bytes and 3 resumes/,
    );
  });
});

describe('a registry that trickles (slowloris)', () => {
  let server: Server;
  let host: string;
  beforeAll(async () => {
    // Every answer: headers at once, then 200 bytes every 100 ms of a body that never ends.
    server = createServer((req, res) => {
      res.writeHead(200, {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        'content-length': String(1 << 30),
      });
      const timer = setInterval(() => res.write(' '.repeat(200)), 100);
      req.socket.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('ends with one line naming the host, the phase and the deadline, exit 3', async () => {
    const result = await runCli(['inspect', `${host}/slow/app:v1`, '--json'], {
      env: { LAYERDELTA_REQUEST_TIMEOUT: '3' },
    });
    expect(result.status).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(
      `registry ${host}: manifest request timed out while reading the body (after 3 s, LAYERDELTA_REQUEST_TIMEOUT)`,
    );
  });

  it('refuses a deadline that is not a number of seconds', async () => {
    const result = await runCli(['inspect', `${host}/slow/app:v1`], {
      env: { LAYERDELTA_IDLE_TIMEOUT: 'soon' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(
      'layerdelta: LAYERDELTA_IDLE_TIMEOUT must be a positive number of seconds, not "soon"',
    );
  });
});

describe('a blob that stalls', () => {
  let registry: TestRegistry;
  let server: Server;
  let host: string;
  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(registry, 'stall/app', 'v1', {
      layers: [await tarLayer({ 'big.bin': randomBytes(64 * 1024) })],
    });
    const target = new URL(registry.url);
    // Manifests and configs pass; layer blobs send 10 bytes and then nothing.
    server = createServer(async (req, res) => {
      const headers: Record<string, string> = {};
      for (const name of ['accept', 'range']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const upstream = await fetch(`${target.origin}${req.url}`, { method: req.method ?? 'GET', headers });
      const body = Buffer.from(await upstream.arrayBuffer());
      res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
      if (/\/blobs\//.test(req.url ?? '') && body.length > 10_000) res.write(body.subarray(0, 10));
      else res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await registry?.stop();
  });

  it('is cut after the idle window (resumed, then given up) with one line and exit 3', async () => {
    const result = await runCli(['inspect', `${host}/stall/app:v1`, '--json', '--no-cache'], {
      env: { LAYERDELTA_IDLE_TIMEOUT: '1' },
    });
    expect(result.status).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(
      `registry ${host}: blob request stalled while reading the body (less than 1 KiB in 1 s, LAYERDELTA_IDLE_TIMEOUT)`,
    );
  });
});
