/**
 * A hashing thread of the pool (bundled by esbuild and started from source text, so it
 * needs no TypeScript loader). Runs batches in arrival order; progress is posted at
 * most every 100 ms.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { hashBatch } from './batch.ts';
import { allocReadBuffers } from './digest.ts';
import type { HashBatch, HashWorkerData, WorkerMessage } from './protocol.ts';

const port = parentPort!;
const { chunkSize } = workerData as HashWorkerData;
const buffers = allocReadBuffers(chunkSize);
let unreported = 0;
let lastPost = Date.now();

function post(message: WorkerMessage): void {
  port.postMessage(message);
}

function count(n: number): void {
  unreported += n;
  const now = Date.now();
  if (now - lastPost >= 100) {
    post({ t: 'progress', bytes: unreported });
    unreported = 0;
    lastPost = now;
  }
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (batch: HashBatch) => {
  queue = queue.then(async () => {
    const outcomes = await hashBatch(batch, { buffers, count });
    post({ t: 'result', id: batch.id, bytes: unreported, outcomes });
    unreported = 0;
    lastPost = Date.now();
  });
});
