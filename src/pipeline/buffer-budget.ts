/**
 * One bound on the bytes held to analyse binaries, across every layer read at the same time
 * (docs/design.md §11, "Memory"): an ELF file is parsed whole, so each is buffered, and four layers read
 * at once could each hold a 511 MB file. A read leases a buffer before filling it; a lease that does not
 * fit waits for others to be returned, and gives up after `waitMs` (the caller then reports the binary as
 * not analysed, rather than stall its download past the registry's idle timeout or run out of memory).
 * Returned buffers are kept for the next lease: most layers hold binaries of similar sizes.
 *
 * Layer reads run on several threads (src/layer/read-pool.ts); the count of allocated bytes lives in a
 * SharedArrayBuffer that every thread's budget adds to and takes from atomically, so the bound holds for
 * the process. A thread waiting for room is woken by its own thread's releases, and polls for the others'.
 */

/** Default bound: two binaries of the largest size buffered at all (512 MiB each). */
export const DEFAULT_BUFFER_BUDGET = 1024 * 1024 * 1024;
/** Below the registry idle timeout (30 s), so a download held back by a wait never stalls. */
const DEFAULT_WAIT_MS = 10_000;
/** How often a waiting lease looks again for bytes another thread may have returned. */
const POLL_MS = 100;

export interface BufferLease {
  /** At least the size asked for (a returned buffer may be reused); use `subarray(0, size)`. */
  buffer: Buffer;
  /** Give the bytes back; the lease's buffer must not be used after. */
  release(): void;
}

export class BufferBudget {
  /** Bytes allocated through the budget on every thread that shares it: leased and kept for reuse. */
  private readonly allocated: BigInt64Array;
  private readonly spare: Buffer[] = [];
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly limit: number = DEFAULT_BUFFER_BUDGET,
    private readonly waitMs: number = DEFAULT_WAIT_MS,
    /** The shared count (`counter` of another thread's budget); a new one when absent. */
    counter: SharedArrayBuffer = new SharedArrayBuffer(8),
  ) {
    this.allocated = new BigInt64Array(counter);
  }

  /** The shared count, for a budget on another thread (`new BufferBudget(limit, wait, counter)`). */
  get counter(): SharedArrayBuffer {
    return this.allocated.buffer as SharedArrayBuffer;
  }

  /** A buffer of at least `size` bytes, or undefined when the budget cannot hold it (now or within the wait). */
  async lease(size: number): Promise<BufferLease | undefined> {
    if (size > this.limit) return undefined;
    const giveUp = Date.now() + this.waitMs;
    for (;;) {
      const buffer = this.take(size);
      if (buffer) return this.leaseOf(buffer);
      const left = giveUp - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, POLL_MS));
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiting.push(done);
      });
    }
  }

  /** Bytes allocated now on every thread (leased and spare): never more than `limit`. */
  get bytesAllocated(): number {
    return Number(Atomics.load(this.allocated, 0));
  }

  private take(size: number): Buffer | undefined {
    // The smallest spare buffer that is large enough.
    let best = -1;
    for (const [i, b] of this.spare.entries()) {
      if (b.length >= size && (best < 0 || b.length < this.spare[best]!.length)) best = i;
    }
    if (best >= 0) return this.spare.splice(best, 1)[0];
    // Drop spare buffers (smallest first) until a new one fits.
    this.spare.sort((a, b) => a.length - b.length);
    let reserved = this.reserve(size);
    while (!reserved && this.spare.length > 0) {
      Atomics.sub(this.allocated, 0, BigInt(this.spare.shift()!.length));
      reserved = this.reserve(size);
    }
    return reserved ? Buffer.allocUnsafe(size) : undefined;
  }

  /** Add `size` to the shared count if the bound allows it (compare-and-swap: other threads add too). */
  private reserve(size: number): boolean {
    const limit = BigInt(this.limit);
    for (;;) {
      const now = Atomics.load(this.allocated, 0);
      if (now + BigInt(size) > limit) return false;
      if (Atomics.compareExchange(this.allocated, 0, now, now + BigInt(size)) === now) return true;
    }
  }

  private leaseOf(buffer: Buffer): BufferLease {
    let released = false;
    return {
      buffer,
      release: () => {
        if (released) return;
        released = true;
        this.spare.push(buffer);
        // Everyone waiting tries again; those that still do not fit wait on.
        for (const wake of this.waiting.splice(0)) wake();
      },
    };
  }
}

let shared: BufferBudget | undefined;

/**
 * The process's one budget, so every layer read of a run shares it. LAYERDELTA_BINARY_BUFFER_BYTES
 * overrides the bound (a smaller machine, or tests). A worker thread passes the main thread's `counter`
 * (read-pool.ts hands it over at start) so that both count against the same bound.
 */
export function sharedBufferBudget(
  env: NodeJS.ProcessEnv = process.env,
  counter?: SharedArrayBuffer,
): BufferBudget {
  if (!shared) {
    const configured = Number(env.LAYERDELTA_BINARY_BUFFER_BYTES);
    shared = new BufferBudget(
      Number.isSafeInteger(configured) && configured > 0 ? configured : DEFAULT_BUFFER_BUDGET,
      DEFAULT_WAIT_MS,
      counter,
    );
  }
  return shared;
}
