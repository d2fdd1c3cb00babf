/** Shared checks for the hostile-input tests (docs/hostile-input.md): one line, its exit code, no hang. */
import { expect } from 'vitest';
import type { CliResult } from '../commands/cli.js';

/** The run ended by itself (runCli kills it after its timeout: status null) with `exitCode` and one line. */
export function expectOneLine(result: CliResult, exitCode: number, message: RegExp): void {
  expect(result.status, `killed after the timeout (a hang); stderr: ${result.stderr}`).not.toBeNull();
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^layerdelta: /);
  expect(lines[0]).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.status, result.stderr).toBe(exitCode);
}
