/**
 * The end of every command that publishes metrics: publish after the report is written, then settle
 * the exit code. The run's own verdict (1: a threshold crossed; 3: repositories failed in a scan)
 * wins over a failed push (4), which is still said on stderr: the image, not the metrics, is what
 * CI gates on, and the report is never lost to a push failure.
 */
import { ExitCode, MetricsPushError } from '../errors.js';

export async function publishThenExit(
  publish: () => Promise<void>,
  verdict: ExitCode = ExitCode.ok,
): Promise<void> {
  let code: ExitCode = verdict;
  try {
    await publish();
  } catch (error) {
    if (!(error instanceof MetricsPushError)) throw error;
    process.stderr.write(`layerdelta: ${error.oneLine()}\n`);
    if (code === ExitCode.ok) code = ExitCode.metricsPush;
  }
  // exitCode rather than exit(): the process ends once stdout is flushed, even on a slow pipe.
  if (code !== ExitCode.ok) process.exitCode = code;
}
