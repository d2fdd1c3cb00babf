/**
 * Content-addressed cache of layer scans, keyed by the layer's (compressed) digest: a layer's content
 * never changes, so neither does its scan. One JSON file per layer under `<dir>/v<FORMAT>/`; bumping
 * FORMAT_VERSION (whenever LayerRead or the Go analysis changes shape or meaning) makes old entries
 * invisible. Entries are written to a temp file and renamed into place, so readers never see half a
 * file; an entry that cannot be read or parsed, or whose checksum does not match its scan (edited by
 * hand or by something else), is treated as missing and rewritten. Entries are read as regular files of
 * bounded size only: a FIFO or device planted in the cache is skipped, never waited on.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { LayerRead } from '../layer/types.js';
import { sha256Digest, sha256Hex } from '../oci/digest.js';
import { readRegularFile } from '../safe-read.js';
import { VERSION } from '../version.js';

/**
 * 2: LayerRead.packageFiles (docs/design.md §11); 3: entries carry a checksum of their scan;
 * 4: Go reports carry buildPaths (the -trimpath advice).
 */
export const FORMAT_VERSION = 4;

/** Far above the entry of any real layer (a million files); a bound, not a tuning knob. */
export const MAX_ENTRY_BYTES = 512 * 1024 * 1024;

/**
 * The release that wrote an entry: a new release may analyse Go binaries better, and entries are
 * never invalidated by content (a layer digest never changes), so each release keeps its own.
 */
export const ANALYZER_VERSION: string = VERSION;

export interface LayerCache {
  /** Where entries live, or undefined when caching is off. */
  readonly dir: string | undefined;
  /** The cached scan, or undefined when absent, unreadable, or not analysed while analysis is wanted. */
  get(digest: string, options?: { analyzed?: boolean }): Promise<LayerRead | undefined>;
  /** Store a scan; failures (read-only disk, full disk) are swallowed: the cache is an optimisation. */
  put(scan: LayerRead, options?: { analyzed?: boolean }): Promise<boolean>;
}

interface CacheFile {
  formatVersion: number;
  analyzerVersion: string;
  /** Whether Go executables were analysed when the layer was scanned. */
  analyzed: boolean;
  /** sha256 digest of the scan's JSON: an entry edited after it was written is not trusted. */
  checksum: string;
  scan: LayerRead;
}

function checksumOf(scan: unknown): string {
  return sha256Digest(Buffer.from(JSON.stringify(scan)));
}

/** `$XDG_CACHE_HOME/layerdelta`, else `~/.cache/layerdelta`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg?.startsWith('/') ? xdg : join(homedir(), '.cache');
  return join(base, 'layerdelta');
}

/** What `--cache-dir` and `--no-cache` ask for. */
export function openLayerCache(
  options: { cacheDir?: string | undefined; noCache?: boolean } = {},
): LayerCache {
  if (options.noCache) return new NoCache();
  return new DiskLayerCache(options.cacheDir ?? defaultCacheDir());
}

export class DiskLayerCache implements LayerCache {
  readonly dir: string;

  constructor(baseDir: string) {
    this.dir = join(baseDir, `v${FORMAT_VERSION}`);
  }

  /** The entry's file, or undefined for a digest that cannot be a file name (never trust it as a path). */
  pathFor(digest: string): string | undefined {
    const hex = sha256Hex(digest);
    return hex ? join(this.dir, 'sha256', `${hex}.json`) : undefined;
  }

  async get(digest: string, options: { analyzed?: boolean } = {}): Promise<LayerRead | undefined> {
    const file = this.pathFor(digest);
    if (!file) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse((await readRegularFile(file, MAX_ENTRY_BYTES)).toString('utf8'));
    } catch {
      return undefined;
    }
    if (!isCacheFile(parsed) || parsed.scan.digest !== digest) return undefined;
    if (parsed.analyzerVersion !== ANALYZER_VERSION) return undefined;
    if (parsed.checksum !== checksumOf(parsed.scan)) return undefined;
    if ((options.analyzed ?? true) && !parsed.analyzed) return undefined;
    return parsed.scan;
  }

  async put(scan: LayerRead, options: { analyzed?: boolean } = {}): Promise<boolean> {
    const file = this.pathFor(scan.digest);
    if (!file) return false;
    const content: CacheFile = {
      formatVersion: FORMAT_VERSION,
      analyzerVersion: ANALYZER_VERSION,
      analyzed: options.analyzed ?? true,
      checksum: checksumOf(scan),
      scan,
    };
    const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await makeDirs(join(this.dir, 'sha256'));
      await writeFile(temp, JSON.stringify(content));
      await rename(temp, file);
      return true;
    } catch {
      await rm(temp, { force: true }).catch(() => {});
      return false;
    }
  }
}

/**
 * `mkdir -p` one level at a time: Node's recursive mkdir never returns under /proc (mkdir answers ENOENT
 * there for a parent that exists, and it retries forever), and the cache must never hang a run.
 */
async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    if (
      await stat(current).then(
        (s) => s.isDirectory(),
        () => false,
      )
    )
      break;
    missing.push(current);
    if (dirname(current) === current) break;
  }
  for (const path of missing.reverse()) {
    // Another run may create it at the same moment.
    await mkdir(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  }
}

export class NoCache implements LayerCache {
  readonly dir = undefined;
  async get(): Promise<undefined> {
    return undefined;
  }
  async put(): Promise<boolean> {
    return false;
  }
}

/** Enough shape checking that a hand-edited or foreign file is treated as missing, not trusted. */
function isCacheFile(value: unknown): value is CacheFile {
  if (typeof value !== 'object' || value === null) return false;
  const file = value as Partial<CacheFile>;
  const scan = file.scan as Partial<LayerRead> | undefined;
  return (
    file.formatVersion === FORMAT_VERSION &&
    typeof file.analyzed === 'boolean' &&
    typeof file.checksum === 'string' &&
    typeof scan === 'object' &&
    scan !== null &&
    typeof scan.digest === 'string' &&
    typeof scan.uncompressedSize === 'number' &&
    typeof scan.diffId === 'string' &&
    Array.isArray(scan.entries) &&
    Array.isArray(scan.whiteouts) &&
    Array.isArray(scan.opaqueDirs) &&
    typeof scan.goBinaries === 'object' &&
    scan.goBinaries !== null &&
    typeof scan.otherExecutables === 'object' &&
    scan.otherExecutables !== null &&
    typeof scan.packageFiles === 'object' &&
    scan.packageFiles !== null
  );
}
