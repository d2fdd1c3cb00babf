/**
 * The npm package of this checkout, as `npm pack` writes it (prepack builds dist/), packed from a copy
 * of the committed and new files so that this checkout's dist/ is never touched while tests use it.
 * Cached by the content of those files under .cache/pack/<hash>/: the package test and the image build
 * share one pack.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { buildCacheDir } from '../fixtures/rootfs.js';

const exec = promisify(execFile);
export const ROOT = join(import.meta.dirname, '..');

/** What a fresh clone has, without test data (test/, fixtures/, bench/): nothing at run time reads it. */
function sourceFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((path) => path !== '' && !/^(test|fixtures|bench)\//.test(path))
    .filter((path) => existsSync(join(ROOT, path))); // deleted but not yet committed: a clone would not have it
}

/** Copies the source files into `into`, as a fresh clone has them. */
export function copySource(into: string): void {
  for (const path of sourceFiles()) {
    mkdirSync(dirname(join(into, path)), { recursive: true });
    cpSync(join(ROOT, path), join(into, path));
  }
}

export interface Packed {
  /** Absolute path of the tarball. */
  tarball: string;
  /** The paths in it, from `npm pack --json`. */
  files: string[];
}

/** Packs the checkout, or returns the pack of the same sources made before. */
export async function pack(log: (line: string) => void = () => {}): Promise<Packed> {
  const hash = createHash('sha256');
  for (const path of sourceFiles().sort())
    hash
      .update(path)
      .update('\0')
      .update(readFileSync(join(ROOT, path)));
  const dir = join(ROOT, '.cache', 'pack', hash.digest('hex').slice(0, 16));
  return await buildCacheDir(
    dir,
    // The record names the tarball relative to its directory: a copied cache stays valid.
    () => {
      const record = join(dir, 'packed.json');
      if (!existsSync(record)) return undefined;
      const { filename, files } = JSON.parse(readFileSync(record, 'utf8')) as {
        filename: string;
        files: string[];
      };
      return { tarball: join(dir, filename), files };
    },
    async (work) => {
      const source = join(work, 'source');
      copySource(source);
      // Packing builds with the dev dependencies; npm pack never writes into node_modules.
      symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'));
      log(`npm pack of ${source}`);
      const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', work], {
        cwd: source,
        env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
        maxBuffer: 64 << 20,
      });
      // prepack's own output (tsc) comes first on stdout; the JSON array is last.
      const [result] = JSON.parse(stdout.slice(stdout.indexOf('\n[') + 1)) as Array<{
        filename: string;
        files: Array<{ path: string }>;
      }>;
      rmSync(source, { recursive: true, force: true });
      const files = result!.files.map((f) => f.path);
      writeFileSync(join(work, 'packed.json'), JSON.stringify({ filename: result!.filename, files }));
    },
  );
}

// `node --import tsx scripts/pack.ts` packs (or finds the pack) and prints the tarball's path.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  console.log((await pack((line) => console.error(line))).tarball);
}
