/**
 * A copy of the repository's committed and new (not ignored) files, as a fresh clone has them, so
 * that packing and installing never touch this checkout's dist/ or node_modules/ while other test
 * files use them. Test data (test/, fixtures/, bench/) stays behind: nothing at run time reads it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from '../commands/cli.js';

export function copySource(into: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((path) => path !== '' && !/^(test|fixtures|bench)\//.test(path));
  for (const path of files) {
    mkdirSync(dirname(join(into, path)), { recursive: true });
    // A file deleted but not yet committed is still listed; a fresh clone would not have it either.
    try {
      cpSync(join(ROOT, path), join(into, path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
