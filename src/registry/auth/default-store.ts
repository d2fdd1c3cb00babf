import { type CredentialStore, chainCredentialStores } from './credentials.js';
import { loadCredentialStore } from './docker-config.js';
import { EcrCredentialStore } from './ecr.js';

/**
 * What commands hand to RegistryClient: docker config files and helpers first (a configured
 * `ecr-login` helper wins), then ECR's GetAuthorizationToken for ECR hosts.
 */
export function defaultCredentialStore(env: NodeJS.ProcessEnv = process.env): CredentialStore {
  if (runStore) return runStore;
  return chainCredentialStores(loadCredentialStore(env), new EcrCredentialStore());
}

let runStore: CredentialStore | undefined;

/** `--authfile` / `--creds`: this run's only credentials (undefined: back to the default chain). */
export function configureCredentials(store: CredentialStore | undefined): void {
  runStore = store;
}
