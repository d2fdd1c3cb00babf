/** Media types of what a source hands out: manifests (from the registry module), configs and layers. */
import { MediaType } from '../registry/media-types.js';

export { MediaType as ManifestMediaType } from '../registry/media-types.js';

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

const LAYER_MEDIA_TYPES = new Set<string>([
  ...Object.values(LayerMediaType),
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
]);

export const DOCKER_SCHEMA1_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
];

export function isImageManifestMediaType(mediaType: string): boolean {
  return mediaType === MediaType.ociManifest || mediaType === MediaType.dockerManifest;
}

export function isIndexManifestMediaType(mediaType: string): boolean {
  return mediaType === MediaType.ociIndex || mediaType === MediaType.dockerManifestList;
}

export function isConfigMediaType(mediaType: string): boolean {
  return mediaType === ConfigMediaType.oci || mediaType === ConfigMediaType.docker;
}

export function isLayerMediaType(mediaType: string): boolean {
  return LAYER_MEDIA_TYPES.has(mediaType);
}
