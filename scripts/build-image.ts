/**
 * The tool's own container image, without a daemon (`npm run image -- --out DIR [--package TGZ] [--source URL]`):
 *   layer 1  Debian 13 "trixie" with its own nodejs (Node 20) and ca-certificates, by mmdebstrap
 *            (fixtures/rootfs.ts; cached by content), plus the non-root user 65532 — the same for
 *            every tool version, so a new release reuses it
 *   layer 2  the npm package (scripts/pack.ts, or --package) in /usr/local/lib/layerdelta with its
 *            production dependencies as package-lock.json pins them, and /usr/local/bin/layerdelta
 * written as an OCI image layout tagged with the package version by the fixtures' deterministic
 * writer (fixtures/oci-writer.ts): the same inputs give the same digests. Push it with
 * `skopeo copy oci:DIR:VERSION docker://REGISTRY/layerdelta:VERSION`.
 * Needs root (mmdebstrap, file owners) and npm; test/install/image.test.ts runs it.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { LayoutWriter, type PackedLayer } from '../fixtures/oci-writer.js';
import { buildCacheDir, buildOnce, debianRootfs, type RootfsSpec } from '../fixtures/rootfs.js';
import { layerEntries } from '../fixtures/rootfs-layers.js';
import { pack, ROOT } from './pack.js';

const exec = promisify(execFile);

export const USER = { name: 'layerdelta', uid: 65532, home: '/home/layerdelta' };

export const IMAGE_ROOTFS: RootfsSpec = {
  suite: 'trixie',
  // Essential packages only (no apt: nothing is installed in a running container), plus what runs the tool.
  variant: 'essential',
  include: ['nodejs', 'ca-certificates'],
  // Documentation, manuals and translations nobody reads in a container; copyright files stay.
  dpkgopts: [
    'path-exclude=/usr/share/doc/*',
    'path-include=/usr/share/doc/*/copyright',
    'path-exclude=/usr/share/man/*',
    'path-exclude=/usr/share/info/*',
    'path-exclude=/usr/share/locale/*',
  ],
  customize: [
    `echo '${USER.name}:x:${USER.uid}:${USER.uid}:${USER.name}:${USER.home}:/usr/sbin/nologin' >> "$1/etc/passwd"`,
    `echo '${USER.name}:x:${USER.uid}:' >> "$1/etc/group"`,
    `install -d -o ${USER.uid} -g ${USER.uid} -m 0755 "$1${USER.home}"`,
  ],
};

const LIB = 'usr/local/lib/layerdelta';

/**
 * The base layer, tarred and gzipped once per root filesystem and writer (next to the root filesystem
 * in fixtures/build/rootfs/): every build and the test's second build reuse the bytes.
 */
export async function imageBase(log: (line: string) => void = () => {}): Promise<PackedLayer> {
  const rootfs = await debianRootfs(IMAGE_ROOTFS, log);
  const hash = createHash('sha256').update(process.versions.zlib);
  for (const file of ['oci-writer.ts', 'rootfs-layers.ts'])
    hash.update(readFileSync(join(ROOT, 'fixtures', file)));
  const file = join(rootfs, '..', `layer-${hash.digest('hex').slice(0, 16)}.tar.gz`);
  const read = (): PackedLayer | undefined =>
    existsSync(`${file}.json`)
      ? { data: readFileSync(file), diffId: readFileSync(`${file}.json`, 'utf8'), compression: 'gzip' }
      : undefined;
  return await buildOnce(`${file}.lock`, read, async () => {
    log('packing the base layer');
    const layer = await LayoutWriter.pack(layerEntries(undefined, rootfs), 'gzip');
    writeFileSync(file, layer.data);
    writeFileSync(`${file}.json`, layer.diffId); // last: its presence says the layer is whole
    return layer;
  });
}

/**
 * The production dependencies as the checkout's lock pins them (`npm ci --omit=dev`), installed once
 * per lock, dependency list and Node into .cache/image/modules-<hash>/: a build of another version with
 * the same lock (the next release, the image test's second build) copies them instead of installing.
 */
async function productionModules(lib: string, log: (line: string) => void): Promise<string> {
  const lock = readFileSync(join(ROOT, 'package-lock.json'));
  const manifest = JSON.parse(readFileSync(join(lib, 'package.json'), 'utf8')) as Record<string, unknown>;
  // What npm ci reads besides the lock: the dependency fields (it checks them all against the lock).
  const fields = [
    'dependencies',
    'devDependencies',
    'optionalDependencies',
    'peerDependencies',
    'bundleDependencies',
    'overrides',
  ];
  const dependencies = Object.fromEntries(fields.map((field) => [field, manifest[field] ?? null]));
  const hash = createHash('sha256')
    .update(lock)
    .update(JSON.stringify(dependencies))
    .update(`${process.version} ${process.platform} ${process.arch}`);
  const dir = join(ROOT, '.cache', 'image', `modules-${hash.digest('hex').slice(0, 16)}`);
  return await buildCacheDir(
    dir,
    () => (existsSync(join(dir, 'installed')) ? dir : undefined),
    async (work) => {
      writeFileSync(join(work, 'package.json'), JSON.stringify({ ...dependencies, private: true }));
      writeFileSync(join(work, 'package-lock.json'), lock);
      log(`npm ci --omit=dev in ${work}`);
      await exec(
        'npm',
        ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
        {
          cwd: work,
          env: { ...process.env, npm_config_update_notifier: 'false' },
          maxBuffer: 64 << 20,
        },
      );
      writeFileSync(join(work, 'installed'), '');
    },
  );
}

interface PackageJson {
  name: string;
  version: string;
  license?: string;
  description?: string;
  repository?: string | { url: string };
}

export interface ImageOptions {
  /** The npm package to install; default: this checkout, packed. */
  tarball?: string;
  /** Where the sources live (label org.opencontainers.image.source); default: package.json `repository`. */
  source?: string;
}

/** Writes the image into the OCI layout `out` (replaced); returns its tag (the package version). */
export async function buildImage(
  out: string,
  { tarball, source }: ImageOptions = {},
  log: (line: string) => void = () => {},
): Promise<string> {
  const [base, packed] = await Promise.all([
    imageBase(log),
    tarball ? Promise.resolve(resolve(tarball)) : pack(log).then((p) => p.tarball),
  ]);
  const stage = mkdtempSync(join(tmpdir(), 'layerdelta-image-'));
  try {
    const lib = join(stage, LIB);
    mkdirSync(lib, { recursive: true });
    await exec('tar', ['-xzf', packed, '-C', lib, '--strip-components=1', '--no-same-owner']);
    // The checkout's lock pins the dependencies: two builds of one version install the same files.
    const pkg = JSON.parse(readFileSync(join(lib, 'package.json'), 'utf8')) as PackageJson;
    await exec('cp', [join(ROOT, 'package-lock.json'), lib]);
    await exec('cp', ['-a', join(await productionModules(lib, log), 'node_modules'), lib]);
    mkdirSync(join(stage, 'usr/local/bin'), { recursive: true });
    symlinkSync('../lib/layerdelta/bin/run.js', join(stage, 'usr/local/bin/layerdelta'));

    const repository = source ?? (typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url);
    const writer = new LayoutWriter(resolve(out));
    const image = await writer.image({
      platform: { os: 'linux', architecture: process.arch === 'arm64' ? 'arm64' : 'amd64' },
      // Reproducible: the time the sources say (SOURCE_DATE_EPOCH), not the time of the build.
      created: new Date(Number(process.env.SOURCE_DATE_EPOCH ?? 0) * 1000)
        .toISOString()
        .replace('.000Z', 'Z'),
      steps: [
        {
          createdBy: `mmdebstrap --variant=${IMAGE_ROOTFS.variant} --include=${IMAGE_ROOTFS.include.join(',')} ${IMAGE_ROOTFS.suite}`,
          packed: base,
        },
        // Owners from the stage would be the builder's; everything the tool installs belongs to root.
        {
          createdBy: `npm ci --omit=dev: ${pkg.name} ${pkg.version} in /${LIB}`,
          entries: layerEntries(undefined, stage).map((entry) => ({ ...entry, uid: 0, gid: 0 })),
        },
      ],
      config: {
        Entrypoint: ['/usr/local/bin/layerdelta'],
        Cmd: ['--help'],
        User: `${USER.uid}:${USER.uid}`,
        WorkingDir: USER.home,
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `HOME=${USER.home}`],
        Labels: {
          'org.opencontainers.image.title': pkg.name,
          'org.opencontainers.image.version': pkg.version,
          ...(pkg.description ? { 'org.opencontainers.image.description': pkg.description } : {}),
          ...(pkg.license ? { 'org.opencontainers.image.licenses': pkg.license } : {}),
          ...(repository ? { 'org.opencontainers.image.source': repository.replace(/^git\+/, '') } : {}),
        },
      },
    });
    writer.tag(image, pkg.version);
    writer.finish();
    return pkg.version;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const usage = 'usage: npm run image -- --out DIR [--package layerdelta-VERSION.tgz] [--source URL]';
  let values: { out?: string; package?: string; source?: string };
  try {
    ({ values } = parseArgs({
      options: { out: { type: 'string' }, package: { type: 'string' }, source: { type: 'string' } },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
  if (!values.out) {
    console.error(usage);
    process.exit(2);
  }
  const started = Date.now();
  const options = {
    ...(values.package ? { tarball: values.package } : {}),
    ...(values.source ? { source: values.source } : {}),
  };
  const tag = await buildImage(values.out, options, (line) => console.error(`image: ${line}`));
  console.error(`image: written in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`oci:${resolve(values.out)}:${tag}`);
}
