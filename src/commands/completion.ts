import { Args } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { type CompletionCommand, completionScript, SHELLS, type Shell } from '../cli/completion.js';
import { exitCodesHelp } from '../cli/exit-codes-help.js';
import { ExitCode } from '../errors.js';

export default class Completion extends BaseCommand {
  static override summary = 'Print a shell completion script (bash, zsh or fish).';

  static override description =
    `Completes command names, their flags, and the values of flags that take a fixed set (e.g. --output). Load it in the current shell, or add the same line to ~/.bashrc, ~/.zshrc or ~/.config/fish/config.fish.

${exitCodesHelp([ExitCode.ok, ExitCode.usage, ExitCode.internal])}`;

  static override examples = [
    'source <(<%= config.bin %> completion bash)',
    'source <(<%= config.bin %> completion zsh)',
    '<%= config.bin %> completion fish | source',
  ];

  static override args = {
    shell: Args.string({
      ignoreStdin: true,
      description: 'The shell.',
      required: true,
      options: [...SHELLS],
    }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    const commands: CompletionCommand[] = this.config.commands
      .filter((c) => !c.hidden)
      .map((c) => ({
        id: c.id,
        ...(c.summary ? { summary: c.summary } : {}),
        flags: Object.values(c.flags)
          .filter((f) => !f.hidden)
          .map((f) => ({
            name: f.name,
            ...(f.char ? { char: f.char } : {}),
            ...(f.summary || f.description ? { description: f.summary ?? f.description ?? '' } : {}),
            takesValue: f.type === 'option',
            ...(f.type === 'option' && f.options ? { options: f.options } : {}),
          })),
      }))
      .sort((a, b) => a.id.localeCompare(b.id));
    process.stdout.write(completionScript(args.shell as Shell, this.config.bin, commands));
  }
}
