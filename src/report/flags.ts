/** The report and comparison flags `compare` and `check` share. */
import { Flags } from '@oclif/core';
import { UsageError } from '../errors.js';
import { parsePercent } from '../policy/units.js';
import { parsePlatform } from '../source/platform.js';
import type { Platform } from '../source/types.js';
import { OUTPUT_FORMATS, type OutputFormat } from './render.js';

export const DEFAULT_TOLERANCE = 0.05;

export const reportFlags = {
  platform: Flags.string({
    char: 'p',
    description: 'Platform to pick from multi-platform images, os/arch[/variant] (default linux/amd64).',
  }),
  tolerance: Flags.string({
    description: 'A changed layer is significant when it grew or shrank by more than this (default 5%).',
    helpValue: 'PCT',
  }),
  output: Flags.string({
    char: 'o',
    description: 'Report format (html: one self-contained page; redirect it to a file).',
    options: [...OUTPUT_FORMATS],
    default: 'text',
  }),
  json: Flags.boolean({ description: 'Same as --output json.', default: false }),
};

export function outputFormat(flags: { output?: string; json?: boolean }): OutputFormat {
  if (flags.json) {
    if (flags.output && flags.output !== 'text' && flags.output !== 'json') {
      throw new UsageError(`--json conflicts with --output ${flags.output}`, { hint: 'use one of them' });
    }
    return 'json';
  }
  return (flags.output ?? 'text') as OutputFormat;
}

export function platformFlag(text: string | undefined): Platform | undefined {
  return text === undefined ? undefined : parsePlatform(text);
}

export function toleranceFlag(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parsePercent(text, '--tolerance');
}
