/**
 * What scan's table says (issue 15, point 6): a repository that grew through a new layer is not "ok";
 * the column says what changed, the layers that explain it are listed under the table, and the legend
 * says what Δ GO BINARIES counts. Through the built CLI against a real registry, with real Go binaries.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureBinary, fixturePath } from '../support/fixtures.js';
import { pushImage, startRegistry, type TestRegistry, tarLayer } from '../support/registry.js';
import { ensureBuilt, runCli } from './cli.js';

let registry: TestRegistry;
let newLayerDigest: string;
const diffId = (b: Buffer) => `sha256:${createHash('sha256').update(gunzipSync(b)).digest('hex')}`;

async function push(repository: string, tag: string, created: string, layers: Buffer[], history: string[]) {
  return await pushImage(registry, repository, tag, {
    layers,
    config: {
      architecture: 'amd64',
      os: 'linux',
      created,
      rootfs: { type: 'layers', diff_ids: layers.map(diffId) },
      history: history.map((created_by) => ({ created_by })),
    },
  });
}

beforeAll(async () => {
  [registry] = await Promise.all([startRegistry(), ensureBuilt()]);
  const hello = readFileSync(
    fixturePath(
      fixtureBinary({ program: 'hello', go: '1.23', goarch: 'amd64', stripped: true, cgo: false }).file,
    ),
  );
  const base = await tarLayer({ 'etc/os-release': 'ID=test\n' });
  const app = await tarLayer({ 'usr/local/bin/app': hello });
  // grows/app: 1.0.0 is the base alone; 1.1.0 adds a layer with a Go binary (many times the base).
  await push('grows/app', '1.0.0', '2024-01-01T00:00:00Z', [base], ['ADD rootfs /']);
  const grown = await push(
    'grows/app',
    '1.1.0',
    '2024-02-01T00:00:00Z',
    [base, app],
    ['ADD rootfs /', 'COPY app /usr/local/bin/app'],
  );
  newLayerDigest = grown.layers[1]!.digest;
}, 240_000);

afterAll(async () => {
  await registry?.stop();
});

describe('scan RESULT wording', () => {
  it('says "grew: 1 new layer", lists the new layer, and explains the Go binaries count', async () => {
    const result = await runCli(['scan', registry.host, '--pair', 'semver', '--no-cache'], {
      timeoutMs: 180_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    const header = lines.find((l) => l.startsWith('REPOSITORY'))!;
    expect(header).toContain('Δ GO BINARIES (n differing)');
    expect(header).toContain('WHAT CHANGED');
    const grows = lines.find((l) => l.startsWith('grows/app'))!;
    expect(grows).toMatch(/\+\d.*\(1\)\s+grew: 1 new layer$/);
    expect(grows).not.toMatch(/\bok\b/);
    expect(result.stdout).toContain(
      'Δ GO BINARIES: summed file-size change of the Go executables that differ',
    );
    const explained = lines.slice(lines.indexOf('Layers that explain the change (compressed):') + 1);
    expect(explained[0]).toMatch(
      new RegExp(
        `^  grows/app  new ${newLayerDigest.slice(7, 19)}  \\+[\\d.]+ [kM]B  COPY app /usr/local/bin/app$`,
      ),
    );
  });
});
