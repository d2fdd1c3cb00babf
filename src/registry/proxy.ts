/**
 * HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY as curl reads them (docs/design.md §7): lower case
 * wins over upper case; NO_PROXY is a comma- or space-separated list of `*`, domains (`example.com`
 * and `.example.com` both match the domain and its subdomains), IP addresses and CIDR blocks, each
 * optionally with `:PORT` (then only that port is excluded; curl ignores ports, Go and wget honour them).
 */
import { isIP } from 'node:net';
import { ErrorCode, RegistryError, UsageError } from '../errors.js';
import { safeCause } from './http-errors.js';

/** The lower-case variable, else the upper-case one; an empty value counts as unset. */
function variable(env: NodeJS.ProcessEnv, name: string): string | undefined {
  for (const key of [name.toLowerCase(), name.toUpperCase()]) {
    const value = env[key]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** The proxy URL to reach `url` through, or undefined for a direct connection. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  const noProxy = variable(env, 'no_proxy');
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  if (noProxy !== undefined && noProxyMatches(url.hostname, port, noProxy)) return undefined;
  const name = url.protocol === 'https:' ? 'https_proxy' : 'http_proxy';
  const raw = variable(env, name) ?? variable(env, 'all_proxy');
  if (raw === undefined) return undefined;
  let proxy: URL;
  try {
    proxy = new URL(raw.includes('://') ? raw : `http://${raw}`);
  } catch {
    throw new UsageError(`the proxy in ${name.toUpperCase()} is not a URL`, {
      hint: 'set it to http://HOST:PORT',
    });
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new UsageError(`unsupported proxy scheme ${proxy.protocol} in ${name.toUpperCase()}`, {
      hint: 'layerdelta speaks to http:// and https:// proxies',
    });
  }
  return proxy;
}

/** Whether `hostname` (as in a URL: IPv6 in brackets or not) on `port` is excluded by a NO_PROXY list. */
export function noProxyMatches(hostname: string, port: number, list: string): boolean {
  const host = stripBrackets(hostname).toLowerCase().replace(/\.$/, '');
  for (const raw of list.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const { name, entryPort } = splitPort(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    if (matchesAddress(host, name)) return true;
    const domain = name.replace(/^\*?\./, '').replace(/\.$/, '');
    if (domain !== '' && isIP(domain) === 0 && (host === domain || host.endsWith(`.${domain}`))) return true;
  }
  return false;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** `[::1]:8080`, `10.0.0.1:8080`, `host:8080` → name and port; bare IPv6 (`::1`) keeps its colons. */
function splitPort(entry: string): { name: string; entryPort?: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) {
    return {
      name: bracketed[1] ?? '',
      ...(bracketed[2] !== undefined ? { entryPort: Number(bracketed[2]) } : {}),
    };
  }
  const withPort = /^([^:]+):(\d+)$/.exec(entry);
  if (withPort) return { name: withPort[1] ?? '', entryPort: Number(withPort[2]) };
  return { name: entry };
}

/** An IP host against an IP or CIDR entry (same family only). */
function matchesAddress(host: string, entry: string): boolean {
  const [address = '', bitsText] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || isIP(host) !== family) return false;
  const hostBits = addressBits(host, family);
  const entryBits = addressBits(address, family);
  const width = family === 4 ? 32 : 128;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > width) return false;
  const shift = BigInt(width - bits);
  return hostBits >> shift === entryBits >> shift;
}

function addressBits(address: string, family: 4 | 6 | number): bigint {
  if (family === 4) {
    return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  }
  // Expand `::` and a trailing dotted IPv4 part into eight 16-bit groups.
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = addressBits(v4[1], 4);
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...fill, ...tailGroups].reduce(
    (acc, group) => (acc << 16n) | BigInt(Number.parseInt(group, 16)),
    0n,
  );
}

/** A request through `proxy` that got no answer because the proxy itself could not be reached. */
export function proxyError(proxy: URL, host: string, error: unknown): RegistryError | undefined {
  const code = (error as { code?: string }).code;
  if (code !== 'ECONNREFUSED' && code !== 'ENOTFOUND' && code !== 'EAI_AGAIN' && code !== 'EHOSTUNREACH') {
    return undefined;
  }
  return new RegistryError(`cannot reach proxy ${proxy.host} for registry ${host} (${code})`, {
    code: ErrorCode.NETWORK,
    hint: 'check HTTPS_PROXY / HTTP_PROXY, or list the registry in NO_PROXY',
    cause: safeCause(error),
  });
}
