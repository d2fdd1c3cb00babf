import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, RegistryError, UsageError } from '../../errors.js';
import { seconds } from '../deadline.js';
import { type CredentialStore, type Credentials, normaliseRegistryKey } from './credentials.js';

/** The parts of a docker `config.json` (or containers `auth.json`) that hold logins. */
interface DockerConfigFile {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string }
  >;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** How long a credential helper may take (LAYERDELTA_CREDENTIAL_HELPER_TIMEOUT, seconds). */
const HELPER_TIMEOUT_MS = 15_000;

/**
 * The config files to consult, in order: `$REGISTRY_AUTH_FILE` (podman/skopeo), then
 * `$DOCKER_CONFIG/config.json` or else `~/.docker/config.json` (DOCKER_CONFIG replaces the home
 * one, as in docker). A lookup falls through to the next file when one has nothing for the host.
 */
export function dockerConfigPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const paths: string[] = [];
  if (env.REGISTRY_AUTH_FILE) paths.push(env.REGISTRY_AUTH_FILE);
  if (env.DOCKER_CONFIG) paths.push(join(env.DOCKER_CONFIG, 'config.json'));
  else paths.push(join(env.HOME ?? homedir(), '.docker', 'config.json'));
  return paths;
}

/** Credentials from docker config files and `docker-credential-*` helpers (see dockerConfigPaths). */
export function loadCredentialStore(env: NodeJS.ProcessEnv = process.env): CredentialStore {
  return new DockerConfigCredentialStore(env);
}

export class DockerConfigCredentialStore implements CredentialStore {
  private readonly files = new Map<string, DockerConfigFile | undefined>();

  /**
   * `paths` overrides dockerConfigPaths (`--authfile FILE`); `label` prefixes the file in messages
   * (`--authfile `).
   */
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly paths?: string[],
    private readonly label = '',
  ) {}

  async get(registry: string): Promise<Credentials | undefined> {
    const host = normaliseRegistryKey(registry);
    for (const path of this.paths ?? dockerConfigPaths(this.env)) {
      const config = this.read(path);
      if (!config) continue;
      const from = `${this.label}${path}`;
      const helper = findEntry(config.credHelpers, host);
      if (helper)
        return withSource(
          await this.runHelper(helper, host, path),
          `docker-credential-${helper} (credHelpers in ${from})`,
        );
      const entry = findEntry(config.auths, host);
      const fromEntry = entry ? decodeAuthEntry(entry, path, host) : undefined;
      if (fromEntry) return withSource(fromEntry, from);
      if (config.credsStore) {
        const stored = await this.runHelper(config.credsStore, host, path);
        if (stored)
          return withSource(stored, `docker-credential-${config.credsStore} (credsStore in ${from})`);
      }
    }
    return undefined;
  }

  consulted(): string[] {
    return (this.paths ?? dockerConfigPaths(this.env))
      .filter((path) => this.files.get(path) !== undefined)
      .map((path) => `${this.label}${path}`);
  }

  private read(path: string): DockerConfigFile | undefined {
    if (this.files.has(path)) return this.files.get(path);
    let config: DockerConfigFile | undefined;
    if (existsSync(path)) {
      try {
        config = JSON.parse(readFileSync(path, 'utf8')) as DockerConfigFile;
      } catch {
        // The parser's message would quote the file, which holds secrets: say only where.
        throw new UsageError(`cannot read registry credentials from ${path}: not valid JSON`, {
          hint: 'fix or remove the file',
        });
      }
      if (typeof config !== 'object' || config === null) config = undefined;
    }
    this.files.set(path, config);
    return config;
  }

  /** `docker-credential-NAME get` with the server URL on stdin; JSON {Username, Secret} on stdout. */
  private async runHelper(name: string, host: string, configPath: string): Promise<Credentials | undefined> {
    const program = `docker-credential-${name}`;
    const serverUrl = host === 'docker.io' ? 'https://index.docker.io/v1/' : host;
    const timeoutMs = seconds(this.env, 'LAYERDELTA_CREDENTIAL_HELPER_TIMEOUT', HELPER_TIMEOUT_MS);
    const result = await new Promise<{
      code: number | null;
      stdout: string;
      timedOut?: boolean;
      spawnError?: NodeJS.ErrnoException;
    }>((resolve) => {
      // Its own process group: at the timeout the helper dies with every child it started (a child
      // that keeps stdout open would otherwise hold 'close' back for as long as it lives).
      const child = spawn(program, ['get'], {
        env: this.env,
        stdio: ['pipe', 'pipe', 'ignore'],
        detached: true,
      });
      let stdout = '';
      let timedOut = false;
      let exited = false;
      child.on('exit', () => {
        exited = true;
      });
      const timer = setTimeout(() => {
        // A helper that answered and exited but left a child holding stdout is not a timeout.
        timedOut = !exited;
        killGroup(child.pid);
      }, timeoutMs);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString('utf8');
      });
      child.on('error', (spawnError: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ code: null, stdout, spawnError });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, timedOut });
      });
      child.stdin.on('error', () => {});
      child.stdin.end(serverUrl);
    });
    if (result.timedOut) {
      throw new RegistryError(
        `credential helper ${program} did not answer for ${host} within ${timeoutMs / 1000} s (killed with its children)`,
        {
          code: ErrorCode.CREDENTIALS_UNAVAILABLE,
          hint: 'run it by hand to see why; LAYERDELTA_CREDENTIAL_HELPER_TIMEOUT sets the limit in seconds',
        },
      );
    }
    if (result.spawnError) {
      throw new RegistryError(
        `credential helper ${program} (named in ${configPath}) could not be run for ${host}`,
        {
          code: ErrorCode.CREDENTIALS_UNAVAILABLE,
          hint:
            result.spawnError.code === 'ENOENT'
              ? 'install it on PATH, or remove it from the config'
              : 'check the helper',
        },
      );
    }
    if (result.code !== 0) {
      // The protocol's "no credentials" answer: exit 1 with this text on stdout.
      if (/credentials not found/i.test(result.stdout)) return undefined;
      throw new RegistryError(
        `credential helper ${program} failed for ${host} (exit ${result.code ?? 'killed'})`,
        { code: ErrorCode.CREDENTIALS_UNAVAILABLE, hint: 'run it by hand to see why' },
      );
    }
    let answer: { Username?: unknown; Secret?: unknown };
    try {
      answer = JSON.parse(result.stdout) as typeof answer;
    } catch {
      throw new RegistryError(`credential helper ${program} gave an unreadable answer for ${host}`, {
        code: ErrorCode.CREDENTIALS_UNAVAILABLE,
      });
    }
    if (typeof answer.Secret !== 'string' || answer.Secret === '') return undefined;
    const username = typeof answer.Username === 'string' ? answer.Username : '';
    // `<token>` as the user name marks an identity (refresh) token, as in docker.
    if (username === '<token>') return { identityToken: answer.Secret };
    return { username, password: answer.Secret };
  }
}

/** SIGKILL to a helper's whole process group (it was spawned detached: the group is its pid). */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/** The entry whose key names `host` (keys may be URLs such as `https://index.docker.io/v1/`). */
function findEntry<T>(entries: Record<string, T> | undefined, host: string): T | undefined {
  if (!entries || typeof entries !== 'object') return undefined;
  if (entries[host] !== undefined) return entries[host];
  for (const [key, value] of Object.entries(entries)) {
    if (normaliseRegistryKey(key) === host) return value;
  }
  return undefined;
}

function decodeAuthEntry(
  entry: NonNullable<DockerConfigFile['auths']>[string],
  path: string,
  host: string,
): Credentials | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  if (entry.registrytoken) return { registryToken: entry.registrytoken };
  if (entry.identitytoken) return { identityToken: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new UsageError(`the auth entry for ${host} in ${path} is not base64 of user:password`, {
        hint: 'log in again',
      });
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (entry.username !== undefined && entry.password !== undefined) {
    return { username: entry.username, password: entry.password };
  }
  return undefined;
}

function withSource(credentials: Credentials | undefined, source: string): Credentials | undefined {
  return credentials ? { ...credentials, source } : undefined;
}
