/** Bounded concurrency, one implementation for every fan-out of a run (blobs, tags, repositories). */

/** At most `size` tasks at a time, started in the order they were asked for. */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.size) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next waiter, so no newcomer can slip in between.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** `map` with at most `limit` calls in flight; results in input order; the first failure rejects. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const limiter = new Limiter(Math.max(1, limit));
  return await Promise.all(items.map((item, index) => limiter.run(() => fn(item, index))));
}
