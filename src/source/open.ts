/** One entry point from a reference to the ImageSource that reads it. */

import { parseReference, type Reference } from '../reference/reference.js';
import type { CredentialStore } from '../registry/auth/credentials.js';
import type { RegistryClientPool } from '../registry/pool.js';
import { DockerArchiveSource } from './docker-archive-source.js';
import { OciLayoutSource } from './oci-layout-source.js';
import { RegistrySource } from './registry-source.js';
import type { ImageSource } from './types.js';

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

export async function openSource(
  reference: string | Reference,
  options: OpenSourceOptions = {},
): Promise<ImageSource> {
  const ref = typeof reference === 'string' ? parseReference(reference) : reference;
  switch (ref.transport) {
    case 'oci':
      return new OciLayoutSource(ref);
    case 'docker-archive':
      return new DockerArchiveSource(ref);
    case 'registry':
      return await RegistrySource.open(ref, options);
  }
}
