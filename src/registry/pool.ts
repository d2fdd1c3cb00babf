/**
 * One RegistryClient per registry for a whole run (docs/design.md §7), so that every image, tag and
 * repository read from a registry shares its auth state: a challenge is answered once, and a bearer
 * token is fetched once per scope, not once per image or tag.
 */
import type { CredentialStore } from './auth/credentials.js';
import { normaliseRegistryKey } from './auth/credentials.js';
import { defaultCredentialStore } from './auth/default-store.js';
import { RegistryClient } from './client.js';

export interface RegistryClientPoolOptions {
  /** Default: docker config files and credential helpers, then ECR (defaultCredentialStore). */
  credentials?: CredentialStore;
  /** Plain HTTP even for a non-loopback host. */
  insecure?: boolean;
  timeoutMs?: number;
}

export class RegistryClientPool {
  private readonly clients = new Map<string, RegistryClient>();
  private credentials: CredentialStore | undefined;

  constructor(private readonly options: RegistryClientPoolOptions = {}) {
    this.credentials = options.credentials;
  }

  /** The client for `registry` (`docker.io` and its aliases are one registry); made on first use. */
  client(registry: string): RegistryClient {
    const key = normaliseRegistryKey(registry);
    let client = this.clients.get(key);
    if (client === undefined) {
      this.credentials ??= defaultCredentialStore();
      client = new RegistryClient({
        registry,
        credentials: this.credentials,
        ...(this.options.insecure !== undefined ? { insecure: this.options.insecure } : {}),
        ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
      });
      this.clients.set(key, client);
    }
    return client;
  }
}
