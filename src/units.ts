/**
 * Byte sizes and percentages, both ways: parsing what users write in flags and `.layerdelta.yml`, and
 * formatting for every report and check message. SI units like Docker (1 kB = 1000 B) unless the
 * user writes KiB/MiB/GiB.
 */
import { UsageError } from './errors.js';

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
  const bytes = Math.round(Number(match[1]) * factor);
  // `1e999`-sized inputs (Infinity) and anything past 2^53 cannot be compared exactly: refuse them.
  if (!Number.isSafeInteger(bytes)) {
    throw new UsageError(`size "${text}" for ${what} is too large`, { hint: 'write at most 8 PB' });
  }
  return bytes;
}

/** `5%`, `5`, `0.5%` → a fraction (0.05, 0.05, 0.005). `what` names the setting in errors. */
export function parsePercent(input: string | number, what: string): number {
  const text = String(input).trim();
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*%?$/.exec(text);
  if (!match) {
    throw new UsageError(`invalid percentage "${text}" for ${what}`, { hint: 'write e.g. 5% or 12.5%' });
  }
  const fraction = Number(match[1]) / 100;
  // Thresholds are compared in parts per million as integers: keep them finite and exact.
  if (!(fraction <= MAX_PERCENT / 100)) {
    throw new UsageError(`percentage "${text}" for ${what} is too large`, {
      hint: `write at most ${MAX_PERCENT}%`,
    });
  }
  return fraction;
}

/** A million percent: far beyond any useful threshold, well inside exact integer arithmetic. */
export const MAX_PERCENT = 1_000_000;

const SI_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** Bytes in SI units with three significant digits: `999 B`, `1.5 kB`, `6.29 MB`, `140 MB`. */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1000 && unit < SI_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${sign}${Math.round(value)} B`;
  let digits = Number(value.toPrecision(3));
  // 999.95 kB rounds to 1000 kB: say 1 MB instead.
  if (digits >= 1000 && unit < SI_UNITS.length - 1) {
    digits = Number((digits / 1000).toPrecision(3));
    unit++;
  }
  return `${sign}${digits} ${SI_UNITS[unit]}`;
}

/** A signed byte delta: `+6.3 MB`, `-512 B`, `0 B`. */
export function formatDelta(bytes: number): string {
  return bytes > 0 ? `+${formatBytes(bytes)}` : formatBytes(bytes);
}

/**
 * A signed percentage from a fraction: 1.4 → `+140%`, 0.052 → `+5.2%`, -0.003 → `-0.3%`, 0 → `0%`.
 * Two significant digits below 10%, whole numbers above; `n/a` for a missing or infinite ratio.
 */
export function formatPercent(fraction: number | undefined): string {
  if (fraction === undefined || !Number.isFinite(fraction)) return 'n/a';
  const percent = fraction * 100;
  if (percent === 0) return '0%';
  const magnitude = Math.abs(percent);
  let text: string;
  if (magnitude >= 10) text = String(Math.round(magnitude));
  else if (magnitude >= 0.1) text = String(Number(magnitude.toFixed(1)));
  else if (magnitude >= 0.01) text = String(Number(magnitude.toFixed(2)));
  else text = '<0.01';
  return `${percent > 0 ? '+' : '-'}${text}%`;
}

/** The change as a fraction of the old value; undefined when the old value is 0. */
export function changeRatio(oldValue: number, newValue: number): number | undefined {
  return oldValue === 0 ? undefined : (newValue - oldValue) / oldValue;
}

/** A limit fraction as the user wrote it, unsigned: 0.05 → `5%`, 0.125 → `12.5%`. */
export function formatLimitPercent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(6))}%`;
}

/** A tolerance fraction: 0.05 → `±5%`. */
export function formatTolerance(tolerance: number): string {
  return `±${formatLimitPercent(tolerance)}`;
}
