/**
 * The tool's own image (scripts/build-image.ts, `npm run image`): built twice — this checkout's package
 * by the command, then the same package as another version by its function (the production
 * dependencies, cached by the lock, are installed once) — pushed to a real registry with skopeo,
 * unpacked with tar, and run: `layerdelta inspect` inside the unpacked root filesystem (chroot, as the image's user: trixie's
 * node runs the packed tool) and `layerdelta compare` of the two builds (base reused, tool layer changed).
 * Ground truth: skopeo's view of the pushed manifests and configs, sha256sum of the blobs, getent.
 * Needs root, mmdebstrap and a Debian mirror (fixtures/build.sh builds the root filesystem first).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage as buildImageInProcess } from '../../scripts/build-image.js';
import { pack } from '../../scripts/pack.js';
import type { ImageDelta } from '../../src/delta/types.js';
import { ensureBuilt, ROOT, runCli } from '../commands/cli.js';
import { memoize } from '../support/memo.js';
import { skopeoInspectRaw, startRegistry, type TestRegistry } from '../support/registry.js';

const exec = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const NEXT = `${pkg.version}-next.1`;
const SOURCE = 'https://example.com/layerdelta.git';

interface Manifest {
  layers: Array<{ digest: string; size: number }>;
}

let work: string;
let registry: TestRegistry;
const layout = { first: '', second: '' };

/** Runs the documented build command; returns the layout reference it prints. */
async function buildImage(out: string, extra: string[]): Promise<string> {
  const { stdout } = await exec(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts/build-image.ts'), '--out', out, '--source', SOURCE, ...extra],
    { cwd: ROOT, maxBuffer: 16 << 20 },
  );
  return stdout.trim();
}

beforeAll(async () => {
  await ensureBuilt();
  work = mkdtempSync(join(tmpdir(), 'layerdelta-image-test-'));
  // The previous build: this checkout as packed. The next one: the same package with another version
  // string, so only the tool layer differs.
  layout.first = join(work, 'first');
  expect(await buildImage(layout.first, [])).toBe(`oci:${layout.first}:${pkg.version}`);
  const unpacked = join(work, 'next');
  mkdirSync(unpacked);
  await exec('tar', ['-xzf', (await pack()).tarball, '-C', unpacked]);
  const pkgJson = join(unpacked, 'package', 'package.json');
  writeFileSync(
    pkgJson,
    readFileSync(pkgJson, 'utf8').replace(`"version": "${pkg.version}"`, `"version": "${NEXT}"`),
  );
  const nextTarball = join(work, `layerdelta-${NEXT}.tgz`);
  await exec('tar', ['-czf', nextTarball, '-C', unpacked, 'package']);
  // The command was run above; this build calls the function behind it (no second Node to start).
  layout.second = join(work, 'second');
  expect(await buildImageInProcess(layout.second, { tarball: nextTarball, source: SOURCE })).toBe(NEXT);

  registry = await startRegistry();
  for (const [dir, tag] of [
    [layout.first, pkg.version],
    [layout.second, NEXT],
  ] as const) {
    await exec('skopeo', [
      'copy',
      '--quiet',
      '--dest-tls-verify=false',
      `oci:${dir}:${tag}`,
      `docker://${registry.host}/tools/layerdelta:${tag}`,
    ]);
  }
}, 3_600_000);

afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

// skopeo's answers, asked once per tag: the registry's content does not change after beforeAll.
const manifestOf = memoize(
  async (tag: string) =>
    JSON.parse((await skopeoInspectRaw(registry, `tools/layerdelta:${tag}`)).toString()) as Manifest,
);

const configOf = memoize(async (tag: string) => {
  const { stdout } = await exec('skopeo', [
    'inspect',
    '--config',
    '--tls-verify=false',
    `docker://${registry.host}/tools/layerdelta:${tag}`,
  ]);
  return JSON.parse(stdout) as {
    config: {
      User: string;
      Entrypoint: string[];
      WorkingDir: string;
      Env: string[];
      Labels: Record<string, string>;
    };
    rootfs: { diff_ids: string[] };
  };
});

const blobPath = (dir: string, digest: string) =>
  join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length));

describe('the tool image', () => {
  it('is two layers, blobs as their digests say, run as a non-root user, labelled with the version', async () => {
    for (const [dir, tag] of [
      [layout.first, pkg.version],
      [layout.second, NEXT],
    ] as const) {
      const manifest = await manifestOf(tag);
      expect(manifest.layers).toHaveLength(2);
      for (const layer of manifest.layers) {
        const { stdout } = await exec('sha256sum', [blobPath(dir, layer.digest)]);
        expect(`sha256:${stdout.split(' ')[0]}`).toBe(layer.digest);
      }
      const { config } = await configOf(tag);
      expect(config.User).toBe('65532:65532');
      expect(config.Entrypoint).toEqual(['/usr/local/bin/layerdelta']);
      expect(config.WorkingDir).toBe('/home/layerdelta');
      expect(config.Labels['org.opencontainers.image.version']).toBe(tag);
      expect(config.Labels['org.opencontainers.image.source']).toBe(SOURCE);
    }
  });

  it("runs `layerdelta inspect` inside its own root filesystem (chroot) as the image's user", async () => {
    const root = join(work, 'root');
    mkdirSync(root);
    // Unpacked as a runtime does, layer by layer, by tar (owners kept: we are root).
    for (const layer of (await manifestOf(pkg.version)).layers) {
      await exec('tar', ['-xzf', blobPath(layout.first, layer.digest), '-C', root, '--same-owner']);
    }
    cpSync(join(ROOT, 'fixtures', 'demo'), join(root, 'demo'), { recursive: true });
    const { config } = await configOf(pkg.version);
    const inRoot = (args: string[]) =>
      exec('chroot', [`--userspec=${config.User}`, root, ...args], {
        // The image's environment (PATH also finds chroot itself, in /usr/sbin).
        env: Object.fromEntries(config.Env.map((line) => line.split(/=(.*)/s).slice(0, 2))),
        cwd: '/',
        maxBuffer: 16 << 20,
      });
    expect((await inRoot(['getent', 'passwd', '65532'])).stdout).toMatch(
      /^layerdelta:x:65532:65532:.*:\/home\/layerdelta:/,
    );
    expect((await inRoot(['node', '--version'])).stdout).toMatch(/^v20\./);
    expect((await inRoot([config.Entrypoint[0]!, '--version'])).stdout).toMatch(
      new RegExp(`^layerdelta/${pkg.version.replace(/\./g, '\\.')} linux-x64 node-v20\\.`),
    );
    const report = JSON.parse(
      (await inRoot([config.Entrypoint[0]!, 'inspect', 'oci:/demo:v2', '--json'])).stdout,
    ) as {
      manifest: { digest: string };
      layers: Array<{ digest: string }>;
    };
    const demoIndex = JSON.parse(readFileSync(join(ROOT, 'fixtures/demo/index.json'), 'utf8')) as {
      manifests: Array<{ digest: string; annotations?: Record<string, string> }>;
    };
    const v2 = demoIndex.manifests.find(
      (m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'v2',
    )!;
    const demoManifest = JSON.parse(
      readFileSync(blobPath(join(ROOT, 'fixtures/demo'), v2.digest), 'utf8'),
    ) as Manifest;
    expect(report.manifest.digest).toBe(v2.digest);
    expect(report.layers.map((l) => l.digest)).toEqual(demoManifest.layers.map((l) => l.digest));
  }, 300_000);

  it('compares with its previous build: the Debian layer reused, the tool layer changed', async () => {
    const [previous, next] = [await manifestOf(pkg.version), await manifestOf(NEXT)];
    // Ground truth first: the builds share the base blob and differ in the tool blob.
    expect(next.layers[0]!.digest).toBe(previous.layers[0]!.digest);
    expect(next.layers[1]!.digest).not.toBe(previous.layers[1]!.digest);
    const result = await runCli(
      [
        'compare',
        `${registry.host}/tools/layerdelta:${pkg.version}`,
        `${registry.host}/tools/layerdelta:${NEXT}`,
        '--json',
        '--no-binaries',
      ],
      { timeoutMs: 300_000 },
    );
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as ImageDelta;
    expect(report.layers.map((l) => [l.status, l.old?.digest, l.new?.digest])).toEqual([
      ['reused', previous.layers[0]!.digest, next.layers[0]!.digest],
      ['changed', previous.layers[1]!.digest, next.layers[1]!.digest],
    ]);
    const [previousConfig, nextConfig] = [await configOf(pkg.version), await configOf(NEXT)];
    expect(nextConfig.rootfs.diff_ids[0]).toBe(previousConfig.rootfs.diff_ids[0]);
  }, 300_000);
});
