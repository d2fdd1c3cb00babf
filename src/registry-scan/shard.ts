import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';

/** One machine's share of a registry-wide scan: repositories whose name hash falls in `index`. */
export interface Shard {
  /** 0-based, like Kubernetes' JOB_COMPLETION_INDEX. */
  index: number;
  count: number;
}

/**
 * Parse `I/N` (0 <= I < N). `source` names where the text came from, so the message points at what
 * to fix: the flag, or the Kubernetes variables it was built from.
 */
export function parseShard(text: string, source = `--shard "${text}"`): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) throw new UsageError(`invalid ${source}`, { hint: 'expected I/N, e.g. 0/4 (I counts from 0)' });
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) throw new UsageError(`invalid ${source}: N must be at least 1`, { hint: 'e.g. 0/4' });
  if (index >= count) {
    throw new UsageError(`invalid ${source}: I must be in 0..N-1`, { hint: 'e.g. 0/4, 1/4, 2/4, 3/4' });
  }
  return { index, count };
}

/**
 * The shard from the flag, else from a Kubernetes Indexed Job: JOB_COMPLETION_INDEX is set by
 * Kubernetes; the completion count is not exposed to pods, so the Job passes it as JOB_COMPLETIONS
 * (see deploy/kubernetes/). Without either, the whole registry is one shard.
 */
export function resolveShard(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Shard {
  if (flag) return parseShard(flag);
  const index = env.JOB_COMPLETION_INDEX;
  if (index !== undefined && index !== '') {
    const count = env.JOB_COMPLETIONS;
    if (!count) {
      throw new UsageError('JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not', {
        hint: 'set JOB_COMPLETIONS to the Job spec.completions, or pass --shard I/N',
      });
    }
    // The count is a hand-made copy of spec.completions (no downward API field holds it). A copy that
    // is too small shows here, in the pods whose index reaches it; one that is too large cannot be seen
    // from a pod (its extra shards are never scanned), so the shipped Job is checked by a test.
    if (/^\d+$/.test(index) && /^\d+$/.test(count) && Number(index) >= Number(count)) {
      throw new UsageError(
        `JOB_COMPLETION_INDEX=${index} is not below JOB_COMPLETIONS=${count}: JOB_COMPLETIONS must equal the Job's spec.completions`,
      );
    }
    return parseShard(
      `${index}/${count}`,
      `shard from JOB_COMPLETION_INDEX="${index}" and JOB_COMPLETIONS="${count}"`,
    );
  }
  return { index: 0, count: 1 };
}

/** Deterministic: the same name lands in the same shard on every machine and every run. */
export function shardOf(repository: string, count: number): number {
  const head = createHash('sha256').update(repository).digest().readUInt32BE(0);
  return head % count;
}

export function inShard(repository: string, shard: Shard): boolean {
  return shard.count === 1 || shardOf(repository, shard.count) === shard.index;
}
