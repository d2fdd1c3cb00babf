/**
 * The JOB_COMPLETIONS trap of deploy/kubernetes/scan-job.yaml: Kubernetes gives each pod its
 * JOB_COMPLETION_INDEX but not spec.completions, so the Job repeats the count by hand. A copy smaller
 * than spec.completions leaves pods whose index reaches it: they fail at once (exit 2, one line naming
 * both variables, podFailurePolicy fails the index) instead of scanning a shard that does not exist.
 * Through the built CLI; nothing is contacted (the check comes before the first request).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ensureBuilt, ROOT, runCli } from '../commands/cli.js';

interface Job {
  kind: string;
  spec: {
    completions: number;
    podFailurePolicy: { rules: Array<{ action: string; onExitCodes: { values: number[] } }> };
  };
}

const job = parseAllDocuments(readFileSync(join(ROOT, 'deploy/kubernetes/scan-job.yaml'), 'utf8'))
  .map((d) => d.toJS() as Job)
  .find((d) => d.kind === 'Job')!;

beforeAll(ensureBuilt, 120_000);

describe('scan under an Indexed Job', () => {
  it('fails the pods whose index is not below a JOB_COMPLETIONS smaller than spec.completions', async () => {
    const completions = job.spec.completions;
    expect(completions).toBeGreaterThan(1);
    const stale = String(completions - 1); // the count before someone raised spec.completions
    const runs = await Promise.all(
      Array.from({ length: completions }, (_, index) =>
        runCli(['scan', '127.0.0.1:9', '--json'], {
          env: { JOB_COMPLETION_INDEX: String(index), JOB_COMPLETIONS: stale },
          timeoutMs: 60_000,
        }),
      ),
    );
    const last = runs[completions - 1]!;
    expect(last.status).toBe(2);
    expect(last.stdout).toBe('');
    expect(last.stderr.trim().split('\n')).toEqual([
      `layerdelta: JOB_COMPLETION_INDEX=${completions - 1} is not below JOB_COMPLETIONS=${stale}: JOB_COMPLETIONS must equal the Job's spec.completions`,
    ]);
    // The other pods get past the shard check and fail on the registry (nothing listens on port 9): exit 3.
    for (const run of runs.slice(0, -1)) expect(run.status, run.stderr).toBe(3);
    // Exit 2 is the one the Job does not retry: the index fails at once, visibly.
    const failIndex = job.spec.podFailurePolicy.rules.find((r) => r.action === 'FailIndex')!;
    expect(failIndex.onExitCodes.values).toContain(2);
  }, 180_000);
});
