import type { Readable } from 'node:stream';
import type { Reference } from '../reference/reference.js';

/** OCI platform as found in an image index (`os/architecture[/variant]`). */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/**
 * What `resolve` is asked for: one platform (default linux/amd64), or `'any'`: the first image of an
 * index, whatever its platform (for listing `availablePlatforms`, as `--platform all` does).
 */
export type PlatformRequest = Platform | 'any';

/** OCI content descriptor. `size` is the compressed (stored) size in bytes. */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
  /** Alternate locations (foreign layers); informational only. */
  urls?: string[];
}

/** One entry of the config's `history`. */
export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  author?: string;
  empty_layer?: boolean;
}

/** The parts of the image config (OCI image config / Docker v2 config) the tool reads. */
export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: {
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    User?: string;
    Labels?: Record<string, string> | null;
  };
  rootfs: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
}

/** A layer of a resolved image, in manifest order. */
export interface ImageLayer {
  /** Position in the manifest's layer list (0 = base). */
  index: number;
  descriptor: Descriptor;
  /** sha256 of the uncompressed tar (config rootfs.diff_ids), when the config lists it. */
  diffId?: string;
  /** `created_by` of the non-empty history entry that produced this layer, when history lines up. */
  createdBy?: string;
}

/** One image, resolved to a single platform: what `inspect` shows and what every delta starts from. */
export interface ResolvedImage {
  /** The reference as the user wrote it, normalised (docker.io/library/..., oci:DIR:TAG). */
  reference: Reference;
  /** Manifest digest of the platform image. */
  manifestDigest: string;
  manifestMediaType: string;
  /** The index (manifest list) the platform image was picked from, if any. */
  index?: { digest: string; mediaType: string };
  platform: Platform;
  /** Every platform the index offers (attestations excluded); `[platform]` for a single manifest. */
  availablePlatforms: Platform[];
  configDescriptor: Descriptor;
  config: ImageConfig;
  layers: ImageLayer[];
}

/**
 * Where images come from: a registry, an OCI layout directory or a `docker save` archive.
 * The pipeline never cares which; every implementation verifies digests of what it hands out.
 */
export interface ImageSource {
  /** Human description for messages, e.g. `registry 127.0.0.1:5000` or `oci layout ./dir`. */
  readonly description: string;
  /** Resolve the reference to one platform image (default linux/amd64). */
  resolve(platform?: PlatformRequest): Promise<ResolvedImage>;
  /**
   * Stream a blob's stored bytes (still compressed). The stream's sha256 and length are checked
   * against the descriptor while it flows; a mismatch or truncation makes the stream emit a
   * RegistryError instead of `end`.
   */
  openBlob(descriptor: Descriptor): Promise<Readable>;
  close(): Promise<void>;
}
