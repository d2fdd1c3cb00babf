/** src/oci digests and verification, against sha256sum (an independent implementation). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { isSha256Digest, looksLikeDigest, Sha256, sha256Digest, sha256Hex } from '../../src/oci/digest.js';
import { DigestVerifier, verifyContent } from '../../src/oci/verify.js';
import { failure, readAll } from '../support/streams.js';

const dir = mkdtempSync(join(tmpdir(), 'layerdelta-oci-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sha256sum(data: Buffer): string {
  const file = join(dir, `blob-${data.length}`);
  writeFileSync(file, data);
  return `sha256:${execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]}`;
}

const content = Buffer.from('layerdelta oci content\n'.repeat(1000));
const digest = sha256sum(content);

describe('digests', () => {
  it('hash like sha256sum, whole or incrementally', () => {
    expect(sha256Digest(content)).toBe(digest);
    const hash = new Sha256();
    for (let i = 0; i < content.length; i += 777) hash.update(content.subarray(i, i + 777));
    expect(hash.digest()).toBe(digest);
    expect(sha256Digest(Buffer.alloc(0))).toBe(sha256sum(Buffer.alloc(0)));
  });

  it.each([
    [digest, true],
    [digest.toUpperCase(), false],
    [`${digest}0`, false],
    ['sha256:abc', false],
    [`sha512:${'a'.repeat(128)}`, false],
    [`sha256:../../${'a'.repeat(58)}`, false],
  ])('%s is a sha256 digest: %s', (value, expected) => {
    expect(isSha256Digest(value)).toBe(expected);
    expect(sha256Hex(value)).toBe(expected ? value.slice(7) : undefined);
  });

  it('tells a digest of another algorithm from something that is no digest', () => {
    expect(looksLikeDigest(`sha512:${'a'.repeat(128)}`)).toBe(true);
    expect(looksLikeDigest(`sha256:${'A'.repeat(64)}`)).toBe(true);
    expect(looksLikeDigest('latest')).toBe(false);
    expect(looksLikeDigest('sha256:xyz')).toBe(false);
  });
});

describe('verifyContent (buffers) and DigestVerifier (streams) agree on every condition', () => {
  const other = Buffer.from(content);
  other[10] = (other[10] ?? 0) ^ 1;
  const cases: Array<[string, Buffer, number, string | undefined]> = [
    ['the right content', content, content.length, undefined],
    ['the right content, size unknown', content, -1, undefined],
    ['one byte changed', other, content.length, 'DIGEST_MISMATCH'],
    ['one byte changed, size unknown', other, -1, 'DIGEST_MISMATCH'],
    ['one byte short', content.subarray(1), content.length, 'SIZE_MISMATCH'],
    ['one byte long', Buffer.concat([content, Buffer.from('x')]), content.length, 'SIZE_MISMATCH'],
  ];
  it.each(cases)('%s', async (_name, data, size, code) => {
    const buffered = (() => {
      try {
        verifyContent(data, digest, size, 'blob here');
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    const streamed = await failure(
      readAll(Readable.from([data]).pipe(new DigestVerifier(digest, size, 'blob here'))),
    ).catch(() => undefined);
    if (code === undefined) {
      expect(buffered).toBeUndefined();
      expect(streamed).toBeUndefined();
      expect(await readAll(Readable.from([data]).pipe(new DigestVerifier(digest, size, 'x')))).toEqual(data);
      return;
    }
    for (const error of [buffered, streamed]) {
      expect(error).toMatchObject({ code, exitCode: 3 });
      expect((error as Error).message).toMatch(/^blob here: /);
    }
    if (code === 'DIGEST_MISMATCH') {
      expect((buffered as Error).message).toBe(
        `blob here: digest mismatch: expected ${digest}, got ${sha256sum(data)}`,
      );
    }
  });

  it('refuses a digest of another algorithm as unsupported (exit 2)', () => {
    const sha512 = `sha512:${'a'.repeat(128)}`;
    expect(() => verifyContent(content, sha512, undefined, 'x')).toThrow(/unsupported digest algorithm/);
    expect(() => new DigestVerifier(sha512, -1, 'x')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_DIGEST', exitCode: 2 }),
    );
  });
});
