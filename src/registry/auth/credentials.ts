/**
 * What a registry login is, and where logins come from. Stores are looked up by registry host
 * (`docker.io` for Docker Hub, `host:port` otherwise); they never log what they return.
 */
import { DOCKER_HUB, isDockerHub } from '../../oci/docker-hub.js';

export interface Credentials {
  username?: string;
  password?: string;
  /** OAuth2 refresh token (`identitytoken` in docker config, or helper Username `<token>`). */
  identityToken?: string;
  /** A bearer token to send as-is (`registrytoken` in docker config). */
  registryToken?: string;
  /** Where they came from, for an auth failure's message: a file, a helper, `--creds`. Never secret. */
  source?: string;
}

export interface CredentialStore {
  /** Credentials for `registry` (normalised host, e.g. `docker.io`, `ghcr.io`, `127.0.0.1:5000`), if any. */
  get(registry: string): Promise<Credentials | undefined>;
  /** Where a lookup looked (files that exist), for the message when it found nothing. Never secret. */
  consulted?(): string[];
}

/** A store that asks each store in turn and returns the first answer. */
export function chainCredentialStores(...stores: CredentialStore[]): CredentialStore {
  return {
    async get(registry) {
      for (const store of stores) {
        const found = await store.get(registry);
        if (found) return found;
      }
      return undefined;
    },
    consulted: () => stores.flatMap((store) => store.consulted?.() ?? []),
  };
}

/** A fixed store of credentials per registry key (tests; there are no credential flags). */
export function staticCredentialStore(entries: Record<string, Credentials>): CredentialStore {
  return {
    async get(registry) {
      return entries[registry];
    },
  };
}

/**
 * Registry names as the user and docker config write them, reduced to one key: no scheme, no path,
 * lower case; Docker Hub's aliases all become `docker.io`.
 */
export function normaliseRegistryKey(key: string): string {
  let host = key.trim().toLowerCase();
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  host = host.split('/')[0] ?? host;
  return isDockerHub(host) ? DOCKER_HUB : host;
}
