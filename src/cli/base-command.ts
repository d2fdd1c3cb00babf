import { Command, Errors, Flags } from '@oclif/core';
import { ExitCode, LayerdeltaError } from '../errors.js';

/** Exit codes, shown in every command's --help (docs/design.md §5). */
export const EXIT_CODES_HELP =
  'Exit codes: 0 ok, 1 a threshold crossed (check), 2 usage or bad input, 3 registry/network failure, 4 metrics push failed (report still written), 70 internal error (a bug in layerdelta: please report it).';

/** What a failure prints (one line, without the `layerdelta: ` prefix) and the exit code it ends with. */
export interface Failure {
  line: string;
  exitCode: number;
  /** Print the stack under DEBUG. */
  stack?: string | undefined;
}

/**
 * How a thrown error ends the run: a typed LayerdeltaError says its own line and code; oclif's parse
 * errors (its CLIError type: unknown flag, missing argument, bad option value) are usage errors, exit 2;
 * oclif's own exits pass through (undefined); anything else is a bug in layerdelta, exit 70.
 */
export function failureOf(err: unknown): Failure | undefined {
  if (err instanceof LayerdeltaError)
    return { line: err.oneLine(), exitCode: err.exitCode, stack: err.stack };
  if (err instanceof Errors.ExitError) return undefined;
  if (err instanceof Errors.CLIError)
    return { line: `${parseErrorLine(err.message)} (see --help)`, exitCode: ExitCode.usage };
  const message = err instanceof Error ? err.message : String(err);
  return {
    line: `internal error: ${message.split('\n')[0]} (a bug in layerdelta; DEBUG=1 shows where)`,
    exitCode: ExitCode.internal,
    stack: err instanceof Error ? err.stack : undefined,
  };
}

/**
 * Every command extends this: one place turns a thrown error into one line on stderr and its exit
 * code (never a stack trace unless DEBUG is set).
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    quiet: Flags.boolean({ char: 'q', description: 'No progress output on stderr.', default: false }),
  };

  protected override async catch(err: Error): Promise<unknown> {
    const failure = failureOf(err);
    if (failure === undefined) throw err;
    process.stderr.write(`layerdelta: ${failure.line}\n`);
    if (process.env.DEBUG && failure.stack) process.stderr.write(`${failure.stack}\n`);
    return this.exit(failure.exitCode);
  }
}

/**
 * oclif's parse errors span several lines ("The following error occurred:", the flag, "See more
 * help with --help"); fold them into the one line docs/design.md §9 asks for.
 */
export function parseErrorLine(message: string): string {
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter(
      (line) => line && !/^The following errors? occurred:?$/.test(line) && !/^See more help with/.test(line),
    )
    .join(' ')
    .replace(/\s+/g, ' ');
}
