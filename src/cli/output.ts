/**
 * stdout, where reports go. Two ways a report is lost (docs/hostile-input.md, exit paths):
 * - a write that fails (a full disk): one line and exit 2, not a stack trace or the threshold code 1;
 *   the failure surfaces as an 'error' event, at once for a file, later for a pipe. A reader that
 *   closed the pipe (EPIPE, `| head`) is no failure: the rest of the report is dropped quietly;
 * - a run that exits before a slow reader has read it all: oclif ends failures with process.exit(),
 *   which drops whatever a pipe has not taken yet (all but the first 64 KiB), so every command
 *   waits for stdout and stderr to drain before it ends (BaseCommand.finally).
 */
import { UsageError } from '../errors.js';

let failed: NodeJS.ErrnoException | undefined;
/** The failure was thrown already (and said by BaseCommand.catch). */
let thrown = false;
let watching = false;

/** Write `text` (a report) to stdout; a failed write is a UsageError. */
export function writeOut(text: string): void {
  watchStdout();
  try {
    process.stdout.write(text);
  } catch (error) {
    failed ??= error as NodeJS.ErrnoException;
  }
  if (failed) {
    thrown = true;
    throw outputError(failed);
  }
}

/**
 * Wait until stdout and stderr have drained; then the failure of a write that surfaced only now
 * (a pipe), unless it was thrown already.
 */
export async function drainOutput(): Promise<UsageError | undefined> {
  // A write's error is emitted on a later tick, even a file's: let it arrive.
  await new Promise((resolve) => setImmediate(resolve));
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  if (!failed || thrown) return undefined;
  thrown = true;
  return outputError(failed);
}

function watchStdout(): void {
  if (watching) return;
  watching = true;
  // oclif's own listener rethrows every error but EPIPE: an uncaught exception with a stack trace
  // (a full disk's ENOSPC is emitted as an event too). Ours records it for one line instead.
  process.stdout.removeAllListeners('error');
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    // The reader stopped reading (`| head`): its choice, not a failure; quiet, as oclif has it.
    if (error.code === 'EPIPE') return;
    failed ??= error;
  });
}

/** Resolves once everything written so far has left the process (or the stream failed). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableEnded || stream.writableLength === 0) return Promise.resolve();
  // Writes complete in order: the callback of an empty write runs after every earlier one.
  return new Promise((resolve) => {
    try {
      stream.write('', () => resolve());
    } catch {
      resolve();
    }
  });
}

function outputError(error: NodeJS.ErrnoException): UsageError {
  const reason = error.code ?? 'error';
  return new UsageError(`cannot write the report to stdout: ${reason}${explain(reason)}`, {
    hint: 'free space where stdout goes, or redirect it elsewhere',
    cause: error,
  });
}

function explain(code: string): string {
  if (code === 'ENOSPC') return ' (no space left on device)';
  if (code === 'EDQUOT') return ' (disk quota exceeded)';
  if (code === 'EFBIG') return ' (file too large)';
  return '';
}
