/** Parsing the sizes and percentages users write in flags and `.layerdelta.yml`. */
import { UsageError } from '../errors.js';

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/**
 * `5MB`, `500kB`, `1.5GiB`, `1234` (bytes) → whole bytes. SI units are powers of 1000 (like Docker),
 * `KiB`/`MiB`/`GiB` powers of 1024; unit letters are case-insensitive. `what` names the setting in errors.
 */
export function parseSize(input: string | number, what: string): number {
  const text = String(input).trim();
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)$/i.exec(text);
  const factor = match ? SIZE_UNITS[(match[2] || 'b').toLowerCase()] : undefined;
  if (!match || factor === undefined) {
    throw new UsageError(`invalid size "${text}" for ${what}`, {
      hint: 'write bytes or a number with a unit, e.g. 500kB, 5MB, 1.5GiB',
    });
  }
  return Math.round(Number(match[1]) * factor);
}

/** `5%`, `5`, `0.5%` → a fraction (0.05, 0.05, 0.005). `what` names the setting in errors. */
export function parsePercent(input: string | number, what: string): number {
  const text = String(input).trim();
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*%?$/.exec(text);
  if (!match) {
    throw new UsageError(`invalid percentage "${text}" for ${what}`, { hint: 'write e.g. 5% or 12.5%' });
  }
  return Number(match[1]) / 100;
}
