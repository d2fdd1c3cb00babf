import { describe, expect, it } from 'vitest';
import { Limiter, mapBounded } from '../../src/pipeline/limiter.js';

/** A task that stays in flight until released, recording how many run at once. */
function gate() {
  let active = 0;
  let peak = 0;
  const releases: Array<() => void> = [];
  const task = async <T>(value: T): Promise<T> => {
    active++;
    peak = Math.max(peak, active);
    await new Promise<void>((resolve) => releases.push(resolve));
    active--;
    return value;
  };
  return {
    task,
    peak: () => peak,
    releaseAll: () => {
      for (const release of releases.splice(0)) release();
    },
    started: () => releases.length,
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Limiter and mapBounded', () => {
  it('runs at most N tasks at once, starting them in the order asked', async () => {
    const g = gate();
    const limiter = new Limiter(2);
    const order: number[] = [];
    const all = Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        limiter.run(() => {
          order.push(n);
          return g.task(n);
        }),
      ),
    );
    await settle();
    expect(g.started()).toBe(2);
    while (order.length < 5 || g.started() > 0) {
      g.releaseAll();
      await settle();
    }
    expect(await all).toEqual([1, 2, 3, 4, 5]);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(g.peak()).toBe(2);
  });

  it('mapBounded keeps input order and rejects with the first failure', async () => {
    const g = gate();
    const mapped = mapBounded([10, 20, 30, 40], 3, (n, i) => g.task(n + i));
    await settle();
    expect(g.started()).toBe(3);
    while (g.started() > 0) {
      g.releaseAll();
      await settle();
    }
    expect(await mapped).toEqual([10, 21, 32, 43]);
    expect(g.peak()).toBe(3);
    await expect(
      mapBounded([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error('two failed');
        return n;
      }),
    ).rejects.toThrow('two failed');
  });
});
