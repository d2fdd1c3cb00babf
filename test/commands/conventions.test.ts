/**
 * Command-line conventions through the built CLI: `help COMMAND`, "did you mean" for a mistyped
 * command or flag, `-v`/`version`, per-command exit codes in --help, and no command reading standard
 * input (oclif reads it for a missing argument unless told not to).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_GO } from '../fixtures/tools.js';
import { fixtureBinary, fixturePath } from '../support/fixtures.js';
import { memoize } from '../support/memo.js';
import { ensureBuilt, ROOT, runCli } from './cli.js';

const exec = promisify(execFile);
const RUN = join(ROOT, 'bin', 'run.js');
// Node start-ups on a machine that may be busy with other suites: generous timeouts.
const SLOW = 180_000;
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

beforeAll(async () => {
  await ensureBuilt();
});

/** `COMMAND --help`, run once and read by every test that looks at that command's help. */
const helpOf = memoize(async (command: string) => await runCli([command, '--help'], { timeoutMs: 170_000 }));

describe('command-line conventions', () => {
  it(
    'help COMMAND prints what COMMAND --help prints',
    async () => {
      const viaHelp = await runCli(['help', 'compare']);
      const viaFlag = await helpOf('compare');
      expect(viaHelp.status).toBe(0);
      expect(viaHelp.stdout).toContain('USAGE\n  $ layerdelta compare OLD NEW');
      expect(viaHelp.stdout).toBe(viaFlag.stdout);
      expect((await runCli(['help'])).stdout).toContain('COMMANDS');
    },
    SLOW,
  );

  it(
    '-v, --version and version print the package version',
    async () => {
      for (const args of [['-v'], ['--version'], ['version']]) {
        const run = await runCli(args);
        expect(run.status, args.join(' ')).toBe(0);
        expect(run.stdout).toMatch(
          new RegExp(`^layerdelta/${version.replace(/\./g, '\\.')} linux-\\w+ node-v`),
        );
      }
    },
    SLOW,
  );

  it(
    'a mistyped command or flag is one line naming the nearest, exit 2',
    async () => {
      const command = await runCli(['comapre', 'a', 'b']);
      expect(command.status).toBe(2);
      expect(command.stdout).toBe('');
      expect(command.stderr).toBe(
        'layerdelta: "comapre" is not a layerdelta command; did you mean compare? (see layerdelta --help)\n',
      );
      const unknown = await runCli(['xyzzy']);
      expect(unknown.status).toBe(2);
      expect(unknown.stderr).not.toMatch(/did you mean/);
      const flag = await runCli(['compare', '--tolerence', '5%', 'a', 'b']);
      expect(flag.status).toBe(2);
      expect(flag.stderr).toBe(
        'layerdelta: Nonexistent flag: --tolerence; did you mean --tolerance? (see --help)\n',
      );
    },
    SLOW,
  );

  it(
    'compare and check --help show examples and their exit codes in words',
    async () => {
      // Each command lists only the exit codes it can return: compare never judges a threshold.
      for (const [command, exitCodes] of [
        [
          'compare',
          'Exit codes: 0 ok, 2 usage or bad input (also: the report could not be written), 3 registry/network failure, 4 metrics push failed',
        ],
        [
          'check',
          'Exit codes: 0 ok, 1 a threshold crossed, 2 usage or bad input (also: the report could not be written), 3 registry/network failure',
        ],
      ]) {
        const result = await helpOf(command!);
        expect(result.status, command).toBe(0);
        expect(result.stdout, command).toContain('EXAMPLES');
        expect(result.stdout.replace(/\s+/g, ' '), command).toContain(exitCodes);
        expect(result.stdout, command).toContain('70 internal error');
      }
    },
    SLOW,
  );

  it(
    'inspect --no-binaries and gobin -q say what they do for that command',
    async () => {
      const [inspect, gobin] = await Promise.all([helpOf('inspect'), helpOf('gobin')]);
      const flat = (text: string) => text.replace(/\s+/g, ' ');
      expect(flat(inspect.stdout)).toMatch(/--no-binaries Show the manifest, config and layer list only/);
      expect(flat(gobin.stdout)).toMatch(
        /-q, --quiet Accepted as by every command; gobin writes no progress/,
      );
    },
    SLOW,
  );

  it(
    'each command lists in --help only the exit codes it can return',
    async () => {
      const expected: Record<string, number[]> = {
        compare: [0, 2, 3, 4, 70],
        check: [0, 1, 2, 3, 4, 70],
        inspect: [0, 2, 3, 70],
        gobin: [0, 2, 70],
        scan: [0, 2, 3, 4, 70],
      };
      await Promise.all(
        Object.entries(expected).map(async ([command, codes]) => {
          // Section titles may come bold (vitest sets FORCE_COLOR): plain text first.
          const run = await helpOf(command);
          const help = run.stdout.replace(/\x1b\[[0-9;]*m/g, '').replace(/\s+/g, ' ');
          const paragraph = /Exit codes: (.*?)\.(?: [A-Z]|$)/.exec(help)?.[1] ?? '';
          expect(
            [...paragraph.matchAll(/(?:^|, )(\d+) /g)].map((m) => Number(m[1])),
            `${command} (exit ${run.status}): ${help.slice(-300)}`,
          ).toEqual(codes);
        }),
      );
    },
    SLOW,
  );
});

describe('gobin never reads standard input', () => {
  const hello = fixturePath(
    fixtureBinary({ program: 'hello', go: '1.23', goarch: 'amd64', stripped: false }).file,
  );
  const app = fixturePath(
    fixtureBinary({ program: 'app-v1', go: '1.21', goarch: 'amd64', stripped: false }).file,
  );

  it(
    '`while read f; do layerdelta gobin "$f"; done < list` reports every file of the list, each alone',
    async () => {
      const script = `printf '%s\\n' "$1" "$2" > "$TMPDIR/list"; while read f; do node "$0" gobin "$f" || echo "exit $?"; done < "$TMPDIR/list"`;
      const { stdout } = await exec('bash', ['-c', script, RUN, hello, app], {
        env: { ...process.env, NO_COLOR: '1', TMPDIR: (await exec('mktemp', ['-d'])).stdout.trim() },
        maxBuffer: 64 << 20,
      });
      expect(stdout).not.toMatch(/^exit /m);
      const headers = stdout.split('\n').filter((line) => /^\S.*: go1\.\d+/.test(line));
      const goVersion = async (file: string) =>
        (await exec(REFERENCE_GO, ['version', file])).stdout.split(': ')[1]!.trim();
      expect(headers.map((h) => h.split(',')[0])).toEqual([
        `${hello}: ${await goVersion(hello)}`,
        `${app}: ${await goVersion(app)}`,
      ]);
    },
    SLOW,
  );

  it(
    '`echo x | layerdelta gobin FILE` reads FILE only',
    async () => {
      const { stdout } = await exec('sh', ['-c', 'echo x | node "$0" gobin "$1" --json', RUN, hello], {
        maxBuffer: 64 << 20,
      });
      expect(JSON.parse(stdout)).toMatchObject({ file: hello });
    },
    SLOW,
  );
});
