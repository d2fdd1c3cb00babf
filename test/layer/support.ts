/**
 * Test helpers for layer tests: tar layers built with tar-stream, compressed with the real gzip and
 * zstd tools, small Go programs built with the real toolchain, and ground truth from sha256sum and
 * `go version -m`.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import type { Descriptor } from '../../src/source/types.js';

export type TarItem =
  | { name: string; type?: 'file'; data: Buffer | string; mode?: number }
  | { name: string; type: 'directory'; mode?: number }
  | { name: string; type: 'symlink' | 'link'; linkname: string };

/** An uncompressed tar of the items, in order (names used exactly as given: `./usr/...` stays so). */
export async function tarOf(items: TarItem[]): Promise<Buffer> {
  const tar = pack();
  const done = (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of tar) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  })();
  for (const item of items) {
    const header = { name: item.name, mtime: new Date(0) };
    if ('data' in item) {
      const data = typeof item.data === 'string' ? Buffer.from(item.data) : item.data;
      tar.entry({ ...header, type: 'file', mode: item.mode ?? 0o644 }, data);
    } else if (item.type === 'directory') {
      tar.entry({ ...header, type: 'directory', mode: item.mode ?? 0o755 });
    } else {
      tar.entry({ ...header, type: item.type, linkname: item.linkname });
    }
  }
  tar.finalize();
  return await done;
}

export type Compression = 'gzip' | 'zstd' | 'none';

export const MEDIA_TYPES: Record<Compression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
};

/** Compress with the real command-line tool (gzip -n, zstd -q). */
export function compress(tar: Buffer, compression: Compression): Buffer {
  if (compression === 'gzip') return execFileSync('gzip', ['-n', '-c'], { input: tar, maxBuffer: 1 << 30 });
  if (compression === 'zstd') return execFileSync('zstd', ['-q', '-c'], { input: tar, maxBuffer: 1 << 30 });
  return tar;
}

/** `sha256:` + sha256sum's answer for a file. */
export function sha256sum(file: string): string {
  return `sha256:${execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]}`;
}

/** A blob written to `dir`, with its descriptor (digest from sha256sum). */
export function writeBlob(dir: string, name: string, data: Buffer, compression: Compression) {
  const file = join(dir, name);
  writeFileSync(file, data);
  const descriptor: Descriptor = {
    mediaType: MEDIA_TYPES[compression],
    digest: sha256sum(file),
    size: data.length,
  };
  return { file, descriptor, open: (): Readable => createReadStream(file) };
}

export const GO = '/usr/lib/go-1.23/bin/go';

/** Build a one-file Go program (module `example.com/<name>`), statically, and return its path. */
export function buildGoProgram(workDir: string, name: string, body: string): string {
  const dir = join(workDir, `src-${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), `module example.com/${name}\n\ngo 1.19\n`);
  writeFileSync(join(dir, 'main.go'), body);
  const out = join(workDir, name);
  execFileSync(GO, ['build', '-o', out, '.'], {
    cwd: dir,
    env: {
      ...process.env,
      GOFLAGS: '-mod=mod',
      GOPROXY: 'off',
      GOTOOLCHAIN: 'local',
      CGO_ENABLED: '0',
    },
  });
  return out;
}

/** The Go version and main package path as `go version -m` prints them. */
export function goVersionM(file: string): { goVersion: string; path: string } {
  const text = execFileSync(GO, ['version', '-m', file], { encoding: 'utf8' });
  const goVersion = /^\S+: (go\S+)/.exec(text)?.[1];
  const path = /^\tpath\t(\S+)/m.exec(text)?.[1];
  if (!goVersion || !path) throw new Error(`unexpected go version -m output: ${text}`);
  return { goVersion, path };
}

export const HELLO_SOURCE = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n';
export const BIGGER_SOURCE =
  'package main\n\nimport (\n\t"encoding/json"\n\t"fmt"\n\t"net/url"\n)\n\nfunc main() {\n\tu, _ := url.Parse("https://example.com/x")\n\tb, _ := json.Marshal(u)\n\tfmt.Println(string(b))\n}\n';
