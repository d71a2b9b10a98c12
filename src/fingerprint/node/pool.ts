/**
 * A pool of hashing threads (worker_threads), one per core by default. Files are sent
 * in batches (up to 256 files or 16 MiB, a large file alone) so that per-message costs
 * vanish for many small files; each thread keeps up to two batches queued so it never
 * waits for the main thread. One large file is sequential by nature: its thread
 * overlaps reading and hashing instead. Memory: two read buffers per thread.
 *
 * The worker is bundled from `hash-worker.ts` with esbuild (a dependency of tsx) on first
 * use and started from source text, so it needs no TypeScript loader of its own.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StreamDigest } from '../digest.ts';
import { DEFAULT_CHUNK_SIZE } from './digest.ts';
import { DatasetIoError } from './errors.ts';
import type { HashBatch, HashWorkerData, WorkerMessage } from './protocol.ts';

const BATCH_FILES = 256;
const BATCH_BYTES = 16 << 20;
/** A thread gets a second batch only while its queued bytes are below this. */
const QUEUE_BYTES = 64 << 20;

let workerSource: Promise<string> | undefined;

/** The worker's JavaScript (CommonJS, for `new Worker(code, { eval: true })`), bundled once per process. */
export function hashWorkerSource(): Promise<string> {
  workerSource ??= (async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./hash-worker.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    return result.outputFiles[0]!.text;
  })();
  workerSource.catch(() => {
    workerSource = undefined;
  });
  return workerSource;
}

/** A file for the pool: path on disk, size when listed, dataset path for messages. */
export interface PoolFile {
  path: string;
  absPath: string;
  size: number;
}

export interface HashFilesOptions {
  /** Number of threads (default: the available parallelism), at most one per file. */
  threads?: number;
  /** Read size (default 4 MiB). */
  chunkSize?: number;
  signal?: AbortSignal;
  /** Bytes hashed since the previous call (about every 100 ms per thread, and per batch). */
  onBytes?: (n: number) => void;
  /** Files finished since the previous call. */
  onFiles?: (n: number) => void;
}

interface Slot {
  worker: Worker;
  queued: number;
  queuedBytes: number;
}

/**
 * Hashes `files` on a thread pool and returns their digests in the same order.
 * @throws DatasetIoError `read_failed` (a file could not be read), `file_changed` (its
 *   size differs from `size`), `worker_failed`, or the signal's reason when aborted
 *   (all threads are terminated first).
 */
export async function hashFiles(files: readonly PoolFile[], opts: HashFilesOptions = {}): Promise<StreamDigest[]> {
  const results = new Array<StreamDigest>(files.length);
  if (files.length === 0) return results;
  opts.signal?.throwIfAborted();
  const source = await hashWorkerSource();
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), files.length));
  const batches = new Map<number, { start: number; end: number; bytes: number }>();
  let cursor = 0;
  let nextId = 0;
  let remaining = files.length;

  return await new Promise<StreamDigest[]>((resolvePromise, rejectPromise) => {
    const slots: Slot[] = [];
    let settled = false;

    const finish = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      const terminations = slots.map((s) => s.worker.terminate().catch(() => 0));
      void Promise.all(terminations).then(() => (err === undefined ? resolvePromise(results) : rejectPromise(err)));
    };
    const onAbort = (): void => finish(opts.signal!.reason);
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const dispatch = (slot: Slot): void => {
      while (cursor < files.length && slot.queued < 2 && (slot.queued === 0 || slot.queuedBytes < QUEUE_BYTES)) {
        const start = cursor;
        let bytes = 0;
        const batch: HashBatch = { t: 'batch', id: nextId++, files: [] };
        while (cursor < files.length && batch.files.length < BATCH_FILES) {
          const f = files[cursor]!;
          if (batch.files.length > 0 && bytes + f.size > BATCH_BYTES) break;
          batch.files.push({ absPath: f.absPath, size: f.size });
          bytes += f.size;
          cursor++;
        }
        batches.set(batch.id, { start, end: cursor, bytes });
        slot.queued++;
        slot.queuedBytes += bytes;
        slot.worker.postMessage(batch);
      }
    };

    const onMessage = (slot: Slot, message: WorkerMessage): void => {
      if (settled) return;
      if (message.bytes > 0) opts.onBytes?.(message.bytes);
      if (message.t !== 'result') return;
      const batch = batches.get(message.id)!;
      batches.delete(message.id);
      slot.queued--;
      slot.queuedBytes -= batch.bytes;
      for (let i = 0; i < message.outcomes.length; i++) {
        const outcome = message.outcomes[i]!;
        const file = files[batch.start + i]!;
        if (!outcome.ok) {
          finish(new DatasetIoError('read_failed', `cannot read ${JSON.stringify(file.path)}: ${outcome.error}`, file.path));
          return;
        }
        if (outcome.size !== file.size) {
          finish(
            new DatasetIoError('file_changed', `${JSON.stringify(file.path)} changed while being fingerprinted (${file.size} → ${outcome.size} bytes)`, file.path),
          );
          return;
        }
        results[batch.start + i] = { sha256: outcome.sha256, size: outcome.size };
      }
      remaining -= message.outcomes.length;
      opts.onFiles?.(message.outcomes.length);
      if (remaining === 0) finish();
      else dispatch(slot);
    };

    const workerData: HashWorkerData = { chunkSize };
    for (let i = 0; i < threads; i++) {
      const slot: Slot = { worker: new Worker(source, { eval: true, workerData }), queued: 0, queuedBytes: 0 };
      slot.worker.on('message', (m: WorkerMessage) => onMessage(slot, m));
      slot.worker.on('error', (err) => finish(new DatasetIoError('worker_failed', `hashing thread failed: ${err.message}`)));
      slot.worker.on('exit', (code) => {
        if (!settled) finish(new DatasetIoError('worker_failed', `hashing thread exited with code ${code}`));
      });
      slots.push(slot);
    }
    for (const slot of slots) dispatch(slot);
  });
}
