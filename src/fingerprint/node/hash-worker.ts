/**
 * A hashing thread of the pool (bundled by esbuild and started from source text, so it
 * needs no TypeScript loader). Files up to one chunk are read synchronously into a
 * reused buffer — the fewest system calls per small file; larger files are streamed
 * with overlapped double-buffered reads. Progress is posted at most every 100 ms.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { open } from 'node:fs/promises';
import { digestChunks } from '../digest.ts';
import { allocReadBuffers, hashFileSync, nodeSha256, readChunks } from './digest.ts';
import type { HashBatch, HashOutcome, HashWorkerData, WorkerMessage } from './protocol.ts';

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

async function hashOne(absPath: string, listedSize: number): Promise<HashOutcome> {
  try {
    if (listedSize <= chunkSize) {
      // Small: open, read to EOF, close — synchronously, the fewest steps per file.
      const d = hashFileSync(absPath, buffers.a);
      count(d.size);
      return { ok: true, ...d };
    }
    const handle = await open(absPath, 'r');
    try {
      const d = await digestChunks(readChunks(handle, buffers), nodeSha256, count);
      return { ok: true, ...d };
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return { ok: false, error: typeof code === 'string' ? code : err instanceof Error ? err.message : String(err) };
  }
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (batch: HashBatch) => {
  queue = queue.then(async () => {
    const outcomes: HashOutcome[] = [];
    for (const f of batch.files) outcomes.push(await hashOne(f.absPath, f.size));
    post({ t: 'result', id: batch.id, bytes: unreported, outcomes });
    unreported = 0;
    lastPost = Date.now();
  });
});
