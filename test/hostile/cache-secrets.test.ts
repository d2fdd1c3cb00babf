/**
 * Hostile input, "Leaks" (docs/hostile-input.md): credentials never reach the layer cache. A run with
 * `--creds` against a basic-auth and a token-auth registry leaves neither the password, nor its base64 form,
 * nor a bearer token in any file under --cache-dir (the cache holds layer scans keyed by digest only).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../commands/cli.js';
import { pushImage, startRegistry, type TestRegistry, tarLayer } from '../support/registry.js';

const PASSWORD = 'hostile-secret-Pa55word';
let root: string;
const registries: TestRegistry[] = [];

beforeAll(async () => {
  await ensureBuilt();
  root = mkdtempSync(join(tmpdir(), 'layerdelta-cache-secrets-'));
}, 300_000);

afterAll(async () => {
  await Promise.all(registries.map((r) => r.stop()));
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Every regular file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

describe('no credential in the cache', { timeout: 300_000 }, () => {
  it.each(['basic', 'token'] as const)('%s auth with --creds user:secret', async (auth) => {
    const registry = await startRegistry({ auth, users: { hostile: PASSWORD } });
    registries.push(registry);
    const layer = await tarLayer({ 'etc/motd': 'hello', 'app/config': `not the ${auth} password` });
    await pushImage(registry, 'hostile/cache', 'v1', { layers: [layer] });
    const cacheDir = join(root, auth);
    const result = await runCli(
      [
        'inspect',
        `${registry.host}/hostile/cache:v1`,
        '--creds',
        `hostile:${PASSWORD}`,
        '--cache-dir',
        cacheDir,
        '--json',
      ],
      { timeoutMs: 120_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    const files = filesUnder(cacheDir);
    // The cache was written (a test that finds no file would find no secret either).
    expect(files.length).toBeGreaterThan(0);
    const basic = Buffer.from(`hostile:${PASSWORD}`).toString('base64');
    for (const file of files) {
      const text = readFileSync(file, 'latin1');
      expect(text, file).not.toContain(PASSWORD);
      expect(text, file).not.toContain(basic);
      expect(text, file).not.toMatch(/Bearer |"(?:access_)?token"/);
    }
  });
});
