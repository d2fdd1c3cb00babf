/**
 * Media types of OCI and Docker schema 2 content (image-spec media-types.md; distribution's schema2):
 * manifests, configs, layers. Requests accept all four manifest types (docs/design.md §7).
 */

export const ManifestMediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

export const MANIFEST_MEDIA_TYPES: readonly string[] = Object.values(ManifestMediaType);

/** The `Accept` header value for manifest requests. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

/** Docker's schema 1, which layerdelta does not read (it has no config and no diff_ids). */
export const DOCKER_SCHEMA1_MEDIA_TYPES: readonly string[] = [
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
];

export const ConfigMediaType = {
  oci: 'application/vnd.oci.image.config.v1+json',
  docker: 'application/vnd.docker.container.image.v1+json',
} as const;

export const LayerMediaType = {
  ociTar: 'application/vnd.oci.image.layer.v1.tar',
  ociGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  /** distribution's schema2.MediaTypeUncompressedLayer: what a `docker save` layer is. */
  dockerTar: 'application/vnd.docker.image.rootfs.diff.tar',
} as const;

/** Layers a registry need not hold (Windows base layers): their bytes live at the descriptor's `urls`. */
const FOREIGN_LAYER_MEDIA_TYPES = new Set<string>([
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
]);

const LAYER_MEDIA_TYPES = new Set<string>([...Object.values(LayerMediaType), ...FOREIGN_LAYER_MEDIA_TYPES]);

/**
 * A foreign (non-distributable) layer: its media type says so, or it names `urls` to fetch it from.
 * layerdelta does not download those (docs/design.md §7); reports say so.
 */
export function isForeignLayer(descriptor: { mediaType: string; urls?: string[] }): boolean {
  return FOREIGN_LAYER_MEDIA_TYPES.has(descriptor.mediaType) || (descriptor.urls?.length ?? 0) > 0;
}

/** One of the four manifest media types (image or index). */
export function isManifestMediaType(mediaType: string): boolean {
  return MANIFEST_MEDIA_TYPES.includes(mediaType);
}

/** A single-image manifest (OCI or Docker schema 2). */
export function isImageManifestMediaType(mediaType: string): boolean {
  return mediaType === ManifestMediaType.ociManifest || mediaType === ManifestMediaType.dockerManifest;
}

/** An index (OCI index or Docker manifest list). */
export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === ManifestMediaType.ociIndex || mediaType === ManifestMediaType.dockerManifestList;
}

export function isConfigMediaType(mediaType: string): boolean {
  return mediaType === ConfigMediaType.oci || mediaType === ConfigMediaType.docker;
}

export function isLayerMediaType(mediaType: string): boolean {
  return LAYER_MEDIA_TYPES.has(mediaType);
}

/** A Content-Type or descriptor media type without parameters (`…+json; charset=utf-8` → `…+json`). */
export function bareMediaType(value: string | undefined): string | undefined {
  const bare = value?.split(';')[0]?.trim();
  return bare === '' ? undefined : bare;
}
