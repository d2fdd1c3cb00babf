import { Command, Errors, Flags } from '@oclif/core';
import { ExitCode, LayerdeltaError, oneLineText } from '../errors.js';
import { drainOutput } from './output.js';
import { flagHint } from './suggest.js';

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
    // A mistyped flag: name the nearest of this command's flags.
    const ctor = this.constructor as typeof BaseCommand;
    const hint = flagHint(err.message, Object.keys({ ...ctor.baseFlags, ...ctor.flags }));
    const line = hint ? failure.line.replace(/ \(see --help\)$/, `${hint} (see --help)`) : failure.line;
    // Parse errors and internal errors quote input too: never a credential or a control character.
    process.stderr.write(`layerdelta: ${oneLineText(line)}\n`);
    if (process.env.DEBUG && failure.stack) process.stderr.write(`${failure.stack}\n`);
    return this.exit(failure.exitCode);
  }

  /**
   * Runs after run() and catch(), before oclif ends the process (with process.exit() on a failure):
   * the report must reach a slow pipe whole. A report that could not be written (a full disk; the
   * error surfaces only now) is one line and exit 2, over the verdict (1, 3) or a failed push (4):
   * whoever reads the outcome has no report to look at.
   */
  protected override async finally(err: Error | undefined): Promise<unknown> {
    const failure = await drainOutput();
    if (failure) {
      process.stderr.write(`layerdelta: ${failure.oneLine()}\n`);
      if (err === undefined) process.exitCode = failure.exitCode;
      await drainOutput();
    }
    return await super.finally(err);
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
