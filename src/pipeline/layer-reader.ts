/**
 * Scanning whole images: every layer of every image handed in, each distinct blob read at most once per
 * layer reader (in flight or done, across images and repositories: a shared base layer is fetched once), never
 * when its scan is cached, with a bound on concurrent downloads. One layer reader is meant to be shared by
 * every image of a run.
 */
import { type LayerCache, NoCache } from '../cache/layer-cache.js';
import { ContentError, ErrorCode } from '../errors.js';
import { buildFilesystem, type ImageFilesystem } from '../layer/filesystem.js';
import { type ReadLayerOptions, readLayer } from '../layer/read.js';
import { readLayerPooled } from '../layer/read-pool.js';
import type { LayerRead } from '../layer/types.js';
import { compressionFromMediaType } from '../oci/compression.js';
import { isForeignLayer } from '../oci/media-types.js';
import type { ImageLayer, ImageSource, ResolvedImage } from '../source/types.js';
import { Limiter } from './limiter.js';

export interface ReadProgress {
  /** Stored (compressed) bytes downloaded so far / to download, over the layer reader's lifetime. */
  bytesDone: number;
  bytesTotal: number;
  /** Distinct layers finished (scanned or found in the cache) / requested. */
  layersDone: number;
  layersTotal: number;
}

export interface LayerReaderOptions {
  /** Default: no cache. */
  cache?: LayerCache;
  /** Blobs downloaded and scanned at the same time (default 4). */
  concurrency?: number;
  /** Analyse Go executables (default true). */
  analyze?: boolean;
  /** Read layers on all cores: the main thread and worker threads (default true; docs/design.md §8). */
  threads?: boolean;
  onProgress?: (progress: ReadProgress) => void;
}

export interface ImageRead {
  /** One scan per layer, in manifest order. */
  scans: LayerRead[];
  filesystem: ImageFilesystem;
}

/** What happened, for tests, benchmarks and `--verbose` output. */
export interface ReaderStats {
  /** Blobs opened with `openBlob`. */
  downloads: number;
  cacheHits: number;
  /** Requests answered by a scan already in flight or done in this run. */
  shared: number;
}

export class LayerReader {
  readonly stats: ReaderStats = { downloads: 0, cacheHits: 0, shared: 0 };
  private readonly cache: LayerCache;
  private readonly analyze: boolean;
  private readonly threads: boolean;
  private readonly limit: Limiter;
  private readonly onProgress: ((progress: ReadProgress) => void) | undefined;
  /** Scans in flight, and done ones the cache could not keep: the download-once guarantee. */
  private readonly scans = new Map<string, Promise<LayerRead>>();
  private readonly progress: ReadProgress = { bytesDone: 0, bytesTotal: 0, layersDone: 0, layersTotal: 0 };

  constructor(options: LayerReaderOptions = {}) {
    this.cache = options.cache ?? new NoCache();
    this.analyze = options.analyze ?? true;
    this.threads = options.threads ?? true;
    this.limit = new Limiter(Math.max(1, options.concurrency ?? 4));
    this.onProgress = options.onProgress;
  }

  /** Scan several images at once (e.g. old and new of a compare) so their downloads share the bound. */
  async readImages(items: Array<{ source: ImageSource; image: ResolvedImage }>): Promise<ImageRead[]> {
    return await Promise.all(items.map(({ source, image }) => this.readImage(source, image)));
  }

  async readImage(source: ImageSource, image: ResolvedImage): Promise<ImageRead> {
    const scans = await Promise.all(image.layers.map((layer) => this.readLayer(source, layer)));
    return { scans, filesystem: buildFilesystem(scans) };
  }

  /** The scan of one layer: from this run, the cache, or (once) the blob. */
  readLayer(source: ImageSource, layer: ImageLayer): Promise<LayerRead> {
    const digest = layer.descriptor.digest;
    const known = this.scans.get(digest);
    if (known) {
      this.stats.shared++;
      return known;
    }
    this.progress.layersTotal++;
    const scan = this.load(source, layer).then(
      (result) => {
        this.progress.layersDone++;
        this.report();
        return result;
      },
      (error: unknown) => {
        this.scans.delete(digest);
        throw error;
      },
    );
    this.scans.set(digest, scan);
    return scan;
  }

  private async load(source: ImageSource, layer: ImageLayer): Promise<LayerRead> {
    const { descriptor } = layer;
    if (isForeignLayer(descriptor)) return notDownloaded(layer);
    const cached = await this.cache.get(descriptor.digest, { analyzed: this.analyze });
    if (cached) {
      this.stats.cacheHits++;
      this.scans.delete(descriptor.digest);
      return cached;
    }
    this.progress.bytesTotal += descriptor.size;
    this.report();
    const options: ReadLayerOptions = {
      analyze: this.analyze,
      onBytes: (bytes) => {
        this.progress.bytesDone += bytes;
        this.report();
      },
    };
    const open = () => {
      this.stats.downloads++;
      return source.openBlob(descriptor);
    };
    const scan = await this.limit.run(async () =>
      this.threads
        ? await readLayerPooled(open, descriptor, options)
        : await readLayer(await open(), descriptor, options),
    );
    checkDiffId(layer, scan, source);
    // Once the cache holds it, later requests read it from there; only keep it in memory otherwise.
    if (await this.cache.put(scan, { analyzed: this.analyze })) this.scans.delete(descriptor.digest);
    return scan;
  }

  private report(): void {
    this.onProgress?.({ ...this.progress });
  }
}

/** A foreign layer, reported without its bytes: the registry need not have them (docs/design.md §7). */
function notDownloaded(layer: ImageLayer): LayerRead {
  const { descriptor } = layer;
  return {
    digest: descriptor.digest,
    compressedSize: descriptor.size,
    uncompressedSize: 0,
    diffId: layer.diffId ?? '',
    compression: compressionFromMediaType(descriptor.mediaType) ?? 'none',
    entries: [],
    packageFiles: {},
    whiteouts: [],
    opaqueDirs: [],
    goBinaries: {},
    otherExecutables: {},
    notDownloaded: `foreign layer${descriptor.urls?.length ? ` (at ${descriptor.urls[0]})` : ''}`,
  };
}

/** The config's diff_id is the uncompressed tar's digest: a mismatch means the image is inconsistent. */
function checkDiffId(layer: ImageLayer, scan: LayerRead, source: ImageSource): void {
  if (layer.diffId === undefined || layer.diffId === scan.diffId) return;
  throw new ContentError(
    `${source.description}: layer ${layer.descriptor.digest} decompresses to ${scan.diffId}, but the image config says ${layer.diffId}`,
    { code: ErrorCode.DIGEST_MISMATCH, hint: 'the image is inconsistent; rebuild and push it again' },
  );
}
