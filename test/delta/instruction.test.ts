/**
 * normalizeInstruction on `created_by` strings of real images. Where each comes from:
 * - alpine:3.11 (Docker Hub), as recorded in trivy's test data for test/testdata/alpine-311.tar.gz
 *   (pkg/fanal/artifact/image/image_test.go): the classic builder's `#(nop) ADD file:<sha256> in /`.
 * - calico/cni:v3.11.3 (`crictl inspecti`, built 2020-05-28): classic `ADD dir:…`, `COPY file:…` and
 *   `|1 GIT_VERSION=v3.11.3 /bin/sh -c …` (a RUN with a build argument).
 * - lscr.io/linuxserver/smokeping:latest (`podman inspect`, built 2025-02-15/25 with BuildKit):
 *   `RUN |5 BUILD_DATE=… /bin/sh -c … # buildkit`, `COPY root/ / # buildkit`, `ADD --chmod=755 URL DEST # buildkit`.
 * - trivy's vuln-image test data: `COPY file:<sha256> in /php-app/composer.lock ` without the
 *   `/bin/sh -c #(nop)` prefix, as newer classic builders write it.
 */
import { describe, expect, it } from 'vitest';
import { normalizeInstruction } from '../../src/delta/instruction.js';

const cases: Array<[createdBy: string, kind: string, text: string]> = [
  [
    '/bin/sh -c #(nop) ADD file:0c4555f363c2672e350001f1293e689875a3760afe7b3f9146886afe67121cba in / ',
    'ADD',
    'ADD /',
  ],
  ['/bin/sh -c #(nop)  CMD ["/bin/sh"]', 'CMD', 'CMD ["/bin/sh"]'],
  [
    '/bin/sh -c #(nop) ADD dir:44bef4dab2fe4dd4757315736e89d56601efc01896142098395b97741fc9df59 in /opt/cni/bin/ ',
    'ADD',
    'ADD /opt/cni/bin/',
  ],
  [
    '/bin/sh -c #(nop) COPY file:8a0dcac8c05d3fce4e448fe2cc2458c5ec2bb6ab2d62dc341ae634b03bfab586 in /licenses ',
    'COPY',
    'COPY /licenses',
  ],
  [
    '|1 GIT_VERSION=v3.11.3 /bin/sh -c microdnf install hostname && mkdir /licenses',
    'RUN',
    'RUN microdnf install hostname && mkdir /licenses',
  ],
  ['/bin/sh -c #(nop) WORKDIR /opt/cni/bin', 'WORKDIR', 'WORKDIR /opt/cni/bin'],
  [
    'RUN |3 BUILD_DATE=2025-02-25T20:36:45+00:00 VERSION=2.8.2-r3-ls123 SMOKEPING_VERSION=2.8.2-r3 /bin/sh -c echo "**** install packages ****" &&   apk add --no-cache     apache2 # buildkit',
    'RUN',
    'RUN echo "**** install packages ****" && apk add --no-cache apache2',
  ],
  ['COPY root/ / # buildkit', 'COPY', 'COPY root/ /'],
  [
    'ADD --chmod=755 https://raw.githubusercontent.com/linuxserver/docker-mods/mod-scripts/lsiown.v1 /usr/bin/lsiown # buildkit',
    'ADD',
    'ADD --chmod=755 https://raw.githubusercontent.com/linuxserver/docker-mods/mod-scripts/lsiown.v1 /usr/bin/lsiown',
  ],
  ['ENTRYPOINT ["/init"]', 'ENTRYPOINT', 'ENTRYPOINT ["/init"]'],
  [
    'COPY file:842584685f26edb24dc305d76894f51cfda2bad0c24a05e727f9d4905d184a70 in /php-app/composer.lock ',
    'COPY',
    'COPY /php-app/composer.lock',
  ],
];

describe('normalizeInstruction', () => {
  for (const [createdBy, kind, text] of cases) {
    it(createdBy.slice(0, 70), () => {
      expect(normalizeInstruction(createdBy)).toEqual({ kind, text });
    });
  }

  it('makes a rebuild with new build-argument values the same step', () => {
    // smokeping's base layer RUN as built on 2025-02-15, and the same line with the next build's values.
    const first = normalizeInstruction(
      'RUN |5 BUILD_DATE=2025-02-15T13:30:29+00:00 VERSION=a0970cfe-ls21 MODS_VERSION=v3 PKG_INST_VERSION=v1 LSIOWN_VERSION=v1 /bin/sh -c echo "**** install runtime packages ****" # buildkit',
    );
    const next = normalizeInstruction(
      'RUN |5 BUILD_DATE=2025-02-25T20:36:45+00:00 VERSION=b81f2c4d-ls22 MODS_VERSION=v3 PKG_INST_VERSION=v1 LSIOWN_VERSION=v1 /bin/sh -c echo "**** install runtime packages ****" # buildkit',
    );
    expect(next).toEqual(first);
    // The classic builder and BuildKit write the same RUN differently; both mean the same step.
    expect(normalizeInstruction('/bin/sh -c make')).toEqual(
      normalizeInstruction('RUN /bin/sh -c make # buildkit'),
    );
  });

  it('keeps what tells steps apart: destination, command, other keyword', () => {
    const add = (hash: string, dest: string) => `/bin/sh -c #(nop) ADD file:${hash} in ${dest} `;
    expect(normalizeInstruction(add('a'.repeat(64), '/install-cni.sh'))?.text).not.toBe(
      normalizeInstruction(add('b'.repeat(64), '/calico.conf.tmp'))?.text,
    );
    expect(normalizeInstruction('RUN /bin/sh -c make # buildkit')?.text).not.toBe(
      normalizeInstruction('RUN /bin/sh -c make install # buildkit')?.text,
    );
    expect(normalizeInstruction('COPY app /app')?.kind).not.toBe(
      normalizeInstruction('RUN /bin/sh -c cp app /app')?.kind,
    );
  });

  it('has nothing to say about a missing or empty history line', () => {
    expect(normalizeInstruction(undefined)).toBeUndefined();
    expect(normalizeInstruction('  ')).toBeUndefined();
    expect(normalizeInstruction('# debian.sh --arch amd64 out/ bookworm @1718582400')).toEqual({
      kind: 'other',
      text: 'other # debian.sh --arch amd64 out/ bookworm @1718582400',
    });
  });
});
