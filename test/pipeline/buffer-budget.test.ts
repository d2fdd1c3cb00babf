/** The one bound on buffered binary bytes (src/pipeline/buffer-budget.ts). */

import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { BufferBudget } from '../../src/pipeline/buffer-budget.js';

describe('BufferBudget', () => {
  it('never allocates past its limit: a lease that does not fit waits for a release', async () => {
    const budget = new BufferBudget(100, 60_000);
    const first = await budget.lease(60);
    expect(first?.buffer.length).toBe(60);
    let second: Awaited<ReturnType<BufferBudget['lease']>>;
    const waiting = budget.lease(70).then((l) => {
      second = l;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(second).toBeUndefined();
    expect(budget.bytesAllocated).toBe(60);
    first!.release();
    await waiting;
    expect(second!.buffer.length).toBeGreaterThanOrEqual(70);
    expect(budget.bytesAllocated).toBeLessThanOrEqual(100);
  });

  it('reuses a returned buffer that is large enough', async () => {
    const budget = new BufferBudget(100, 0);
    const a = await budget.lease(50);
    a!.release();
    const b = await budget.lease(40);
    expect(b!.buffer).toBe(a!.buffer);
    expect(budget.bytesAllocated).toBe(50);
  });

  it('gives up after its wait, and at once for more than the limit', async () => {
    const budget = new BufferBudget(100, 20);
    const held = await budget.lease(80);
    expect(await budget.lease(30)).toBeUndefined();
    expect(await budget.lease(101)).toBeUndefined();
    held!.release();
    expect(await budget.lease(30)).toBeDefined();
  });

  it('one bound across threads: a budget on another thread that shares the counter counts against it', async () => {
    const budget = new BufferBudget(100, 60_000);
    // Another thread takes 80 bytes of the shared count (what a worker's budget does when it leases).
    const worker = new Worker(
      'const { workerData, parentPort } = require("node:worker_threads");' +
        'Atomics.add(new BigInt64Array(workerData), 0, 80n); parentPort.postMessage("held");' +
        'parentPort.once("message", () => { Atomics.sub(new BigInt64Array(workerData), 0, 80n); parentPort.postMessage("freed"); });',
      { eval: true, workerData: budget.counter },
    );
    const next = () => new Promise((resolve) => worker.once('message', resolve));
    expect(await next()).toBe('held');
    expect(budget.bytesAllocated).toBe(80);
    let lease: Awaited<ReturnType<BufferBudget['lease']>>;
    const waiting = budget.lease(30).then((l) => {
      lease = l;
    });
    await new Promise((r) => setTimeout(r, 250));
    expect(lease).toBeUndefined();
    worker.postMessage('free');
    expect(await next()).toBe('freed');
    await waiting;
    expect(lease!.buffer.length).toBe(30);
    expect(budget.bytesAllocated).toBe(30);
    await worker.terminate();
  });
});
