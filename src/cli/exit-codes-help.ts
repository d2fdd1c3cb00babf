/**
 * The exit-code paragraph of a command's --help: only the codes that command can return
 * (docs/design.md §5), each with what it means there.
 */
import { ExitCode } from '../errors.js';

const MEANING: Record<ExitCode, string> = {
  [ExitCode.ok]: 'ok',
  [ExitCode.threshold]: 'a threshold crossed',
  [ExitCode.usage]: 'usage or bad input (also: the report could not be written)',
  [ExitCode.registry]: 'registry/network failure',
  [ExitCode.metricsPush]: 'metrics push failed (report still written)',
  [ExitCode.internal]: 'internal error (a bug in layerdelta: please report it)',
};

export function exitCodesHelp(codes: ExitCode[], meaning: Partial<Record<ExitCode, string>> = {}): string {
  return `Exit codes: ${codes.map((code) => `${code} ${meaning[code] ?? MEANING[code]}`).join(', ')}.`;
}
