/**
 * A hashing thread of the pool (bundled by esbuild and started from source text, so it
 * needs no TypeScript loader). Runs batches in arrival order; progress is posted at
 * most every 100 ms. Results go back with their leaf hashes' buffer transferred.
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

function count(n: number): void {
  unreported += n;
  if (n < 1 << 20) return; // small files: the batch's result reports them
  const now = Date.now();
  if (now - lastPost >= 100) {
    port.postMessage({ t: 'progress', bytes: unreported } satisfies WorkerMessage);
    unreported = 0;
    lastPost = now;
  }
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (batch: HashBatch) => {
  queue = queue.then(async () => {
    const result = await hashBatch(batch, { buffers, count });
    const message: WorkerMessage = { t: 'result', id: batch.id, bytes: unreported, ...result };
    port.postMessage(message, [result.leaves.buffer as ArrayBuffer]);
    unreported = 0;
    lastPost = Date.now();
  });
});
