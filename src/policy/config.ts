/**
 * Check settings from `.layerdelta.yml` (current directory) or `--config FILE`, merged with flags
 * (flags win). Keys use the flag names; unknown keys are an error so a typo never disables a check.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { parsePercent, parseSize } from '../units.js';

/** Limits of `layerdelta check`: fractions for percentages, whole bytes for sizes. */
export interface Thresholds {
  /** Whole image, compressed growth as a fraction of the old size. */
  maxGrowth?: number;
  maxGrowthBytes?: number;
  /** Any changed layer's growth as a fraction of its old size. */
  maxLayerGrowth?: number;
  /** Any new layer's compressed size. */
  maxNewLayerBytes?: number;
  /** Any Go binary's file growth as a fraction of its old size. */
  maxBinaryGrowth?: number;
  /** Any Go binary's file growth (an added binary counts with its whole size). */
  maxBinaryGrowthBytes?: number;
  /** The new image's wasted bytes (written by a layer, hidden by a later one: docs/design.md §11). */
  maxWastedBytes?: number;
  /** Growth of the OS packages' total installed size, as a fraction of the old total... */
  maxPackageGrowth?: number;
  /** ...or in bytes: `max-package-growth` sets one of the two (`10%` or `5MB`). */
  maxPackageGrowthBytes?: number;
  /** The advice's savable bytes in the new image (file bytes, uncompressed). */
  maxSavableBytes?: number;
}

export interface CheckSettings {
  thresholds: Thresholds;
  /** Fraction; undefined when neither file nor flag sets it (the command's default applies). */
  tolerance?: number;
}

type ThresholdKey = keyof Thresholds;

export interface Setting {
  field: ThresholdKey | 'tolerance';
  kind: 'percent' | 'size' | 'size-or-percent';
  /** For size-or-percent: the field a size sets (a percentage sets `field`). */
  bytesField?: ThresholdKey;
  /** One line for --help (the flag of the same name). */
  description: string;
}

/**
 * Setting name (flag and YAML key) → field, kind and meaning: the one list of check settings; `check`'s
 * flags are made from it (cli/check-flags.ts).
 */
export const SETTINGS = {
  tolerance: {
    field: 'tolerance',
    kind: 'percent',
    description: 'A changed layer is significant when it grew or shrank by more than this (default 5%).',
  },
  'max-growth': {
    field: 'maxGrowth',
    kind: 'percent',
    description: 'Fail when the image grows by more than PCT (compressed).',
  },
  'max-growth-bytes': {
    field: 'maxGrowthBytes',
    kind: 'size',
    description: 'Fail when the image grows by more than SIZE (compressed).',
  },
  'max-layer-growth': {
    field: 'maxLayerGrowth',
    kind: 'percent',
    description: 'Fail when any changed layer grows by more than PCT.',
  },
  'max-new-layer-bytes': {
    field: 'maxNewLayerBytes',
    kind: 'size',
    description: 'Fail when any new layer is larger than SIZE (compressed).',
  },
  'max-binary-growth': {
    field: 'maxBinaryGrowth',
    kind: 'percent',
    description: 'Fail when any Go binary grows by more than PCT.',
  },
  'max-binary-growth-bytes': {
    field: 'maxBinaryGrowthBytes',
    kind: 'size',
    description: 'Fail when any Go binary grows (or is added) by more than SIZE.',
  },
  'max-savable-bytes': {
    field: 'maxSavableBytes',
    kind: 'size',
    description:
      'Fail when the advice finds more than SIZE that could be removed from the new image (file bytes, uncompressed).',
  },
  'max-wasted-bytes': {
    field: 'maxWastedBytes',
    kind: 'size',
    description: 'Fail when the new image wastes more than SIZE (bytes a layer wrote and a later one hid).',
  },
  'max-package-growth': {
    field: 'maxPackageGrowth',
    kind: 'size-or-percent',
    bytesField: 'maxPackageGrowthBytes',
    description: "Fail when the OS packages' installed size grows by more than SIZE or PCT.",
  },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

export const DEFAULT_CONFIG_FILE = '.layerdelta.yml';

/** `where` of settings given as command-line flags: errors then name the flag (`--max-growth`). */
export const FROM_FLAGS = 'flags';

/**
 * Parse raw values (strings from flags, strings or numbers from YAML) keyed by setting name. `where`
 * is FROM_FLAGS or the file's path, for error messages.
 */
export function parseSettings(raw: Record<string, unknown>, where: string): CheckSettings {
  const settings: CheckSettings = { thresholds: {} };
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || value === null) continue;
    const setting: Setting | undefined = Object.hasOwn(SETTINGS, name)
      ? SETTINGS[name as SettingName]
      : undefined;
    if (!setting) {
      throw new UsageError(`unknown setting "${name}" in ${where}`, {
        hint: `known settings: ${Object.keys(SETTINGS).join(', ')}`,
      });
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new UsageError(`setting "${name}" in ${where} must be a number or a string, e.g. 10% or 5MB`);
    }
    const label = where === FROM_FLAGS ? `--${name}` : `${name} in ${where}`;
    if (setting.kind === 'size-or-percent' && setting.bytesField && setting.field !== 'tolerance') {
      // `10%` limits the ratio, anything else is a size; the last one given (flags after file) wins.
      const isPercent = String(value).trim().endsWith('%');
      delete settings.thresholds[isPercent ? setting.bytesField : setting.field];
      if (isPercent) settings.thresholds[setting.field] = parsePercent(value, label);
      else settings.thresholds[setting.bytesField] = parseSize(value, label);
      continue;
    }
    const parsed = setting.kind === 'percent' ? parsePercent(value, label) : parseSize(value, label);
    if (setting.field === 'tolerance') settings.tolerance = parsed;
    else settings.thresholds[setting.field] = parsed;
  }
  return settings;
}

/**
 * Read `file` (an explicit `--config`, which must exist) or `.layerdelta.yml` in `cwd` (optional).
 * Returns empty settings when there is no file.
 */
export function loadConfigFile(file: string | undefined, cwd: string = process.cwd()): CheckSettings {
  const path = resolve(cwd, file ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(path)) {
    if (file === undefined) return { thresholds: {} };
    throw new UsageError(`config file ${file} not found`, { hint: 'check the --config path' });
  }
  let document: unknown;
  try {
    // Loaded only when there is a file to read: every command imports this module for its flags, and
    // the YAML parser is ~70 modules of start-up (docs/design.md §8).
    const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
    document = yaml.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`cannot parse ${path}: ${reason}`, { hint: 'fix the YAML syntax' });
  }
  if (document === null || document === undefined) return { thresholds: {} };
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new UsageError(`${path} must be a mapping of settings, e.g. "max-growth: 10%"`);
  }
  return parseSettings(document as Record<string, unknown>, path);
}

/** File settings overridden by flag settings, field by field. */
export function mergeSettings(file: CheckSettings, flags: CheckSettings): CheckSettings {
  const fromFile = { ...file.thresholds };
  // max-package-growth is one setting with two forms: the flag's form replaces the file's.
  if (
    flags.thresholds.maxPackageGrowth !== undefined ||
    flags.thresholds.maxPackageGrowthBytes !== undefined
  ) {
    delete fromFile.maxPackageGrowth;
    delete fromFile.maxPackageGrowthBytes;
  }
  const merged: CheckSettings = { thresholds: { ...fromFile, ...flags.thresholds } };
  const tolerance = flags.tolerance ?? file.tolerance;
  if (tolerance !== undefined) merged.tolerance = tolerance;
  return merged;
}
