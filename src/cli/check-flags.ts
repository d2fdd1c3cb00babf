/** `check`'s threshold flags, made from policy's settings table so that the two never drift apart. */
import { Flags, type Interfaces } from '@oclif/core';
import {
  type CheckSettings,
  FROM_FLAGS,
  parseSettings,
  SETTINGS,
  type SettingName,
} from '../policy/config.js';

type ThresholdName = Exclude<SettingName, 'tolerance'>;

/** A setting's flag: the value stays text here; policy parses it (percent or size) with the file's rules. */
export function settingFlag(name: SettingName): Interfaces.OptionFlag<string | undefined> {
  const setting = SETTINGS[name];
  return Flags.string({
    description: setting.description,
    helpValue: setting.kind === 'percent' ? 'PCT' : 'SIZE',
  });
}

const THRESHOLD_NAMES = (Object.keys(SETTINGS) as SettingName[]).filter(
  (name): name is ThresholdName => name !== 'tolerance',
);

export const thresholdFlags = Object.fromEntries(
  THRESHOLD_NAMES.map((name) => [name, settingFlag(name)]),
) as {
  [K in ThresholdName]: Interfaces.OptionFlag<string | undefined>;
};

/** Every setting given as a flag (thresholds and --tolerance), parsed: a typo fails here with exit 2. */
export function settingsFromFlags(flags: { [K in SettingName]?: string | undefined }): CheckSettings {
  const raw = Object.fromEntries((Object.keys(SETTINGS) as SettingName[]).map((name) => [name, flags[name]]));
  return parseSettings(raw, FROM_FLAGS);
}
