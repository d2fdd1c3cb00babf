/** An image in an OCI distribution registry as an ImageSource, on top of RegistryClient. */
import type { Readable } from 'node:stream';
import { MAX_CONFIG_BYTES } from '../oci/limits.js';
import { formatReference, type RegistryReference } from '../reference/reference.js';
import type { CredentialStore } from '../registry/auth/credentials.js';
import { defaultCredentialStore } from '../registry/auth/default-store.js';
import { RegistryClient } from '../registry/client.js';
import { type ContentReader, resolveImage } from './resolve.js';
import type { Descriptor, ImageSource, Platform, ResolvedImage } from './types.js';

export interface RegistrySourceOptions {
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
    const client = new RegistryClient({
      registry: reference.registry,
      credentials: options.credentials ?? defaultCredentialStore(),
      ...(options.insecure !== undefined ? { insecure: options.insecure } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    return new RegistrySource(reference, client);
  }

  async resolve(platform?: Platform): Promise<ResolvedImage> {
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
