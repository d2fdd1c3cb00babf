/**
 * oclif's command_not_found hook: one line with the nearest commands, exit 2 (a usage error),
 * instead of oclif's "command X not found".
 */
import type { Hook } from '@oclif/core';
import { didYouMean } from '../cli/suggest.js';
import { ExitCode } from '../errors.js';

const hook: Hook<'command_not_found'> = async function (options) {
  // oclif joins the words after the command into the id (`comapre:a:b`); the first is what was typed.
  const typed = options.id.split(':')[0] ?? options.id;
  const commands = options.config.commands.filter((c) => !c.hidden).map((c) => c.id);
  const hint = didYouMean(typed, commands);
  process.stderr.write(
    `layerdelta: "${typed}" is not a layerdelta command${hint ? `; ${hint}` : ''} (see layerdelta --help)\n`,
  );
  this.exit(ExitCode.usage);
};

export default hook;
