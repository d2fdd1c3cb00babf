import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { exitCodesHelp } from '../cli/exit-codes-help.js';
import { writeOut } from '../cli/output.js';
import { outputFlags, outputFormat } from '../cli/report-flags.js';
import { ExitCode, UsageError } from '../errors.js';
import { diffGoBinary } from '../golang/diff.js';
import { analyzeGoFile } from '../golang/file.js';
import { gobinDiffJson, gobinDiffText, gobinJson, gobinText, withGoQuotedSettings } from '../report/gobin.js';
import { escapeControl, escapeStrings } from '../terminal-text.js';

export default class Gobin extends BaseCommand {
  static override summary =
    'Analyse a Go executable, or diff two: build info, sections, code per function, package and module.';

  static override description =
    `Reads a Linux Go executable (ELF; amd64, arm64, 386, s390x, mips and others; Go 1.18 or later, 1.16–1.17 best effort) without a Go toolchain and tells in one answer what \`go version -m\` (Go version, main module, dependencies, build settings), \`go tool nm -size\` (code size of every function) and a size analyzer (bytes per package and module, sections, how .text splits into Go code, padding and non-Go code) would. Works on stripped (-s -w) binaries too: function sizes come from the runtime's pclntab.
With two files, prints what changed: size, sections, Go version, build settings, modules added/removed/upgraded, and packages sorted by growth. Sizes are SI (1 kB = 1000 B).

${exitCodesHelp([ExitCode.ok, ExitCode.usage, ExitCode.internal], { [ExitCode.usage]: 'usage, or a file that cannot be read or analysed' })}`;

  static override examples = [
    '<%= config.bin %> gobin ./app',
    '<%= config.bin %> gobin ./app --symbols --top 50',
    '<%= config.bin %> gobin ./app-v1 ./app-v2',
    '<%= config.bin %> gobin /usr/bin/docker-registry --json',
  ];

  static override args = {
    file: Args.string({
      ignoreStdin: true,
      description: 'A Go executable (the old one when NEW is given).',
      required: true,
    }),
    new: Args.string({
      ignoreStdin: true,
      description: 'A second Go executable to compare with FILE.',
      required: false,
    }),
  };

  static override flags = {
    quiet: Flags.boolean({
      char: 'q',
      description: 'Accepted as by every command; gobin writes no progress, so it changes nothing.',
      default: false,
    }),
    symbols: Flags.boolean({
      description: 'List every function (name, size, entry, package, module).',
      default: false,
    }),
    ...outputFlags(['text', 'json'] as const),
    top: Flags.integer({ description: 'Rows in the package and module tables.', default: 20, min: 1 }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Gobin);
    const json = outputFormat<'text' | 'json'>(flags) === 'json';
    if (args.new !== undefined && flags.symbols) {
      throw new UsageError('--symbols lists the functions of one file', {
        hint: 'drop --symbols or give one file',
      });
    }
    const old = await analyzeGoFile(args.file, { symbols: flags.symbols });
    if (args.new === undefined) {
      writeOut(
        json
          ? gobinJson(args.file, old)
          : gobinText(escapeControl(args.file), escapeStrings(withGoQuotedSettings(old)), { top: flags.top }),
      );
      return;
    }
    const next = await analyzeGoFile(args.new);
    const files = { old: args.file, new: args.new };
    const reports = { old, new: next };
    const diff = diffGoBinary(old, next);
    writeOut(
      json
        ? gobinDiffJson(files, reports, diff)
        : gobinDiffText(escapeStrings(files), escapeStrings(reports), escapeStrings(diff), {
            top: flags.top,
          }),
    );
  }
}
