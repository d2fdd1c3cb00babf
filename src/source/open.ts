/** One entry point from a reference to the ImageSource that reads it. */

import { statSync } from 'node:fs';
import { LayerdeltaError, RegistryError, UsageError } from '../errors.js';
import { parseReference, type Reference } from '../reference/reference.js';
import type { CredentialStore } from '../registry/auth/credentials.js';
import type { RegistryClientPool } from '../registry/pool.js';
import { DockerArchiveSource } from './docker-archive-source.js';
import { OciLayoutSource } from './oci-layout-source.js';
import { RegistrySource } from './registry-source.js';
import type { ImageSource, PlatformRequest } from './types.js';

export interface OpenSourceOptions {
  /**
   * The run's registry clients, shared by every image it opens, so tokens are fetched once per scope
   * (docs/design.md §7). Without it, each call makes its own from the options below.
   */
  registries?: RegistryClientPool;
  /** Registry credentials; default: docker config files and helpers, then ECR (docs/design.md §7). */
  credentials?: CredentialStore;
  /** Plain HTTP (and no TLS verification) for the registry. */
  insecure?: boolean;
  timeoutMs?: number;
}

/**
 * parseReference, except that a text that is no valid reference but names a local directory says
 * to write `oci:DIR` (docs/design.md §9: errors point the right way).
 */
export function parseImageReference(text: string): Reference {
  try {
    return parseReference(text);
  } catch (error) {
    throw withLayoutHint(error, text);
  }
}

export async function openSource(
  reference: string | Reference,
  options: OpenSourceOptions = {},
): Promise<ImageSource> {
  const ref = typeof reference === 'string' ? parseImageReference(reference) : reference;
  switch (ref.transport) {
    case 'oci':
      return new OciLayoutSource(ref);
    case 'docker-archive':
      return new DockerArchiveSource(ref);
    case 'registry': {
      const source = await RegistrySource.open(ref, options);
      return typeof reference === 'string' && !reference.includes(':') && isDirectory(reference)
        ? layoutHinting(source, reference)
        : source;
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A registry or reference failure for a text that names a local directory: the hint says oci:DIR. */
function withLayoutHint(error: unknown, text: string): unknown {
  // Only when oci:TEXT names that directory (a colon would start the image name).
  if (!(error instanceof LayerdeltaError) || text.includes(':') || !isDirectory(text)) return error;
  const hint = `${text} is a local directory: for an OCI layout write oci:${text}`;
  const options = { code: error.code, hint, cause: error };
  if (error instanceof RegistryError)
    return new RegistryError(error.message, {
      ...options,
      ...(error.status !== undefined ? { status: error.status } : {}),
    });
  if (error instanceof UsageError) return new UsageError(error.message, options);
  return error;
}

/** The registry source, with resolve's registry failures hinting at oci:DIR. */
function layoutHinting(source: ImageSource, text: string): ImageSource {
  return {
    description: source.description,
    resolve: async (platform?: PlatformRequest) => {
      try {
        return await source.resolve(platform);
      } catch (error) {
        throw withLayoutHint(error, text);
      }
    },
    openBlob: (descriptor) => source.openBlob(descriptor),
    close: () => source.close(),
  };
}
