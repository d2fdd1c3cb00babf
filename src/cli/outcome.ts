/**
 * The end of every command that publishes (metrics file, Pushgateway, pull-request comment, GitHub
 * step summary): every step runs even when an earlier one failed, so an unwritable --metrics-file
 * never costs the push nor a GitHub outage the metrics. Each failure is one line on stderr. The
 * run's own verdict (1: a threshold crossed; 3: repositories failed in a scan) wins over the steps'
 * failures: the image, not the metrics, is what CI gates on; otherwise the first failure's code
 * (4: push failed, 2: a file not writable, 3: GitHub). The report is out before any step, so no
 * step failure loses it.
 */
import { ExitCode, LayerdeltaError } from '../errors.js';

export type PublishStep = () => Promise<void> | void;

export async function publishThenExit(
  steps: readonly PublishStep[],
  verdict: ExitCode = ExitCode.ok,
): Promise<void> {
  const failures: LayerdeltaError[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      if (!(error instanceof LayerdeltaError)) throw error;
      failures.push(error);
    }
  }
  for (const failure of failures) process.stderr.write(`layerdelta: ${failure.oneLine()}\n`);
  const code = verdict !== ExitCode.ok ? verdict : (failures[0]?.exitCode ?? ExitCode.ok);
  // exitCode rather than exit(): the process ends once stdout is flushed, even on a slow pipe.
  if (code !== ExitCode.ok) process.exitCode = code;
}
