import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  formatReference,
  parseReference,
  type Reference,
  sameImageName,
} from '../../src/reference/reference.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference: valid references', () => {
  const cases: Array<[string, Reference, string]> = [
    [
      'alpine',
      { transport: 'registry', registry: 'docker.io', repository: 'library/alpine', tag: 'latest' },
      'docker.io/library/alpine:latest',
    ],
    [
      'alpine:3.20',
      { transport: 'registry', registry: 'docker.io', repository: 'library/alpine', tag: '3.20' },
      'docker.io/library/alpine:3.20',
    ],
    [
      'user/app',
      { transport: 'registry', registry: 'docker.io', repository: 'user/app', tag: 'latest' },
      'docker.io/user/app:latest',
    ],
    [
      'docker.io/alpine',
      { transport: 'registry', registry: 'docker.io', repository: 'library/alpine', tag: 'latest' },
      'docker.io/library/alpine:latest',
    ],
    [
      'index.docker.io/library/alpine:edge',
      { transport: 'registry', registry: 'docker.io', repository: 'library/alpine', tag: 'edge' },
      'docker.io/library/alpine:edge',
    ],
    [
      'registry-1.docker.io/user/app',
      { transport: 'registry', registry: 'docker.io', repository: 'user/app', tag: 'latest' },
      'docker.io/user/app:latest',
    ],
    [
      'ghcr.io/owner/team/app:v1.2.3',
      { transport: 'registry', registry: 'ghcr.io', repository: 'owner/team/app', tag: 'v1.2.3' },
      'ghcr.io/owner/team/app:v1.2.3',
    ],
    [
      'localhost/app',
      { transport: 'registry', registry: 'localhost', repository: 'app', tag: 'latest' },
      'localhost/app:latest',
    ],
    [
      'localhost:5000/app:dev',
      { transport: 'registry', registry: 'localhost:5000', repository: 'app', tag: 'dev' },
      'localhost:5000/app:dev',
    ],
    [
      '127.0.0.1:5000/a/b',
      { transport: 'registry', registry: '127.0.0.1:5000', repository: 'a/b', tag: 'latest' },
      '127.0.0.1:5000/a/b:latest',
    ],
    [
      '[::1]:5000/app:1',
      { transport: 'registry', registry: '[::1]:5000', repository: 'app', tag: '1' },
      '[::1]:5000/app:1',
    ],
    [
      `alpine@${D}`,
      { transport: 'registry', registry: 'docker.io', repository: 'library/alpine', digest: D },
      `docker.io/library/alpine@${D}`,
    ],
    [
      `reg.example.com:443/x/y:t@${D}`,
      { transport: 'registry', registry: 'reg.example.com:443', repository: 'x/y', tag: 't', digest: D },
      `reg.example.com:443/x/y:t@${D}`,
    ],
    [
      'my-registry.local/a_b/c__d/e-f--g.h:T_1',
      { transport: 'registry', registry: 'my-registry.local', repository: 'a_b/c__d/e-f--g.h', tag: 'T_1' },
      'my-registry.local/a_b/c__d/e-f--g.h:T_1',
    ],
    [
      'docker://quay.io/org/app:1',
      { transport: 'registry', registry: 'quay.io', repository: 'org/app', tag: '1' },
      'quay.io/org/app:1',
    ],
    ['oci:./layout', { transport: 'oci', path: './layout' }, 'oci:./layout'],
    ['oci:/tmp/layout:v2', { transport: 'oci', path: '/tmp/layout', tag: 'v2' }, 'oci:/tmp/layout:v2'],
    [`oci:/tmp/layout@${D}`, { transport: 'oci', path: '/tmp/layout', digest: D }, `oci:/tmp/layout@${D}`],
    ['docker-archive:img.tar', { transport: 'docker-archive', path: 'img.tar' }, 'docker-archive:img.tar'],
    [
      'docker-archive:/x/img.tar:myapp:v1',
      { transport: 'docker-archive', path: '/x/img.tar', tag: 'myapp:v1' },
      'docker-archive:/x/img.tar:myapp:v1',
    ],
  ];
  it.each(cases)('%s', (input, expected, formatted) => {
    const ref = parseReference(input);
    expect(ref).toEqual(expected);
    expect(formatReference(ref)).toBe(formatted);
    // Formatting is a fixed point: the normalised text parses to the same reference.
    expect(parseReference(formatReference(ref))).toEqual(ref);
  });
});

describe('parseReference: invalid references', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    ['Alpine', /must be lowercase/],
    ['ghcr.io/Owner/app', /must be lowercase/],
    ['alpine:', /tag "" is not valid/],
    ['alpine:-bad', /tag "-bad" is not valid/],
    [`alpine:${'x'.repeat(129)}`, /is not valid/],
    ['alpine@sha256:1234', /not a digest/],
    [`alpine@sha256:${'A'.repeat(64)}`, /64 lowercase hex/],
    [`alpine@sha512:${'a'.repeat(128)}`, /not supported/],
    ['alpine@', /not a digest/],
    ['a//b', /empty path component/],
    ['app/', /empty path component/],
    [':tag', /repository name is missing/],
    ['-bad/app', /is not valid/],
    ['reg.example.com/app/', /empty path component/],
    ['bad_host.com/app', /registry "bad_host.com" is not a valid/],
    ['reg:port/app', /registry "reg:port" is not a valid/],
    ['a/b!c', /"b!c" is not valid/],
    ['https://ghcr.io/owner/app', /URL is not a reference/],
    [`reg.io/${'a'.repeat(260)}`, /longer than 255/],
    ['oci:', /directory is missing/],
    ['oci::tag', /directory is missing/],
    ['oci:dir:bad tag', /is not valid/],
    ['oci:dir@sha256:zz', /not a digest/],
    ['docker-archive:', /archive file is missing/],
    ['docker-archive:f.tar:Bad:tag', /must be lowercase/],
    [`docker-archive:f.tar:app@${D}`, /not a digest/],
  ];
  it.each(cases)('%j', (input, message) => {
    let error: unknown;
    try {
      parseReference(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    const usage = error as UsageError;
    expect(usage.exitCode).toBe(2);
    expect(usage.message).toMatch(message);
    expect(usage.oneLine()).not.toContain('\n');
  });
});

describe('sameImageName', () => {
  it('compares names as docker normalises them', () => {
    expect(sameImageName('alpine:latest', 'docker.io/library/alpine:latest')).toBe(true);
    expect(sameImageName('alpine', 'alpine:latest')).toBe(true);
    expect(sameImageName('myapp:v1', 'myapp:v2')).toBe(false);
    expect(sameImageName('localhost/myapp:v1', 'myapp:v1')).toBe(false);
  });
});
