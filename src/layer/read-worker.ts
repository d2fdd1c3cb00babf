/**
 * Worker-thread side of the layer read (docs/design.md §8): runs `readLayer` (decompress, tar walk, diff_id
 * hash, Go analysis) on the stored bytes the main thread posts, one layer at a time, and posts the
 * LayerRead back. Chunks are acknowledged as the read consumes them, so the main thread can hold the
 * download back when this thread falls behind (memory stays bounded). See read-pool.ts for the protocol.
 */
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { LayerdeltaError } from '../errors.js';
import { sharedBufferBudget } from '../pipeline/buffer-budget.js';
import { readLayer } from './read.js';
import type { FromWorker, ReadWorkerData, ToWorker } from './read-pool.js';

const port = parentPort;
if (!port) throw new Error('read-worker.ts runs only as a worker thread');
// Count buffered binaries against the main thread's budget (one bound per process).
sharedBufferBudget(process.env, (workerData as ReadWorkerData).budgetCounter);

let input: Readable | undefined;
/** Chunks received but not yet asked for by the read. */
const queue: Buffer[] = [];
let ended = false;

function send(message: FromWorker): void {
  port?.postMessage(message);
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'start':
      start(message);
      break;
    case 'chunk':
      queue.push(Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength));
      feed();
      break;
    case 'end':
      ended = true;
      feed();
      break;
    case 'abort':
      queue.length = 0;
      input?.destroy(new Error(message.message));
      break;
  }
});

/** Hand queued chunks to the read while it wants more; acknowledge each one it takes. */
let wanted = false;
function feed(): void {
  while (wanted && input) {
    const chunk = queue.shift();
    if (!chunk) {
      if (ended) {
        wanted = false;
        input.push(null);
      }
      return;
    }
    send({ type: 'ack', bytes: chunk.length });
    wanted = input.push(chunk);
  }
}

function start(message: Extract<ToWorker, { type: 'start' }>): void {
  queue.length = 0;
  ended = false;
  wanted = false;
  const stream = new Readable({
    highWaterMark: 1 << 20,
    read() {
      wanted = true;
      feed();
    },
  });
  input = stream;
  readLayer(stream, message.descriptor, message.options).then(
    (layer) => send({ type: 'done', layer }),
    (error: unknown) =>
      send({
        type: 'failed',
        message: error instanceof Error ? error.message : String(error),
        ...(error instanceof LayerdeltaError
          ? { code: error.code, ...(error.hint !== undefined ? { hint: error.hint } : {}) }
          : {}),
      }),
  );
}
