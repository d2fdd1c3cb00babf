/** Ground truth for directory roll-ups: GNU du and find on a real root filesystem. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** `du --apparent-size -sb` less the directories' own sizes, which a tar layer does not record. */
export function duBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  const du = Number(execFileSync('du', ['--apparent-size', '-sb', dir], { encoding: 'utf8' }).split('\t')[0]);
  const dirs = execFileSync('find', [dir, '-type', 'd', '-printf', '%s\\n'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .reduce((sum, n) => sum + Number(n), 0);
  return du - dirs;
}
