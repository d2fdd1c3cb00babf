/**
 * What `check` does after its report is out (pull-request comment, metrics push): every step runs even
 * when an earlier one failed, so a GitHub outage never costs the metrics nor the other way round.
 * A crossed threshold (exit 1) wins over their failures, which are still said on stderr; otherwise
 * the first failure's exit code is the command's, and later ones are said on stderr.
 */
import { LayerdeltaError } from '../errors.js';

export async function runAfterReport(steps: Array<() => Promise<void>>, passed: boolean): Promise<void> {
  const failures: LayerdeltaError[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      if (!(error instanceof LayerdeltaError)) throw error;
      failures.push(error);
    }
  }
  const [first, ...rest] = passed ? failures : [undefined, ...failures];
  for (const error of rest) if (error) process.stderr.write(`layerdelta: ${error.oneLine()}\n`);
  if (first) throw first;
}
