/**
 * What kind of manifest a body is. The rules, in order (OCI image-spec manifest.md and image-index.md,
 * distribution's Content-Type; containers/image `GuessMIMEType` does the same):
 * 1. Docker schema 1 (`schemaVersion: 1` or its media types) is refused: it has no config.
 * 2. The body's own `mediaType`, when present: the digest covers the body, not a header.
 * 3. Else the transport's type (Content-Type, or the descriptor that pointed here) when it is one of
 *    the four manifest types.
 * 4. Else the shape, for OCI content written before image-spec 1.0.2 made `mediaType` customary
 *    (Docker schema 2 always declares it): `manifests` → OCI index; `config` and `layers` → OCI manifest.
 */
import { ErrorCode, UsageError } from '../errors.js';
import {
  bareMediaType,
  DOCKER_SCHEMA1_MEDIA_TYPES,
  isManifestMediaType,
  ManifestMediaType,
} from './media-types.js';

/** JSON that must be an object (a manifest, index or config); UsageError with `code` otherwise. */
export function parseJsonObject(
  body: Uint8Array,
  what: string,
  code: ErrorCode = ErrorCode.MANIFEST_INVALID,
): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (e) {
    throw new UsageError(`malformed ${what}: not JSON (${(e as Error).message.split('\n')[0]})`, { code });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`malformed ${what}: not a JSON object`, { code });
  }
  return value as Record<string, unknown>;
}

/**
 * The media type of a parsed manifest body by the rules above; `transport` is the Content-Type or the
 * descriptor's media type, if any. Throws UsageError (UNSUPPORTED_MEDIA_TYPE) when none applies.
 */
export function inferManifestMediaType(
  json: Record<string, unknown>,
  transport: string | undefined,
  what: string,
): string {
  const declared = typeof json.mediaType === 'string' ? json.mediaType : undefined;
  const given = bareMediaType(transport);
  if (json.schemaVersion === 1 || DOCKER_SCHEMA1_MEDIA_TYPES.includes(declared ?? given ?? '')) {
    throw new UsageError(`${what} is a Docker schema 1 manifest, which is not supported`, {
      code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      hint: 'push the image again with a current Docker, buildah or skopeo (schema 2 or OCI)',
    });
  }
  let mediaType = declared;
  if (mediaType === undefined && given !== undefined && isManifestMediaType(given)) mediaType = given;
  if (mediaType === undefined) {
    if (Array.isArray(json.manifests)) mediaType = ManifestMediaType.ociIndex;
    else if (typeof json.config === 'object' && json.config !== null && Array.isArray(json.layers)) {
      mediaType = ManifestMediaType.ociManifest;
    }
  }
  if (mediaType === undefined || !isManifestMediaType(mediaType)) {
    const found = mediaType ?? (given !== undefined && given !== 'application/json' ? given : 'none');
    throw new UsageError(`unsupported manifest media type "${found}" for ${what}`, {
      code: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      hint: 'layerdelta reads OCI and Docker schema 2 images and indexes',
    });
  }
  return mediaType;
}

/** `inferManifestMediaType` on raw bytes. */
export function manifestMediaType(body: Uint8Array, transport: string | undefined, what: string): string {
  return inferManifestMediaType(parseJsonObject(body, what), transport, what);
}
