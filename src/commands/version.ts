import { Command } from '@oclif/core';

/** `layerdelta version`, as `layerdelta --version` and `-v` print it. */
export default class Version extends Command {
  static override summary = 'Print the version of layerdelta, Node.js and the platform.';
  static override examples = ['<%= config.bin %> version'];

  async run(): Promise<void> {
    await this.parse(Version);
    process.stdout.write(`${this.config.userAgent}\n`);
  }
}
