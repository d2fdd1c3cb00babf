/** The report and comparison flags `compare` and `check` share. */
import { Flags } from '@oclif/core';
import { UsageError } from '../errors.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../report/render.js';
import { parsePlatform } from '../source/platform.js';
import type { Platform } from '../source/types.js';
import { parsePercent } from '../units.js';
import { settingFlag } from './check-flags.js';

export const DEFAULT_TOLERANCE = 0.05;

/** `--output FORMAT` (default text) and `--json`, oclif's usual shorthand; read them with outputFormat. */
export function outputFlags<F extends string>(formats: readonly F[], description = 'Report format.') {
  return {
    output: Flags.string({ char: 'o', description, options: [...formats], default: 'text' }),
    json: Flags.boolean({ description: 'Same as --output json.', default: false }),
  };
}

export const reportFlags = {
  platform: Flags.string({
    char: 'p',
    description:
      'Platform to pick from multi-platform images, os/arch[/variant] (default linux/amd64), or "all": every platform of the index, one report section each (attestations skipped).',
  }),
  tolerance: settingFlag('tolerance'),
  ...outputFlags(OUTPUT_FORMATS, 'Report format (html: one self-contained page; redirect it to a file).'),
  top: Flags.integer({
    description:
      'Rows of the directory, file and OS package tables in text, Markdown and HTML (JSON has all).',
    default: 10,
    min: 1,
  }),
};

export function outputFormat<F extends string = OutputFormat>(flags: { output?: string; json?: boolean }): F {
  if (flags.json) {
    if (flags.output && flags.output !== 'text' && flags.output !== 'json') {
      throw new UsageError(`--json conflicts with --output ${flags.output}`, { hint: 'use one of them' });
    }
    return 'json' as F;
  }
  return (flags.output ?? 'text') as F;
}

export function platformFlag(text: string | undefined): Platform | 'all' | undefined {
  if (text === undefined) return undefined;
  return text.trim().toLowerCase() === 'all' ? 'all' : parsePlatform(text);
}

export function toleranceFlag(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parsePercent(text, '--tolerance');
}
