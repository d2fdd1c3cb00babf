/**
 * Flags of every command that talks to registries, with skopeo's names (docs/design.md §7):
 * `--tls-verify=false`, `--authfile FILE`, `--creds USER[:PASS]`. They set up this run's transport and
 * credentials once, before any source is opened.
 */
import { readFileSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { UsageError } from '../errors.js';
import { configureCredentials } from '../registry/auth/default-store.js';
import { DockerConfigCredentialStore } from '../registry/auth/docker-config.js';
import { configureTransport } from '../registry/transport.js';

export const registryFlags = {
  'tls-verify': Flags.string({
    description:
      'Verify registry TLS certificates (default true). --tls-verify=false skips the check for this run, with a warning. Per-registry CAs and client certificates come from /etc/docker/certs.d/HOST[:PORT]/ and /etc/containers/certs.d/ (ca.crt, *.crt, client.cert + client.key); NODE_EXTRA_CA_CERTS adds CAs.',
    options: ['true', 'false'],
    helpValue: 'true|false',
  }),
  authfile: Flags.string({
    description:
      'Registry credentials from this docker/podman auth file only, for this run (instead of ~/.docker/config.json, $DOCKER_CONFIG, $REGISTRY_AUTH_FILE).',
    helpValue: 'FILE',
  }),
  creds: Flags.string({
    description:
      'Log in to the registries of this run as USER with PASS; without :PASS the password is read from standard input.',
    helpValue: 'USER[:PASS]',
  }),
};

export interface RegistryFlagValues {
  'tls-verify'?: string | undefined;
  authfile?: string | undefined;
  creds?: string | undefined;
}

/** Apply the flags to this run; `warn` gets the one stderr line --tls-verify=false earns. */
export async function applyRegistryFlags(
  flags: RegistryFlagValues,
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<void> {
  const tlsVerify = flags['tls-verify'] !== 'false';
  configureTransport({ tlsVerify });
  if (!tlsVerify) {
    warn('layerdelta: warning: --tls-verify=false: registry TLS certificates are not verified in this run');
  }
  if (flags.creds !== undefined && flags.authfile !== undefined) {
    throw new UsageError('--creds and --authfile both name credentials', { hint: 'give one of them' });
  }
  if (flags.creds !== undefined) {
    const colon = flags.creds.indexOf(':');
    const username = colon < 0 ? flags.creds : flags.creds.slice(0, colon);
    const password = colon < 0 ? await readPasswordFromStdin() : flags.creds.slice(colon + 1);
    if (username === '') throw new UsageError('--creds needs a user name: --creds USER[:PASS]');
    const credentials = { username, password, source: '--creds' };
    configureCredentials({ get: async () => credentials });
    return;
  }
  if (flags.authfile !== undefined) {
    try {
      readFileSync(flags.authfile);
    } catch {
      throw new UsageError(`--authfile ${flags.authfile} cannot be read`, { hint: 'check the path' });
    }
    configureCredentials(new DockerConfigCredentialStore(process.env, [flags.authfile], '--authfile '));
    return;
  }
  configureCredentials(undefined);
}

async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    throw new UsageError('--creds USER without :PASS reads the password from standard input', {
      hint: 'pipe it in (echo "$PASS" | layerdelta ... --creds USER) or write --creds USER:PASS',
    });
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
