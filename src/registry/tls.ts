/**
 * Per-registry TLS trust as docker, podman and skopeo users set it up (docs/design.md §7):
 * `certs.d/HOST[:PORT]/` under /etc/docker and /etc/containers holds extra CAs (`*.crt`) and a client
 * certificate (`NAME.cert` + `NAME.key`, mutual TLS). NODE_EXTRA_CA_CERTS and the bundled roots stay
 * trusted beside them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { ErrorCode, RegistryError } from '../errors.js';
import { safeCause } from './http-errors.js';

/** What one registry's certs.d directory gave us (file paths for messages, contents for the handshake). */
export interface RegistryTls {
  /** The certs.d directories that exist for this registry. */
  dirs: string[];
  caFiles: string[];
  clientCertFile?: string;
  clientKeyFile?: string;
  /** For got's `https` options; undefined fields mean "Node's defaults". */
  options: {
    certificateAuthority?: string[];
    certificate?: string;
    key?: string;
    rejectUnauthorized: boolean;
  };
}

/**
 * The certs.d roots: LAYERDELTA_CERTS_DIRS (colon-separated; tests point it at a temporary directory)
 * or the places docker and containers/image read.
 */
export function certsRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const override = env.LAYERDELTA_CERTS_DIRS;
  if (override !== undefined) return override.split(':').filter((dir) => dir !== '');
  return [
    '/etc/docker/certs.d',
    '/etc/containers/certs.d',
    join(env.HOME ?? homedir(), '.config', 'containers', 'certs.d'),
  ];
}

/**
 * TLS settings for a registry known as `names` (`host:port` as the user wrote it, and the host we
 * connect to). `verify: false` is `--tls-verify=false`: no verification, client certificates still sent.
 */
export function registryTls(
  names: string[],
  verify: boolean,
  env: NodeJS.ProcessEnv = process.env,
): RegistryTls {
  const dirs: string[] = [];
  for (const root of certsRoots(env)) {
    for (const name of new Set(names)) {
      const dir = join(root, name);
      if (existsSync(dir) && !dirs.includes(dir)) dirs.push(dir);
    }
  }
  const caFiles: string[] = [];
  let clientCertFile: string | undefined;
  let clientKeyFile: string | undefined;
  for (const dir of dirs) {
    for (const file of readdirSync(dir).sort()) {
      if (file.endsWith('.crt')) caFiles.push(join(dir, file));
      if (file.endsWith('.cert') && clientCertFile === undefined) {
        const key = join(dir, `${file.slice(0, -'.cert'.length)}.key`);
        if (!existsSync(key)) {
          throw new RegistryError(`client certificate ${join(dir, file)} has no key beside it`, {
            code: ErrorCode.NETWORK,
            hint: `put its key in ${key}`,
          });
        }
        clientCertFile = join(dir, file);
        clientKeyFile = key;
      }
    }
  }
  const options: RegistryTls['options'] = { rejectUnauthorized: verify };
  // Node replaces its trust store when `ca` is given: keep the bundled roots and NODE_EXTRA_CA_CERTS.
  if (caFiles.length > 0) {
    const extra = env.NODE_EXTRA_CA_CERTS;
    options.certificateAuthority = [
      ...rootCertificates,
      ...(extra && existsSync(extra) ? [readFileSync(extra, 'utf8')] : []),
      ...caFiles.map((file) => readText(file)),
    ];
  }
  if (clientCertFile !== undefined && clientKeyFile !== undefined) {
    options.certificate = readText(clientCertFile);
    options.key = readText(clientKeyFile);
  }
  return {
    dirs,
    caFiles,
    ...(clientCertFile !== undefined ? { clientCertFile } : {}),
    ...(clientKeyFile !== undefined ? { clientKeyFile } : {}),
    options,
  };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new RegistryError(`cannot read ${file}`, {
      code: ErrorCode.NETWORK,
      hint: 'check its permissions',
      cause: safeCause(error),
    });
  }
}

/** OpenSSL verification codes that mean "we do not trust this certificate". */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** The server speaks something else than TLS (a plain-HTTP registry answered our ClientHello). */
export function isNotTls(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return (
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
    (code === 'EPROTO' && /wrong version number|packet length too long/i.test(message ?? ''))
  );
}

/**
 * The one-line error for a failed TLS handshake with `host`, naming the file that would fix it;
 * undefined when `error` is not about TLS.
 */
export function tlsError(
  host: string,
  error: unknown,
  tls: RegistryTls,
  env: NodeJS.ProcessEnv = process.env,
): RegistryError | undefined {
  const { code, message } = error as { code?: string; message?: string };
  const text = `${code ?? ''} ${message ?? ''}`;
  const where = certsRoots(env)
    .slice(0, 2)
    .map((root) => join(root, host));
  const cause = safeCause(error);
  if (code !== undefined && UNTRUSTED.has(code)) {
    const tried = tls.caFiles.length > 0 ? `; ${tls.caFiles.join(', ')} did not verify it` : '';
    return new RegistryError(`TLS certificate of registry ${host} is not trusted (${code}${tried})`, {
      code: ErrorCode.NETWORK,
      hint: `put the CA that signed it in ${join(where[0] ?? '', 'ca.crt')} (or ${where[1] ?? 'NODE_EXTRA_CA_CERTS'}/, or NODE_EXTRA_CA_CERTS=FILE); --tls-verify=false skips the check for one run`,
      cause,
    });
  }
  if (
    code === 'ERR_TLS_CERT_ALTNAME_INVALID' ||
    code === 'CERT_HAS_EXPIRED' ||
    code === 'CERT_NOT_YET_VALID'
  ) {
    return new RegistryError(`TLS certificate of registry ${host} is not valid for it (${code})`, {
      code: ErrorCode.NETWORK,
      hint: 'the registry serves a certificate for another name or out of its dates; --tls-verify=false skips the check for one run',
      cause,
    });
  }
  if (/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE|UNKNOWN_CA|certificate required/i.test(text)) {
    const sent = tls.clientCertFile ? `it refused ${tls.clientCertFile}` : 'none was found';
    return new RegistryError(`registry ${host} wants a client certificate (mutual TLS) and ${sent}`, {
      code: ErrorCode.NETWORK,
      hint: `put client.cert and client.key (signed by a CA the registry trusts) in ${where[0]}/`,
      cause,
    });
  }
  if (code?.startsWith('ERR_SSL') || code?.startsWith('ERR_TLS') || code === 'EPROTO') {
    return new RegistryError(`TLS connection to registry ${host} failed (${code})`, {
      code: ErrorCode.NETWORK,
      hint: 'for a plain-HTTP registry, list it in LAYERDELTA_INSECURE_REGISTRIES',
      cause,
    });
  }
  return undefined;
}
