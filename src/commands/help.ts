import { Args, Command, loadHelpClass } from '@oclif/core';

/** `layerdelta help [COMMAND]`: the same text as `layerdelta COMMAND --help`. */
export default class Help extends Command {
  static override summary = 'Show help for layerdelta or one of its commands.';
  static override strict = false;
  static override args = {
    command: Args.string({
      description: 'The command to show help for.',
      required: false,
      ignoreStdin: true,
    }),
  };
  static override examples = ['<%= config.bin %> help compare'];

  async run(): Promise<void> {
    const { argv } = await this.parse(Help);
    const HelpClass = await loadHelpClass(this.config);
    await new HelpClass(this.config, this.config.pjson.oclif.helpOptions).showHelp(argv as string[]);
  }
}
