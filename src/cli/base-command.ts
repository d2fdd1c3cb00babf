import { Command, Flags } from '@oclif/core';
import { LayerdeltaError, oneLineText } from '../errors.js';

/** Exit codes, shown in every command's --help (docs/design.md §5). */
export const EXIT_CODES_HELP =
  'Exit codes: 0 ok, 1 a threshold crossed (check), 2 usage or bad input, 3 registry/network failure, 4 metrics push failed (report still written).';

/**
 * Every command extends this: one place turns a typed LayerdeltaError into one line on stderr and
 * its exit code; anything unexpected also becomes one line (never a stack trace unless DEBUG is set).
 */
export abstract class BaseCommand extends Command {
  static override baseFlags = {
    quiet: Flags.boolean({ char: 'q', description: 'No progress output on stderr.', default: false }),
  };

  protected override async catch(
    err: Error & { exitCode?: number; oclif?: { exit?: number } },
  ): Promise<unknown> {
    if (err instanceof LayerdeltaError) {
      process.stderr.write(`layerdelta: ${err.oneLine()}\n`);
      if (process.env.DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
      return this.exit(err.exitCode);
    }
    // oclif's own exits (this.exit) and flag/argument parse errors.
    if (err.oclif?.exit !== undefined && err.message.startsWith('EEXIT')) throw err;
    if (
      err.name === 'ExitPromptError' ||
      err.oclif?.exit === 2 ||
      /Unexpected argument|Missing required|Nonexistent flag|Expected --|Expected a|expects a value/.test(
        err.message,
      )
    ) {
      process.stderr.write(`layerdelta: ${oneLineText(parseErrorLine(err.message))} (see --help)\n`);
      return this.exit(2);
    }
    process.stderr.write(`layerdelta: unexpected error: ${oneLineText(err.message.split('\n')[0] ?? '')}\n`);
    if (process.env.DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
    return this.exit(3);
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
