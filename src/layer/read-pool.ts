/**
 * The layer read on all cores (docs/design.md §8): the main thread and one worker thread per further core,
 * each running `readLayer` (read.ts) on one layer at a time. The main thread keeps every download (HTTP, the blob's
 * digest check, progress) and posts the stored bytes; the worker decompresses, walks the tar, hashes the
 * tar (diff_id), analyses Go executables and posts back the LayerRead: ELF buffers never leave the worker,
 * only the reports do. Output, errors and bounded memory are those of `readLayer` in-process.
 *
 * Protocol, per layer: main → `start`, `chunk`…, then `end` (or `abort` when the download failed);
 * worker → one `ack` per chunk its read consumed (main pauses the download while more than IN_FLIGHT bytes
 * are unacknowledged), then `done` or `failed`.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ContentError, ErrorCode, LayerdeltaError } from '../errors.js';
import { sharedBufferBudget } from '../pipeline/buffer-budget.js';
import type { Descriptor } from '../source/types.js';
import { type ReadLayerOptions, readLayer } from './read.js';
import type { LayerRead } from './types.js';

/** Options that cross to the worker (callbacks stay on the main thread). */
type WorkerReadOptions = Omit<ReadLayerOptions, 'onBytes'>;

export type ToWorker =
  | { type: 'start'; descriptor: Descriptor; options: WorkerReadOptions }
  | { type: 'chunk'; data: Uint8Array }
  | { type: 'end' }
  | { type: 'abort'; message: string };

export type FromWorker =
  | { type: 'ack'; bytes: number }
  | { type: 'done'; layer: LayerRead }
  | { type: 'failed'; message: string; code?: ErrorCode; hint?: string };

/** What a worker is started with. */
export interface ReadWorkerData {
  budgetCounter: SharedArrayBuffer;
}

/** Stored bytes posted but not yet consumed by the worker before the download is paused. */
const IN_FLIGHT = 4 * 1024 * 1024;

function runJob(
  worker: Worker,
  blob: Readable,
  descriptor: Descriptor,
  options: ReadLayerOptions,
  broken: () => void,
): Promise<LayerRead> {
  const { onBytes, ...workerOptions } = options;
  return new Promise<LayerRead>((resolve, reject) => {
    let inFlight = 0;
    let blobEnded = false;
    let blobError: unknown;

    const abort = (error: unknown) => {
      if (blobError !== undefined || blobEnded) return;
      blobError = error;
      worker.postMessage({ type: 'abort', message: error instanceof Error ? error.message : String(error) });
    };
    const onData = (chunk: Buffer) => {
      onBytes?.(chunk.length);
      inFlight += chunk.length;
      // A copy of exactly the chunk's bytes, moved (not cloned again) to the worker: the chunk may be a
      // view into a larger buffer the source still owns.
      const data = new Uint8Array(chunk);
      worker.postMessage({ type: 'chunk', data } satisfies ToWorker, [data.buffer]);
      if (inFlight > IN_FLIGHT) blob.pause();
    };
    const onEnd = () => {
      blobEnded = true;
      worker.postMessage({ type: 'end' } satisfies ToWorker);
    };
    // A source closed before its end without an error: what stream.pipeline reports in-process.
    const onClose = () => abort(new Error('Premature close'));
    const onMessage = (message: FromWorker) => {
      if (message.type === 'ack') {
        inFlight -= message.bytes;
        if (inFlight <= IN_FLIGHT / 2 && blob.isPaused() && !blobEnded) blob.resume();
        return;
      }
      finish();
      if (blobError instanceof LayerdeltaError) reject(blobError);
      else if (message.type === 'done') resolve(message.layer);
      else reject(workerError(message));
    };
    const onCrash = (error: Error) => {
      broken();
      finish();
      reject(new Error(`the layer read thread failed: ${error.message}`, { cause: error }));
    };
    const onExit = (code: number) => onCrash(new Error(`exited with code ${code}`));
    const finish = () => {
      blob.off('data', onData).off('end', onEnd).off('error', abort).off('close', onClose);
      worker.off('message', onMessage).off('error', onCrash).off('exit', onExit);
      if (!blobEnded) {
        blob.on('error', () => {});
        blob.destroy();
      }
    };

    worker.on('message', onMessage).on('error', onCrash).on('exit', onExit);
    worker.postMessage({ type: 'start', descriptor, options: workerOptions } satisfies ToWorker);
    blob.on('data', onData).on('end', onEnd).on('error', abort).on('close', onClose);
  });
}

/** The worker's error as `readLayer` would have thrown it in-process. */
function workerError(message: Extract<FromWorker, { type: 'failed' }>): Error {
  if (message.code === undefined) return new Error(message.message);
  return new ContentError(message.message, {
    code: message.code ?? ErrorCode.LAYER_CORRUPT,
    ...(message.hint !== undefined ? { hint: message.hint } : {}),
  });
}

type Slot = { kind: 'main' } | { kind: 'worker'; worker: Worker };

export interface ReadPoolOptions {
  /** Worker threads at most (started on demand). */
  workers: number;
  /** The main thread reads one layer itself, as one more slot (default true). */
  mainThread?: boolean;
}

/**
 * Where layer reads run: the main thread (one layer at a time) and worker threads started on demand,
 * kept for the next layer and unreferenced while idle so they never keep the process alive. A worker
 * costs a Node bootstrap (~0.25 s CPU): with the main thread as a slot, one layer needs none.
 */
export class ReadPool {
  private mainBusy: boolean;
  private readonly idle: Worker[] = [];
  private readonly waiting: Array<(slot: Slot) => void> = [];
  private started = 0;

  constructor(private readonly options: ReadPoolOptions) {
    this.mainBusy = options.mainThread === false;
  }

  /**
   * Read one layer as `readLayer` does. `open` is called once a slot is free, so a download never waits
   * half-read for a thread (the transport would count that as a stall).
   */
  async read(open: () => Promise<Readable>, descriptor: Descriptor, options: ReadLayerOptions = {}) {
    const slot = await this.acquire();
    let healthy = true;
    try {
      if (slot.kind === 'main') return await readLayer(await open(), descriptor, options);
      return await runJob(slot.worker, await open(), descriptor, options, () => {
        healthy = false;
      });
    } finally {
      this.release(slot, healthy);
    }
  }

  /** Stop the workers (idle ones; for tests). */
  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((worker) => worker.terminate()));
  }

  private acquire(): Promise<Slot> {
    if (!this.mainBusy) {
      this.mainBusy = true;
      return Promise.resolve({ kind: 'main' });
    }
    const worker = this.idle.pop();
    if (worker) {
      worker.ref();
      return Promise.resolve({ kind: 'worker', worker });
    }
    if (this.started < this.options.workers) {
      this.started++;
      return Promise.resolve({ kind: 'worker', worker: startWorker() });
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot, healthy: boolean): void {
    let next = slot;
    if (slot.kind === 'worker' && !healthy) {
      void slot.worker.terminate();
      this.started--;
      if (this.waiting.length === 0) return;
      this.started++;
      next = { kind: 'worker', worker: startWorker() };
    }
    const waiter = this.waiting.shift();
    if (waiter) {
      waiter(next);
      return;
    }
    if (next.kind === 'main') {
      this.mainBusy = false;
      return;
    }
    next.worker.unref();
    this.idle.push(next.worker);
  }
}

/**
 * In the built CLI the worker is compiled JavaScript. From sources (tests, tsx) Node cannot load the
 * TypeScript itself: the worker imports it through tsx's API (a development dependency).
 */
function startWorker(): Worker {
  // One bound on buffered binaries for every thread (pipeline/buffer-budget.ts).
  const workerData: ReadWorkerData = { budgetCounter: sharedBufferBudget().counter };
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./read-worker.js', import.meta.url), { workerData });
  }
  // The ESM build of tsx's API (require.resolve finds the CommonJS one, which cannot load it from here).
  const tsx = createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const entry = new URL('./read-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((api) => api.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
  return new Worker(boot, { eval: true, workerData });
}

let shared: ReadPool | undefined;

/** Read one layer on the process's pool: the main thread plus one worker per further core. */
export function readLayerPooled(
  open: () => Promise<Readable>,
  descriptor: Descriptor,
  options: ReadLayerOptions = {},
): Promise<LayerRead> {
  shared ??= new ReadPool({ workers: availableParallelism() - 1 });
  return shared.read(open, descriptor, options);
}
