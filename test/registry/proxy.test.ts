import { describe, expect, it } from 'vitest';
import { noProxyMatches, proxyFor } from '../../src/registry/proxy.js';

describe('NO_PROXY as curl reads it (plus ports, as Go and wget)', () => {
  it.each([
    // [host, port, list, excluded]
    ['example.com', 443, '*', true],
    ['example.com', 443, 'example.com', true],
    ['registry.example.com', 443, 'example.com', true],
    ['registry.example.com', 443, '.example.com', true],
    ['example.com', 443, '.example.com', true],
    ['registry.example.com', 443, '*.example.com', true],
    ['notexample.com', 443, 'example.com', false],
    ['example.com.evil.net', 443, 'example.com', false],
    ['EXAMPLE.com', 443, 'example.COM.', true],
    ['example.com', 443, 'other.org, example.com', true],
    ['example.com', 443, 'other.org example.com', true],
    ['example.com', 443, ' , ,', false],
    ['example.com', 443, 'example.com:443', true],
    ['example.com', 5000, 'example.com:443', false],
    ['127.0.0.1', 5000, '127.0.0.1', true],
    ['127.0.0.1', 5000, '127.0.0.1:5000', true],
    ['127.0.0.1', 5001, '127.0.0.1:5000', false],
    ['127.0.0.2', 5000, '127.0.0.1', false],
    ['10.1.2.3', 443, '10.0.0.0/8', true],
    ['11.1.2.3', 443, '10.0.0.0/8', false],
    ['192.168.7.9', 443, '192.168.0.0/16', true],
    ['192.169.7.9', 443, '192.168.0.0/16', false],
    ['172.16.0.1', 443, '0.0.0.0/0', true],
    ['[::1]', 5000, '::1', true],
    ['[::1]', 5000, '[::1]:5000', true],
    ['[::1]', 5001, '[::1]:5000', false],
    ['[fd00::1:2]', 443, 'fd00::/8', true],
    ['[fe80::1]', 443, 'fd00::/8', false],
    ['[::ffff:10.0.0.1]', 443, '::ffff:10.0.0.0/120', true],
    ['10.0.0.1', 443, 'fd00::/8', false],
    ['registry.lan', 443, '10.0.0.0/8', false],
    ['10.0.0.1', 443, '10.0.0.0/33', false],
  ] as const)('%s:%d with NO_PROXY=%j → excluded %s', (host, port, list, excluded) => {
    expect(noProxyMatches(host, port, list)).toBe(excluded);
  });
});

describe('choosing a proxy', () => {
  const url = (u: string) => new URL(u);
  it('uses HTTPS_PROXY for https and HTTP_PROXY for http, lower case first', () => {
    const env = {
      HTTPS_PROXY: 'http://upper:3128',
      https_proxy: 'http://lower:3128',
      HTTP_PROXY: 'plain:8080',
    };
    expect(proxyFor(url('https://ghcr.io/v2/'), env)?.href).toBe('http://lower:3128/');
    expect(proxyFor(url('http://registry.lan/v2/'), env)?.href).toBe('http://plain:8080/');
    expect(proxyFor(url('https://ghcr.io/v2/'), { HTTPS_PROXY: 'http://upper:3128' })?.host).toBe(
      'upper:3128',
    );
  });

  it('falls back to ALL_PROXY, and honours NO_PROXY in either case', () => {
    expect(proxyFor(url('https://ghcr.io/'), { ALL_PROXY: 'http://all:1' })?.host).toBe('all:1');
    expect(
      proxyFor(url('https://ghcr.io/'), { https_proxy: 'http://p:1', NO_PROXY: 'ghcr.io' }),
    ).toBeUndefined();
    expect(proxyFor(url('https://ghcr.io/'), { https_proxy: 'http://p:1', no_proxy: '.io' })).toBeUndefined();
    expect(
      proxyFor(url('https://ghcr.io:8443/'), { https_proxy: 'http://p:1', no_proxy: 'ghcr.io:443' })?.host,
    ).toBe('p:1');
    expect(proxyFor(url('https://ghcr.io/'), {})).toBeUndefined();
  });

  it('refuses a proxy scheme it cannot speak, with one line', () => {
    expect(() => proxyFor(url('https://ghcr.io/'), { HTTPS_PROXY: 'socks5://p:1080' })).toThrow(
      /unsupported proxy scheme socks5: in HTTPS_PROXY/,
    );
  });
});
