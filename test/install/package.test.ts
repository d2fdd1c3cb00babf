/**
 * The package as a user gets it: `npm pack` (prepack builds dist/) → `npm install -g` of that tarball
 * into a temporary prefix (dependencies from the npm cache or registry) → the installed `layerdelta`
 * run from another directory. Ground truth for the compare: the demo layout's own manifests.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../commands/cli.js';
import { copySource } from './source-copy.js';

const exec = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

let work: string;
let prefix: string;
let packed: { filename: string; files: Array<{ path: string }> };

/** An npm environment of our own: no update check, no audit, the user's cache (offline-friendly). */
const npmEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'layerdelta-pack-'));
  const source = join(work, 'source');
  copySource(source);
  // Packing builds with the dev dependencies; npm pack never writes into node_modules.
  symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'));
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: source,
    env: npmEnv,
    maxBuffer: 64 << 20,
  });
  // prepack's own output (tsc) comes first on stdout; the JSON array is last.
  packed = (JSON.parse(stdout.slice(stdout.indexOf('\n[') + 1)) as (typeof packed)[])[0]!;
  prefix = join(work, 'prefix');
  await exec(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', join(work, packed.filename)],
    { cwd: work, env: npmEnv, maxBuffer: 64 << 20 },
  );
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function installed(args: string[]): Promise<string> {
  const { stdout } = await exec(join(prefix, 'bin', 'layerdelta'), args, {
    cwd: work, // not the checkout: nothing may be found relative to it
    env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: '', XDG_CACHE_HOME: join(work, 'cache') },
    maxBuffer: 64 << 20,
  });
  return stdout;
}

describe('npm package', () => {
  it('holds the built commands and the files the help cites, not sources, tests or fixtures', () => {
    const paths = packed.files.map((f) => f.path);
    expect(packed.filename).toBe(`${pkg.name}-${pkg.version}.tgz`);
    for (const needed of [
      'bin/run.js',
      'dist/commands/compare.js',
      'dist/commands/check.js',
      'docs/schema/image-delta.v1.json',
      'docs/report.md',
      'docs/metrics.md',
      'deploy/grafana/layerdelta.json',
      'README.md',
      'package.json',
    ]) {
      expect(paths).toContain(needed);
    }
    expect(paths.filter((p) => /^(src|test|fixtures|bench)\/|\.map$|\.ts$/.test(p))).toEqual([]);
  });

  it('installs globally and prints its version from another directory', async () => {
    expect(await installed(['--version'])).toMatch(
      new RegExp(`^layerdelta/${pkg.version.replace(/\./g, '\\.')} `),
    );
    const schema = join(prefix, 'lib', 'node_modules', pkg.name, 'docs', 'schema', 'image-delta.v1.json');
    expect(existsSync(schema)).toBe(true);
    expect(await installed(['compare', '--help'])).toContain('docs/schema/image-delta.v1.json');
  });

  it('compares the demo pair with only its runtime dependencies', async () => {
    const demo = join(ROOT, 'fixtures', 'demo');
    const report = JSON.parse(await installed(['compare', `oci:${demo}:v1`, `oci:${demo}:v2`, '--json'])) as {
      new: { manifestDigest: string; compressedSize: number };
      layers: Array<{ new?: { digest: string } }>;
    };
    const index = JSON.parse(readFileSync(join(demo, 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
    };
    const v2 = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'v2')!;
    const manifest = JSON.parse(
      readFileSync(join(demo, 'blobs', 'sha256', v2.digest.slice('sha256:'.length)), 'utf8'),
    ) as { layers: Array<{ digest: string; size: number }> };
    expect(report.new.manifestDigest).toBe(v2.digest);
    expect(report.layers.flatMap((l) => (l.new ? [l.new.digest] : []))).toEqual(
      manifest.layers.map((l) => l.digest),
    );
    expect(report.new.compressedSize).toBe(manifest.layers.reduce((sum, l) => sum + l.size, 0));
  });
});
