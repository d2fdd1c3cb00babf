/**
 * The package as a user gets it: `npm pack` (prepack builds dist/) → the GitLab CI template's script,
 * whose `npm install -g` of that tarball goes into a temporary prefix (dependencies from the npm cache
 * or registry) → the installed `layerdelta` run from another directory. Ground truth for the compare:
 * the demo layout's own manifests.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type Packed, pack } from '../../scripts/pack.js';
import { ROOT } from '../commands/cli.js';

const exec = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

let work: string;
let prefix: string;
let packed: Packed;

interface GitLabJob {
  image: string;
  variables: Record<string, string>;
  script: string[];
  artifacts: { reports: { metrics: string } };
}

const job = (
  parse(readFileSync(join(ROOT, 'deploy/gitlab/layerdelta.gitlab-ci.yml'), 'utf8')) as Record<
    string,
    GitLabJob
  >
)['.layerdelta-check']!;
const demo = join(ROOT, 'fixtures', 'demo');
/** The GitLab job's home and project directory. */
let home: string;
let project: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'layerdelta-pack-'));
  packed = await pack();
  prefix = join(work, 'prefix');
  home = join(work, 'gitlab-home');
  project = join(work, 'gitlab-project');
  mkdirSync(home);
  mkdirSync(project);
  // The GitLab template's script installs the package (`npm install -g` of the tarball, here into
  // `prefix`) and runs a check; every test of this file uses that installation.
  // What GitLab puts in the job's environment: the template's variables, ours over them, CI_* of a pipeline.
  const env = {
    ...process.env,
    PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
    // A home of its own (the script writes ~/.docker/config.json), with the user's npm settings.
    HOME: home,
    npm_config_userconfig: join(homedir(), '.npmrc'),
    GITHUB_ACTIONS: '',
    npm_config_prefix: prefix,
    // The user's npm cache stands in for a CI cache: with an empty one npm fetches every dependency again.
    npm_config_cache: (await exec('npm', ['config', 'get', 'cache'])).stdout.trim(),
    npm_config_update_notifier: 'false',
    ...job.variables,
    LAYERDELTA_PACKAGE: packed.tarball,
    LAYERDELTA_IMAGE: `oci:${demo}:v2`,
    LAYERDELTA_BASELINE: `oci:${demo}:v1`,
    LAYERDELTA_ARGS: '--max-growth 500% --no-binaries',
    CI_REGISTRY: 'registry.gitlab.example.com',
    CI_REGISTRY_USER: 'gitlab-ci-token',
    CI_REGISTRY_PASSWORD: 's3cr:et',
    CI_COMMIT_REF_SLUG: 'feature-x',
    XDG_CACHE_HOME: join(work, 'cache'),
  };
  await exec('sh', ['-e', '-c', job.script.join('\n')], { cwd: project, env, maxBuffer: 64 << 20 });
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
    const paths = packed.files;
    expect(basename(packed.tarball)).toBe(`${pkg.name}-${pkg.version}.tgz`);
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
      // Commands' metadata, so oclif starts without importing every command (written by `npm run build`: scripts/manifest.js).
      'oclif.manifest.json',
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
  }, 180_000);

  it('compares the demo pair with only its runtime dependencies', async () => {
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
  }, 180_000);

  it("runs the GitLab CI template's script with the tarball as LAYERDELTA_PACKAGE", () => {
    expect(job.image).toMatch(/^node:(2[0-9])-/);
    expect(job.variables.LAYERDELTA_PACKAGE).toBe(basename(packed.tarball));
    // The script installed the package: the installed command is the one the other tests run.
    expect(existsSync(join(prefix, 'bin', 'layerdelta'))).toBe(true);
    const auth = JSON.parse(readFileSync(join(home, '.docker', 'config.json'), 'utf8')) as {
      auths: Record<string, { auth: string }>;
    };
    expect(Buffer.from(auth.auths['registry.gitlab.example.com']!.auth, 'base64').toString()).toBe(
      'gitlab-ci-token:s3cr:et',
    );
    expect(readFileSync(join(project, 'layerdelta.md'), 'utf8')).toMatch(/^### layerdelta: /);
    const metrics = readFileSync(join(project, job.artifacts.reports.metrics), 'utf8');
    expect(metrics).toMatch(/^layerdelta_image_delta_bytes\{.*branch="feature-x".*\} /m);
    expect(metrics.trimEnd().endsWith('# EOF')).toBe(true);
  });
});
