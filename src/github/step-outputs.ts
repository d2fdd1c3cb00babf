/**
 * Step outputs of a GitHub Actions step: appended to the file named by `$GITHUB_OUTPUT` in the
 * multi-line form of GitHub's "workflow commands" docs (`name<<DELIMITER`, value, `DELIMITER`), which
 * holds any value; the delimiter is random so no value can end it early.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { ImageDelta } from '../delta/types.js';
import { UsageError } from '../errors.js';
import type { CheckResult } from '../policy/evaluate.js';

export type StepOutputs = Record<string, string>;

export function formatStepOutputs(outputs: StepOutputs): string {
  return Object.entries(outputs)
    .map(([name, value]) => {
      const delimiter = `ghadelimiter_${randomUUID()}`;
      return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
    })
    .join('');
}

export function appendStepOutputs(file: string, outputs: StepOutputs): void {
  try {
    appendFileSync(file, formatStepOutputs(outputs));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`cannot write GITHUB_OUTPUT ${file}: ${reason}`, {
      hint: 'check that the path is writable',
    });
  }
}

/**
 * What `check` tells the rest of the workflow (action.yml maps these to the Action's outputs):
 * verdict `pass`/`fail`, the compressed delta in bytes and in percent of the old size (empty when the
 * old image was empty), the uncompressed delta when every layer was read, and the report file.
 */
export function checkOutputs(
  delta: ImageDelta,
  check: CheckResult,
  reportPath: string | undefined,
): StepOutputs {
  const bytes = delta.totals.compressedDelta;
  const old = delta.old.compressedSize;
  return {
    verdict: check.passed ? 'pass' : 'fail',
    'delta-bytes': String(bytes),
    'delta-percent': old === 0 ? '' : String(Math.round((bytes / old) * 10_000) / 100),
    'uncompressed-delta-bytes':
      delta.totals.uncompressedDelta === undefined ? '' : String(delta.totals.uncompressedDelta),
    'threshold-errors': String(check.findings.filter((f) => f.severity === 'error').length),
    'report-path': reportPath ?? '',
  };
}

/**
 * `--platform all`: the verdict over every platform (fail when one failed), deltas summed over the
 * compared platforms, error findings counted over all of them.
 */
export function checkOutputsAll(
  items: ReadonlyArray<{ delta: ImageDelta; check: CheckResult }>,
  reportPath: string | undefined,
): StepOutputs {
  const sum = (f: (delta: ImageDelta) => number | undefined) =>
    items.reduce<number | undefined>((total, { delta }) => {
      const value = f(delta);
      return total === undefined || value === undefined ? undefined : total + value;
    }, 0);
  const bytes = sum((d) => d.totals.compressedDelta) ?? 0;
  const old = sum((d) => d.old.compressedSize) ?? 0;
  const uncompressed = sum((d) => d.totals.uncompressedDelta);
  return {
    verdict: items.every((i) => i.check.passed) ? 'pass' : 'fail',
    'delta-bytes': String(bytes),
    'delta-percent': old === 0 ? '' : String(Math.round((bytes / old) * 10_000) / 100),
    'uncompressed-delta-bytes': uncompressed === undefined ? '' : String(uncompressed),
    'threshold-errors': String(
      items.reduce((n, i) => n + i.check.findings.filter((f) => f.severity === 'error').length, 0),
    ),
    'report-path': reportPath ?? '',
  };
}
