/**
 * In-process twin of a CLI failure check (test/hostile/support.ts expectOneLine): the line and exit
 * code the command would end with for what `action` throws, through failureOf and oneLineText, the
 * functions every command's catch uses (src/cli/base-command.ts). For the cases of a parameterised test
 * that take the same path as one case kept through the built CLI: no Node start-up per case.
 */
import { expect } from 'vitest';
import { failureOf } from '../../src/cli/base-command.js';
import { oneLineText } from '../../src/errors.js';

/** `action` fails; its line (`layerdelta: …`, one line) matches `message`; its exit code is `exitCode`. */
export async function expectFailure(
  action: () => unknown,
  exitCode: number,
  message: RegExp,
): Promise<string> {
  let thrown: unknown;
  let threw = false;
  try {
    await action();
  } catch (error) {
    thrown = error;
    threw = true;
  }
  expect(threw, 'the action did not fail').toBe(true);
  const failure = failureOf(thrown);
  expect(failure, String(thrown)).toBeDefined();
  const line = `layerdelta: ${oneLineText(failure?.line ?? '')}`;
  expect(line).not.toContain('\n');
  expect(line).toMatch(message);
  expect(failure?.exitCode, line).toBe(exitCode);
  return line;
}
