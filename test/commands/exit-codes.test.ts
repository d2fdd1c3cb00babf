/**
 * How a thrown error ends a run (cli/base-command.ts), through oclif's own Command.run: typed errors
 * keep their code, oclif's parse errors are usage errors (2), and an error nobody expected is a bug
 * with its own code (70), never 3 ("registry/network failure"). Plus the publish-then-exit precedence.
 */
import { Args, Flags } from '@oclif/core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BaseCommand } from '../../src/cli/base-command.js';
import { publishThenExit } from '../../src/cli/outcome.js';
import { ExitCode, MetricsPushError, RegistryError, UsageError } from '../../src/errors.js';
import { ensureBuilt, ROOT, runCli } from './cli.js';

/** A command whose run throws what `fail` returns; flags and an argument to get oclif's parse errors. */
function commandThrowing(fail: () => unknown) {
  return class Probe extends BaseCommand {
    static override args = { image: Args.string({ required: true }) };
    static override flags = {
      count: Flags.integer({ min: 1 }),
      format: Flags.string({ options: ['text', 'json'] }),
    };
    async run(): Promise<void> {
      await this.parse(Probe);
      throw fail();
    }
  };
}

/** Run through oclif; the exit code is what `this.exit` threw (oclif's ExitError), stderr is captured. */
async function outcome(argv: string[], fail: () => unknown = () => new Error('unused')) {
  const stderr: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr.push(String(chunk));
    return true;
  });
  try {
    await commandThrowing(fail).run(argv, ROOT);
    return { exitCode: 0, stderr: stderr.join('') };
  } catch (error) {
    return { exitCode: (error as { oclif?: { exit?: number } }).oclif?.exit, stderr: stderr.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('exit codes of a failed run', () => {
  beforeAll(ensureBuilt);

  it('an unexpected error (a bug) exits 70 with one line, not 3', async () => {
    const result = await outcome(
      ['img'],
      () => new TypeError("Cannot read properties of undefined (reading 'size')"),
    );
    expect(result.exitCode).toBe(70);
    expect(result.exitCode).toBe(ExitCode.internal);
    expect(result.stderr).toBe(
      "layerdelta: internal error: Cannot read properties of undefined (reading 'size') (a bug in layerdelta; DEBUG=1 shows where)\n",
    );
  });

  it('a thrown non-Error value is a bug too', async () => {
    const result = await outcome(['img'], () => 'just a string');
    expect(result.exitCode).toBe(70);
    expect(result.stderr).toContain('internal error: just a string');
  });

  it('typed errors keep their own code and line', async () => {
    const registry = await outcome(
      ['img'],
      () => new RegistryError('registry x answered 503', { hint: 'retry' }),
    );
    expect(registry).toEqual({ exitCode: 3, stderr: 'layerdelta: registry x answered 503 (retry)\n' });
    const usage = await outcome(['img'], () => new UsageError('bad thing'));
    expect(usage).toEqual({ exitCode: 2, stderr: 'layerdelta: bad thing\n' });
  });

  it.each([
    [['img', '--nope'], /^layerdelta: Nonexistent flag: --nope \(see --help\)\n$/],
    [[], /^layerdelta: Missing 1 required arg: image .*\(see --help\)\n$/],
    [['img', 'extra'], /^layerdelta: Unexpected argument: extra \(see --help\)\n$/],
    [
      ['img', '--count', '0'],
      /^layerdelta: Parsing --count Expected an integer greater than or equal to 1 .*\(see --help\)\n$/,
    ],
    [
      ['img', '--count', 'x'],
      /^layerdelta: Parsing --count Expected an integer but received: x \(see --help\)\n$/,
    ],
    [
      ['img', '--format', 'yaml'],
      /^layerdelta: Expected --format=yaml to be one of: text, json \(see --help\)\n$/,
    ],
    [['img', '--count'], /^layerdelta: Flag --count expects a value \(see --help\)\n$/],
  ])('oclif parse error %j exits 2 with one line', async (argv, line) => {
    const result = await outcome(argv);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(line);
  });

  it('--help documents 70 (every command shows the same exit code line)', async () => {
    const help = await runCli(['inspect', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('70 internal error');
  });
});

describe('publishThenExit: the verdict wins over a failed push', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });
  const pushFails = async () => {
    throw new MetricsPushError('Pushgateway http://127.0.0.1:1 unreachable');
  };

  it.each([
    [ExitCode.ok, ExitCode.metricsPush],
    [ExitCode.threshold, ExitCode.threshold],
    [ExitCode.registry, ExitCode.registry],
  ])('verdict %i and a failed push exit %i, the failure said on stderr', async (verdict, expected) => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await publishThenExit([pushFails], verdict);
      expect(process.exitCode).toBe(expected);
      expect(spy).toHaveBeenCalledWith('layerdelta: Pushgateway http://127.0.0.1:1 unreachable\n');
    } finally {
      spy.mockRestore();
    }
  });

  it('a successful push leaves the verdict; a bug (not a LayerdeltaError) propagates', async () => {
    await publishThenExit([async () => {}], ExitCode.threshold);
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    await publishThenExit([async () => {}]);
    expect(process.exitCode).toBeUndefined();
    await expect(
      publishThenExit([async () => Promise.reject(new TypeError('a bug'))], ExitCode.threshold),
    ).rejects.toThrow(TypeError);
  });

  it('every step runs after a failed one; the first failure is the code, each failure one line', async () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let pushed = false;
    try {
      const fileFails = async () => Promise.reject(new UsageError('cannot write --metrics-file /x'));
      await publishThenExit([
        fileFails,
        async () => {
          pushed = true;
        },
        pushFails,
      ]);
      expect(pushed).toBe(true);
      expect(process.exitCode).toBe(ExitCode.usage);
      expect(spy.mock.calls.map((call) => call[0])).toEqual([
        'layerdelta: cannot write --metrics-file /x\n',
        'layerdelta: Pushgateway http://127.0.0.1:1 unreachable\n',
      ]);
    } finally {
      spy.mockRestore();
    }
  });
});
