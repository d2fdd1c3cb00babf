/**
 * The fixtures that fixtures/build.sh builds (Go binaries, OCI layouts, docker archives), for every
 * test: the manifest, absolute paths, and pushing a layout into a test registry with skopeo.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
const MANIFEST = join(REPO_ROOT, 'fixtures/build/manifest.json');

export interface FixtureBinary {
  /** Relative to the repository root; use fixturePath(b.file) for an absolute path. */
  file: string;
  /** hello | webapp | cgo | app-v1 | app-v2 */
  program: string;
  go: '1.19' | '1.21' | '1.23';
  goarch: 'amd64' | 'arm64';
  stripped: boolean;
  cgo: boolean;
  /** Only in `variants`: the one flag this build differs in from the matrix build (fixtures/go-builds.ts). */
  variant?: 'race' | 'untrimmed';
}

export interface FixtureLayout {
  /** Relative to the repository root, e.g. fixtures/build/oci/basic. */
  dir: string;
  tags: string[];
  description: string;
  mediaTypes: 'oci' | 'docker';
  /** os/arch[/variant] of every platform image (attestations not counted). */
  platforms: string[];
}

export interface FixtureArchive {
  /** A `docker save` style archive (written by skopeo), relative to the repository root. */
  file: string;
  /** The name:tag inside the archive. */
  tag: string;
}

export interface FixtureManifest {
  binaries: FixtureBinary[];
  /** One-flag twins of matrix builds (absent in manifests written before they existed). */
  variants?: FixtureBinary[];
  layouts: FixtureLayout[];
  archives: FixtureArchive[];
}

/** fixtures/build/manifest.json; throws with the command to run when the fixtures are not built. */
export function loadFixtureManifest(): FixtureManifest {
  if (!existsSync(MANIFEST)) {
    throw new Error('fixtures/build/manifest.json is missing: run `bash fixtures/build.sh` first');
  }
  return JSON.parse(readFileSync(MANIFEST, 'utf8')) as FixtureManifest;
}

/** An absolute path inside the repository: fixturePath('fixtures/build/oci/basic'). */
export function fixturePath(...parts: string[]): string {
  return resolve(REPO_ROOT, ...parts);
}

/** The one binary matching every given field (throws listing the field values if none matches). */
export function fixtureBinary(want: Partial<FixtureBinary> & { program: string }): FixtureBinary {
  const found = loadFixtureManifest().binaries.find((b) =>
    (Object.keys(want) as (keyof FixtureBinary)[]).every((k) => b[k] === want[k]),
  );
  if (!found) throw new Error(`no fixture binary matches ${JSON.stringify(want)}`);
  return found;
}

/** hello built by Go 1.23 for amd64 with -race, or without -trimpath: the twin of the plain build. */
export function fixtureVariant(variant: 'race' | 'untrimmed'): FixtureBinary {
  const found = (loadFixtureManifest().variants ?? []).find((b) => b.variant === variant);
  if (!found) throw new Error(`no fixture variant ${variant}: run fixtures/build.sh`);
  return found;
}

/** The layout whose directory ends with `/name` (basic, mixed, fsops, multi). */
export function fixtureLayout(name: string): FixtureLayout {
  const found = loadFixtureManifest().layouts.find((l) => l.dir.endsWith(`/${name}`));
  if (!found) throw new Error(`no fixture layout named ${name}`);
  return found;
}

export interface PushOptions {
  /** `oci` keeps the layout's media types; `v2s2` converts to Docker schema 2 (gzip layers only). */
  format?: 'oci' | 'v2s2';
  /** Copy every image of an index (`--all`); without it skopeo copies only the current platform's. */
  all?: boolean;
  /**
   * Push the blobs exactly as the layout holds them (`--preserve-digests`): without it skopeo may send a
   * compressed copy of a plain-tar layer that its blob cache knows the registry already has.
   */
  exact?: boolean;
  creds?: { username: string; password: string };
}

/**
 * Pushes `layoutDir:tag` to `registryHost/repo:tag` over plain HTTP with skopeo.
 * Returns the pushed reference (host/repo:tag). Push one at a time: docker-registry 2.8 can answer 500
 * to concurrent uploads of the same blob (the layouts share base layers).
 */
export async function pushLayout(
  layoutDir: string,
  tag: string,
  registryHost: string,
  repo: string,
  options: PushOptions = {},
): Promise<string> {
  const destination = `${registryHost}/${repo}:${tag}`;
  const args = ['copy', '--quiet', '--dest-tls-verify=false'];
  if (options.format === 'v2s2') args.push('--format', 'v2s2');
  if (options.all) args.push('--all');
  if (options.exact) args.push('--preserve-digests');
  if (options.creds) args.push('--dest-creds', `${options.creds.username}:${options.creds.password}`);
  args.push(`oci:${fixturePath(layoutDir)}:${tag}`, `docker://${destination}`);
  try {
    await run('skopeo', args, { maxBuffer: 16 << 20 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    const secret = options.creds?.password;
    const safe = secret ? stderr.replaceAll(secret, '***') : stderr;
    throw new Error(`skopeo copy oci:${layoutDir}:${tag} → ${destination} failed: ${safe.trim()}`);
  }
  return destination;
}
