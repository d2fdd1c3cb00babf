/** The random-access tar index against archives GNU tar writes in each format, listed by `tar -tv`. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexTar, resolveMember } from '../../src/source/tar-index.js';

let root: string;
// What each format can name: gnu and pax any length (L / x records), ustar up to 155+100 (prefix
// field), v7 up to 100.
const DIRS: Record<string, string> = {
  gnu: `${'a'.repeat(90)}/${'b'.repeat(90)}/${'c'.repeat(90)}`,
  pax: `${'a'.repeat(90)}/${'b'.repeat(90)}/${'c'.repeat(90)}`,
  ustar: `${'u'.repeat(90)}/${'v'.repeat(50)}`,
  v7: 'short',
};

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'layerdelta-tar-'));
  for (const [format, dir] of Object.entries(DIRS)) {
    const src = join(root, format);
    mkdirSync(join(src, dir), { recursive: true });
    writeFileSync(join(src, dir, 'layer.tar'), 'x'.repeat(1500));
    writeFileSync(join(src, 'manifest.json'), '[]');
    writeFileSync(join(src, 'empty'), '');
    symlinkSync('layer.tar', join(src, dir, 'link.tar'));
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('indexTar', () => {
  for (const format of ['gnu', 'pax', 'ustar', 'v7']) {
    it(`reads a ${format} archive: names, sizes, offsets, links`, async () => {
      const file = join(root, `${format}.tar`);
      const longDir = DIRS[format]!;
      const members = ['manifest.json', 'empty', `${longDir}/link.tar`, `${longDir}/layer.tar`];
      execFileSync('tar', [`--format=${format}`, '-cf', file, '-C', join(root, format), ...members], {
        stdio: 'pipe',
      });
      const listed = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');
      const handle = await open(file, 'r');
      try {
        const index = await indexTar(handle, file);
        expect([...index.keys()]).toEqual(listed);
        const layer = resolveMember(index, `${longDir}/link.tar`);
        expect(layer?.name).toBe(`${longDir}/layer.tar`);
        expect(layer?.size).toBe(1500);
        const bytes = readFileSync(file).subarray(layer!.offset, layer!.offset + layer!.size);
        expect(bytes.toString()).toBe('x'.repeat(1500));
        expect(index.get('empty')?.size).toBe(0);
      } finally {
        await handle.close();
      }
    });
  }
});
