/** Upper bounds for content read whole into memory: registries and files are not trusted to be small. */

/** Manifests and indexes (distribution itself refuses manifests above 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Image configs (and a docker archive's manifest.json). */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
