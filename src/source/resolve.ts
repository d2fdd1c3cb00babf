/**
 * The part of resolving an image that every source shares: parse and check manifests, walk an index
 * (nested ones too) to one platform, read the config, and line the layers up with diff_ids and history.
 * Sources only say how to read bytes; every byte read here is checked against its digest.
 */
import { ContentError, ErrorCode, UsageError } from '../errors.js';
import { isSha256Digest } from '../oci/digest.js';
import { MAX_CONFIG_BYTES, MAX_MANIFEST_BYTES } from '../oci/limits.js';
import { inferManifestMediaType, parseJsonObject } from '../oci/manifest.js';
import {
  isConfigMediaType,
  isImageManifestMediaType,
  isIndexMediaType,
  isLayerMediaType,
} from '../oci/media-types.js';
import { verifyContent } from '../oci/verify.js';
import type { Reference } from '../reference/reference.js';
import { formatPlatform, platformMatches, selectPlatform } from './platform.js';
import type {
  Descriptor,
  HistoryEntry,
  ImageConfig,
  ImageLayer,
  Platform,
  PlatformRequest,
  ResolvedImage,
} from './types.js';

const MAX_INDEX_DEPTH = 4;

/** Manifest bytes as a source found them; `mediaType` is what the transport said (Content-Type, descriptor). */
export interface ManifestBytes {
  digest: string;
  mediaType?: string;
  body: Buffer;
}

/** How a source reads bytes; `resolveImage` checks them. */
export interface ContentReader {
  /** For messages, e.g. `oci layout ./dir`. */
  readonly where: string;
  readManifest(descriptor: Descriptor): Promise<ManifestBytes>;
  readConfig(descriptor: Descriptor): Promise<Buffer>;
}

export type ParsedManifest =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] }
  | { kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[] };

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

const invalidManifest = (message: string) => new UsageError(message, { code: ErrorCode.MANIFEST_INVALID });
const invalidConfig = (message: string) => new UsageError(message, { code: ErrorCode.CONFIG_INVALID });

/** Validate one descriptor of a manifest or index; `what` names where it sits, for the message. */
export function parseDescriptor(value: unknown, what: string): Descriptor {
  if (typeof value !== 'object' || value === null) throw invalidManifest(`malformed ${what}: not an object`);
  const v = value as Record<string, unknown>;
  if (typeof v.mediaType !== 'string') throw invalidManifest(`malformed ${what}: no mediaType`);
  if (typeof v.digest !== 'string') throw invalidManifest(`malformed ${what}: no digest`);
  if (!isSha256Digest(v.digest)) {
    throw new UsageError(`unsupported digest "${v.digest}" in ${what}`, {
      code: ErrorCode.UNSUPPORTED_DIGEST,
      hint: 'only sha256 digests are supported',
    });
  }
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) {
    throw invalidManifest(`malformed ${what}: size is not a non-negative integer`);
  }
  const descriptor: Descriptor = { mediaType: v.mediaType, digest: v.digest, size: v.size };
  if (isStringRecord(v.annotations)) descriptor.annotations = v.annotations;
  if (Array.isArray(v.urls) && v.urls.every((u) => typeof u === 'string'))
    descriptor.urls = v.urls as string[];
  const p = v.platform as Record<string, unknown> | undefined;
  if (typeof p === 'object' && p !== null && typeof p.os === 'string' && typeof p.architecture === 'string') {
    descriptor.platform = { os: p.os, architecture: p.architecture };
    if (typeof p.variant === 'string' && p.variant !== '') descriptor.platform.variant = p.variant;
  }
  return descriptor;
}

/** Parse a manifest or index; its media type by the rules of oci/manifest.ts (body, transport, shape). */
export function parseManifest(bytes: ManifestBytes, where: string): ParsedManifest {
  const what = `manifest ${bytes.digest} in ${where}`;
  const json = parseJsonObject(bytes.body, what);
  const mediaType = inferManifestMediaType(json, bytes.mediaType, what);
  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(json.manifests))
      throw invalidManifest(`malformed ${what}: index without a manifests list`);
    const manifests = json.manifests.map((m, i) => parseDescriptor(m, `manifests[${i}] of ${what}`));
    return { kind: 'index', mediaType, manifests };
  }
  const config = parseDescriptor(json.config, `config descriptor of ${what}`);
  // OCI artifacts (cosign signatures, Helm charts, SBOMs): an artifactType, a config that is no image
  // config, or no tar layer at all.
  const artifactType = typeof json.artifactType === 'string' ? json.artifactType : undefined;
  if (artifactType !== undefined || !isConfigMediaType(config.mediaType)) {
    throw notAnImage(`${what} is an OCI artifact of type ${artifactType ?? config.mediaType}`);
  }
  if (!Array.isArray(json.layers)) throw invalidManifest(`malformed ${what}: no layers list`);
  const descriptors = json.layers.map((l, i) => parseDescriptor(l, `layers[${i}] of ${what}`));
  if (descriptors.length > 0 && !descriptors.some((d) => isLayerMediaType(d.mediaType))) {
    throw notAnImage(`${what} is an OCI artifact with ${descriptors[0]?.mediaType} content`);
  }
  const layers = descriptors.map((layer, i) => {
    if (!isLayerMediaType(layer.mediaType)) {
      throw new UsageError(`unsupported layer media type "${layer.mediaType}" (layer ${i}) in ${what}`, {
        code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        hint: 'layerdelta reads tar layers: uncompressed, gzip or zstd',
      });
    }
    return layer;
  });
  return { kind: 'image', mediaType, config, layers };
}

/** The one line for content that is no container image (docs/design.md §7, §9). */
export function notAnImage(what: string): UsageError {
  return new UsageError(`not an image: ${what}`, {
    code: ErrorCode.NOT_AN_IMAGE_OF_PLATFORM,
    hint: 'layerdelta compares container images; name an image tag or digest',
  });
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((s) => typeof s === 'string') ? (value as string[]) : undefined;
}

/** Parse the image config; UsageError when it lacks what every image config has (os, architecture, rootfs). */
export function parseConfig(body: Buffer, what: string): ImageConfig {
  const json = parseJsonObject(body, what, ErrorCode.CONFIG_INVALID);
  if (typeof json.architecture !== 'string' || typeof json.os !== 'string') {
    throw invalidConfig(`malformed ${what}: no os or architecture`);
  }
  const rootfs = json.rootfs as Record<string, unknown> | undefined;
  const diffIds = stringArray(rootfs?.diff_ids);
  if (typeof rootfs !== 'object' || rootfs === null || diffIds === undefined) {
    throw invalidConfig(`malformed ${what}: no rootfs.diff_ids`);
  }
  const config: ImageConfig = {
    architecture: json.architecture,
    os: json.os,
    rootfs: { type: typeof rootfs.type === 'string' ? rootfs.type : 'layers', diff_ids: diffIds },
  };
  if (typeof json.variant === 'string' && json.variant !== '') config.variant = json.variant;
  if (typeof json.created === 'string') config.created = json.created;
  if (typeof json.author === 'string') config.author = json.author;
  const c = json.config as Record<string, unknown> | undefined | null;
  if (typeof c === 'object' && c !== null) {
    const run: NonNullable<ImageConfig['config']> = {};
    const env = stringArray(c.Env);
    if (env) run.Env = env;
    if (c.Entrypoint === null || stringArray(c.Entrypoint)) run.Entrypoint = c.Entrypoint as string[] | null;
    if (c.Cmd === null || stringArray(c.Cmd)) run.Cmd = c.Cmd as string[] | null;
    if (typeof c.WorkingDir === 'string') run.WorkingDir = c.WorkingDir;
    if (typeof c.User === 'string') run.User = c.User;
    if (c.Labels === null || isStringRecord(c.Labels)) run.Labels = c.Labels as Record<string, string> | null;
    config.config = run;
  }
  if (json.history !== undefined) {
    if (!Array.isArray(json.history)) throw invalidConfig(`malformed ${what}: history is not a list`);
    config.history = json.history.map((h): HistoryEntry => {
      const e = (typeof h === 'object' && h !== null ? h : {}) as Record<string, unknown>;
      const entry: HistoryEntry = {};
      if (typeof e.created === 'string') entry.created = e.created;
      if (typeof e.created_by === 'string') entry.created_by = e.created_by;
      if (typeof e.comment === 'string') entry.comment = e.comment;
      if (typeof e.author === 'string') entry.author = e.author;
      if (e.empty_layer === true) entry.empty_layer = true;
      return entry;
    });
  }
  return config;
}

/**
 * The manifest's layers with their diff_ids and the history instruction that made each (history only when
 * it lines up: it is informative). Every layer must have its diff_id: a config listing more or fewer than
 * the manifest has layers describes another image, and a skipped check would hide it.
 */
export function lineUpLayers(layers: Descriptor[], config: ImageConfig, where: string): ImageLayer[] {
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== layers.length) {
    throw new ContentError(
      `${where}: the image config lists ${diffIds.length} diff_ids, but the manifest has ${layers.length} layers`,
      { code: ErrorCode.DIGEST_MISMATCH, hint: 'the image is inconsistent; rebuild and push it again' },
    );
  }
  const producing = (config.history ?? []).filter((h) => h.empty_layer !== true);
  const history = producing.length === layers.length ? producing : undefined;
  return layers.map((descriptor, index) => {
    const layer: ImageLayer = { index, descriptor };
    const diffId = diffIds[index];
    if (diffId !== undefined) layer.diffId = diffId;
    const createdBy = history?.[index]?.created_by;
    if (createdBy !== undefined && createdBy !== '') layer.createdBy = createdBy;
    return layer;
  });
}

async function readChecked(reader: ContentReader, descriptor: Descriptor): Promise<ParsedManifest> {
  if (descriptor.size > MAX_MANIFEST_BYTES) {
    throw new UsageError(
      `manifest ${descriptor.digest} in ${reader.where} is larger than ${MAX_MANIFEST_BYTES} bytes`,
      { code: ErrorCode.TOO_LARGE },
    );
  }
  const bytes = await reader.readManifest(descriptor);
  verifyContent(
    bytes.body,
    descriptor.digest,
    descriptor.size,
    `manifest ${descriptor.digest} in ${reader.where}`,
  );
  return parseManifest({ ...bytes, mediaType: bytes.mediaType ?? descriptor.mediaType }, reader.where);
}

/** The image entries of an index, child indexes flattened (depth-limited); non-manifest entries are skipped. */
async function flattenIndex(
  reader: ContentReader,
  manifests: Descriptor[],
  depth: number,
): Promise<Descriptor[]> {
  const out: Descriptor[] = [];
  for (const entry of manifests) {
    if (isImageManifestMediaType(entry.mediaType)) out.push(entry);
    else if (isIndexMediaType(entry.mediaType)) {
      if (depth >= MAX_INDEX_DEPTH) {
        throw invalidManifest(`indexes nested deeper than ${MAX_INDEX_DEPTH} levels in ${reader.where}`);
      }
      const child = await readChecked(reader, entry);
      if (child.kind !== 'index')
        throw invalidManifest(`manifest ${entry.digest} in ${reader.where} is not an index`);
      out.push(...(await flattenIndex(reader, child.manifests, depth + 1)));
    }
  }
  return out;
}

/**
 * From the top manifest the reference names (already read, its digest checked by the caller) to one
 * platform image with its config and layers. `requested` undefined means the default (linux/amd64).
 */
export async function resolveImage(
  reference: Reference,
  top: ManifestBytes,
  reader: ContentReader,
  requested?: PlatformRequest,
): Promise<ResolvedImage> {
  const parsed = parseManifest(top, reader.where);
  let manifestDigest = top.digest;
  let image: Extract<ParsedManifest, { kind: 'image' }>;
  let index: ResolvedImage['index'];
  let platform: Platform | undefined;
  let available: Platform[] | undefined;
  if (parsed.kind === 'index') {
    index = { digest: top.digest, mediaType: parsed.mediaType };
    const entries = await flattenIndex(reader, parsed.manifests, 1);
    const where = `index ${top.digest} in ${reader.where}`;
    const choice = selectPlatform(entries, requested, where);
    const child = await readChecked(reader, choice.chosen);
    if (child.kind !== 'image')
      throw invalidManifest(`manifest ${choice.chosen.digest} in ${where} is not an image`);
    image = child;
    manifestDigest = choice.chosen.digest;
    platform = choice.platform;
    available = choice.available;
  } else {
    image = parsed;
  }
  if (image.config.size > MAX_CONFIG_BYTES) {
    throw new UsageError(
      `config ${image.config.digest} in ${reader.where} is larger than ${MAX_CONFIG_BYTES} bytes`,
      { code: ErrorCode.TOO_LARGE },
    );
  }
  const configWhat = `image config ${image.config.digest} in ${reader.where}`;
  const configBody = await reader.readConfig(image.config);
  verifyContent(configBody, image.config.digest, image.config.size, configWhat);
  const config = parseConfig(configBody, configWhat);
  if (platform === undefined) {
    platform = { os: config.os, architecture: config.architecture };
    if (config.variant !== undefined) platform.variant = config.variant;
    available = [platform];
    if (requested !== undefined && requested !== 'any' && !platformMatches(requested, platform)) {
      throw new UsageError(
        `platform ${formatPlatform(requested)} not found in ${reader.where}; available: ${formatPlatform(platform)}`,
        {
          code: ErrorCode.NOT_AN_IMAGE_OF_PLATFORM,
          hint: 'the image is a single-platform image; drop --platform or choose the one available',
        },
      );
    }
  }
  const resolved: ResolvedImage = {
    reference,
    manifestDigest,
    manifestMediaType: image.mediaType,
    platform,
    availablePlatforms: available ?? [platform],
    configDescriptor: image.config,
    config,
    layers: lineUpLayers(image.layers, config, reader.where),
  };
  if (index !== undefined) resolved.index = index;
  return resolved;
}
