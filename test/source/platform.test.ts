import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  formatPlatform,
  isAttestation,
  normalizePlatform,
  parsePlatform,
  platformMatches,
  selectPlatform,
} from '../../src/source/platform.js';
import type { Descriptor, Platform } from '../../src/source/types.js';

const entry = (platform: Platform, annotations?: Record<string, string>): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${formatPlatform(platform)
    .replace(/[^a-z0-9]/g, '')
    .padEnd(64, '0')
    .slice(0, 64)}`,
  size: 100,
  platform,
  ...(annotations ? { annotations } : {}),
});

describe('parsePlatform', () => {
  it.each([
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['Linux/ARM/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['windows/amd64', { os: 'windows', architecture: 'amd64' }],
  ])('%s', (text, expected) => {
    expect(parsePlatform(text)).toEqual(expected);
  });
  it.each(['linux', 'linux/', '/amd64', 'linux/arm64/v8/x', 'linux amd64', ''])('rejects %j', (text) => {
    expect(() => parsePlatform(text)).toThrow(UsageError);
  });
});

describe('normalizePlatform and platformMatches', () => {
  it('normalises aliases and default variants', () => {
    expect(normalizePlatform({ os: 'linux', architecture: 'aarch64' })).toEqual({
      os: 'linux',
      architecture: 'arm64',
    });
    expect(normalizePlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' })).toEqual({
      os: 'linux',
      architecture: 'arm64',
    });
    expect(normalizePlatform({ os: 'linux', architecture: 'x86_64' })).toEqual({
      os: 'linux',
      architecture: 'amd64',
    });
    expect(normalizePlatform({ os: 'linux', architecture: 'arm' })).toEqual({
      os: 'linux',
      architecture: 'arm',
      variant: 'v7',
    });
  });
  it('matches arm64 with and without v8, and not other variants when one is asked', () => {
    expect(platformMatches(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' })).toBe(
      true,
    );
    expect(
      platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64', variant: 'v8' }),
    ).toBe(true);
    expect(
      platformMatches(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v7' }),
    ).toBe(false);
    expect(
      platformMatches(parsePlatform('linux/arm'), { os: 'linux', architecture: 'arm', variant: 'v6' }),
    ).toBe(true);
    expect(platformMatches(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'arm64' })).toBe(false);
  });
});

describe('selectPlatform', () => {
  const amd64 = entry({ os: 'linux', architecture: 'amd64' });
  const arm64 = entry({ os: 'linux', architecture: 'arm64', variant: 'v8' });
  const armv7 = entry({ os: 'linux', architecture: 'arm', variant: 'v7' });
  const attestation = entry(
    { os: 'unknown', architecture: 'unknown' },
    {
      'vnd.docker.reference.type': 'attestation-manifest',
    },
  );
  const entries = [amd64, arm64, armv7, attestation];

  it('defaults to linux/amd64 and lists the others without attestations', () => {
    const choice = selectPlatform(entries, undefined, 'index X');
    expect(choice.chosen).toBe(amd64);
    expect(choice.available.map(formatPlatform)).toEqual(['linux/amd64', 'linux/arm64/v8', 'linux/arm/v7']);
  });
  it('picks the requested one', () => {
    expect(selectPlatform(entries, parsePlatform('linux/arm64'), 'index X').chosen).toBe(arm64);
    expect(selectPlatform(entries, parsePlatform('linux/arm64/v8'), 'index X').chosen).toBe(arm64);
    expect(selectPlatform(entries, parsePlatform('linux/arm/v7'), 'index X').chosen).toBe(armv7);
  });
  it('takes the only platform of an index when none was asked for', () => {
    expect(selectPlatform([arm64, attestation], undefined, 'index X').chosen).toBe(arm64);
  });
  it('fails with the available platforms listed', () => {
    expect(() => selectPlatform(entries, parsePlatform('linux/s390x'), 'index X')).toThrow(
      /platform linux\/s390x not found in index X; available: linux\/amd64, linux\/arm64\/v8, linux\/arm\/v7/,
    );
    expect(() => selectPlatform([arm64, armv7], undefined, 'index X')).toThrow(/linux\/amd64 not found/);
  });
  it('recognises attestations both ways', () => {
    expect(isAttestation(attestation)).toBe(true);
    expect(isAttestation(entry({ os: 'unknown', architecture: 'unknown' }))).toBe(true);
    expect(
      isAttestation(entry({ os: 'linux', architecture: 'amd64' }, { 'vnd.docker.reference.type': 'x' })),
    ).toBe(true);
    expect(isAttestation(amd64)).toBe(false);
  });
});
