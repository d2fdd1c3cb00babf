import { DOCKER_HUB, DOCKER_HUB_API_HOST } from '../oci/docker-hub.js';
import { normaliseRegistryKey } from './auth/credentials.js';

/** Where a registry lives on the wire. */
export interface RegistryEndpoint {
  /** The registry as users name it (`docker.io`, `ghcr.io`, `127.0.0.1:5000`): for messages and credentials. */
  name: string;
  /** The host[:port] requests go to (`registry-1.docker.io` for Docker Hub). */
  host: string;
  /** `http://host` or `https://host`. */
  baseUrl: string;
  /**
   * HTTPS first, plain HTTP when the server does not speak TLS (as docker does for loopback and
   * insecure registries): loopback hosts, and every host under `--tls-verify=false`.
   */
  httpFallback: boolean;
}

/**
 * Plain HTTP for hosts listed in LAYERDELTA_INSECURE_REGISTRIES (comma-separated) or when asked;
 * HTTPS everywhere else, falling back to plain HTTP for loopback hosts (and every host when TLS is
 * not verified) whose server does not speak TLS.
 */
export function registryEndpoint(
  registry: string,
  options: { insecure?: boolean; env?: NodeJS.ProcessEnv; tlsVerify?: boolean } = {},
): RegistryEndpoint {
  const name = normaliseRegistryKey(registry);
  const host = name === DOCKER_HUB ? DOCKER_HUB_API_HOST : name;
  const insecureList = (options.env ?? process.env).LAYERDELTA_INSECURE_REGISTRIES ?? '';
  const listed = insecureList
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map(normaliseRegistryKey);
  const plain = options.insecure === true || listed.includes(name) || listed.includes(host);
  const httpFallback = !plain && (isLoopback(host) || options.tlsVerify === false);
  return { name, host, baseUrl: `${plain ? 'http' : 'https'}://${host}`, httpFallback };
}

/** localhost, 127.0.0.0/8 and [::1], with or without a port. */
export function isLoopback(host: string): boolean {
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    hostname === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}
