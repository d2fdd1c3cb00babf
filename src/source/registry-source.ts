/** An image in an OCI distribution registry as an ImageSource, on top of RegistryClient. */
import type { Readable } from 'node:stream';
import { MAX_CONFIG_BYTES } from '../oci/limits.js';
import { formatReference, type RegistryReference } from '../reference/reference.js';
import type { CredentialStore } from '../registry/auth/credentials.js';
import type { RegistryClient } from '../registry/client.js';
import { RegistryClientPool } from '../registry/pool.js';
import { type ContentReader, resolveImage } from './resolve.js';
import type { Descriptor, ImageSource, PlatformRequest, ResolvedImage } from './types.js';

export interface RegistrySourceOptions {
  /** The run's clients, one per registry (docs/design.md §7); without it, a pool of its own from the options below. */
  registries?: RegistryClientPool;
  /** Default: docker config files and credential helpers, then ECR (defaultCredentialStore). */
  credentials?: CredentialStore;
  insecure?: boolean;
  timeoutMs?: number;
}

export class RegistrySource implements ImageSource {
  readonly description: string;

  constructor(
    private readonly reference: RegistryReference,
    private readonly client: RegistryClient,
  ) {
    this.description = `registry ${reference.registry}/${reference.repository}`;
  }

  static async open(
    reference: RegistryReference,
    options: RegistrySourceOptions = {},
  ): Promise<RegistrySource> {
    const registries = options.registries ?? new RegistryClientPool(options);
    return new RegistrySource(reference, registries.client(reference.registry));
  }

  async resolve(platform?: PlatformRequest): Promise<ResolvedImage> {
    const { repository, digest, tag } = this.reference;
    // A digest names the content exactly; with tag+digest the digest wins (as docker pull does).
    const name = digest ?? tag ?? 'latest';
    const top = await this.client.getManifest(repository, name);
    const reader: ContentReader = {
      where: formatReference(this.reference),
      readManifest: async (d: Descriptor) => await this.client.getManifest(repository, d.digest),
      readConfig: async (d: Descriptor) => await this.client.getBlobBuffer(repository, d, MAX_CONFIG_BYTES),
    };
    return await resolveImage(this.reference, top, reader, platform);
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    return await this.client.getBlob(this.reference.repository, descriptor);
  }

  async close(): Promise<void> {}
}
