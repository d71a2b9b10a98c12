/**
 * Parallel hashing: the main thread plus worker threads, one lane per core by default.
 * Files go out in batches (up to 256 files or 16 MiB; a large file alone) so that
 * per-message costs vanish for many small files; each lane keeps up to four batches
 * (64 MiB) queued so it never waits for dispatch. The main thread is a lane itself: a
 * single-file dataset starts no thread at all, and worker start-up (~40 ms) overlaps
 * work already under way. One large file is sequential by nature: its lane overlaps
 * reading (libuv thread pool) and hashing instead. Memory: two read buffers per lane,
 * and a small V8 heap per thread.
 *
 * The worker is bundled from `hash-worker.ts` with esbuild (a dependency of tsx) on first
 * use and started from source text, so it needs no TypeScript loader of its own.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { StreamDigest } from '../digest.ts';
import { hashBatch } from './batch.ts';
import { allocReadBuffers, DEFAULT_CHUNK_SIZE, type ReadBuffers } from './digest.ts';
import { DatasetIoError } from './errors.ts';
import type { HashBatch, HashWorkerData, WorkerMessage } from './protocol.ts';

const BATCH_FILES = 256;
const BATCH_BYTES = 16 << 20;
/** A lane gets a second batch only while its queued bytes are below this. */
const QUEUE_BYTES = 64 << 20;
/** Batches queued per lane: a thread has work for several of the main thread's slices. */
const QUEUE_BATCHES = 4;
/**
 * The main-thread lane yields to the event loop at least this often: progress, Ctrl-C,
 * and above all the threads' results, whose arrival is what sends them more work.
 */
const MAIN_LANE_SLICE_MS = 4;

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

export interface PoolOptions {
  /** Number of lanes, the main thread included (default: the available parallelism). */
  threads?: number;
  /** Read size (default 4 MiB). */
  chunkSize?: number;
}

export interface HashRunOptions {
  signal?: AbortSignal;
  /** Bytes hashed since the previous call (about every 100 ms per thread, and per batch). */
  onBytes?: (n: number) => void;
  /** Files finished since the previous call. */
  onFiles?: (n: number) => void;
  /** Each file's result as it arrives (batches complete out of order across lanes). */
  onResult?: (index: number, result: HashedFile) => void;
}

/** A file's digest and its manifest leaf hash (hex). */
export interface HashedFile extends StreamDigest {
  leaf: string;
}

/** Where batches go: a worker thread, or the main thread. */
interface Lane {
  queued: number;
  queuedBytes: number;
  send(batch: HashBatch): void;
}

/**
 * The lanes of a run. One run at a time; {@link HashPool.close} terminates the threads
 * (a failed or aborted run closes the pool itself).
 */
export class HashPool {
  readonly #lanes: number;
  readonly #chunkSize: number;
  readonly #workers: Worker[] = [];
  #mainBuffers: ReadBuffers | undefined;
  #closed = false;

  constructor(opts: PoolOptions = {}) {
    this.#lanes = Math.max(1, opts.threads ?? availableParallelism());
    this.#chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  }

  async #grow(n: number): Promise<void> {
    if (this.#workers.length >= n) return;
    const source = await hashWorkerSource();
    const workerData: HashWorkerData = { chunkSize: this.#chunkSize };
    while (this.#workers.length < n) {
      const worker = new Worker(source, {
        eval: true,
        workerData,
        // The hashing loop allocates little: a small young generation keeps each thread lean.
        resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64 },
      });
      // A thread that fails between runs must not crash the process; the next run sees it exit.
      worker.on('error', () => undefined);
      this.#workers.push(worker);
    }
  }

  /** Terminates every thread. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate().catch(() => 0)));
  }

  /**
   * Hashes `files` and returns their digests in the same order.
   * @throws DatasetIoError `read_failed` (a file could not be read), `file_changed` (its
   *   size differs from `size`), `worker_failed`, or the signal's reason when aborted —
   *   after closing the pool.
   */
  async hash(files: readonly PoolFile[], opts: HashRunOptions = {}): Promise<HashedFile[]> {
    const results = new Array<HashedFile>(files.length);
    if (this.#closed) throw new DatasetIoError('worker_failed', 'the hashing pool is closed');
    if (files.length === 0) return results;
    opts.signal?.throwIfAborted();
    const extraLanes = Math.min(this.#lanes, files.length) - 1;
    const batches = new Map<number, { start: number; bytes: number }>();
    let cursor = 0;
    let nextId = 0;
    let remaining = files.length;
    let settled = false;
    const cleanups: (() => void)[] = [];

    const outcome = await new Promise<{ ok: true } | { ok: false; err: unknown }>((resolvePromise) => {
      const finish = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        for (const c of cleanups) c();
        resolvePromise(err === undefined ? { ok: true } : { ok: false, err });
      };
      const onAbort = (): void => finish(opts.signal!.reason);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => opts.signal?.removeEventListener('abort', onAbort));

      const dispatch = (lane: Lane): void => {
        while (!settled && cursor < files.length && lane.queued < QUEUE_BATCHES && (lane.queued === 0 || lane.queuedBytes < QUEUE_BYTES)) {
          const start = cursor;
          let bytes = 0;
          const batch: HashBatch = { t: 'batch', id: nextId++, files: [] };
          while (cursor < files.length && batch.files.length < BATCH_FILES) {
            const f = files[cursor]!;
            if (batch.files.length > 0 && bytes + f.size > BATCH_BYTES) break;
            batch.files.push({ path: f.path, absPath: f.absPath, size: f.size });
            bytes += f.size;
            cursor++;
          }
          batches.set(batch.id, { start, bytes });
          lane.queued++;
          lane.queuedBytes += bytes;
          lane.send(batch);
        }
      };

      const onMessage = (lane: Lane, message: WorkerMessage): void => {
        if (settled) return;
        if (message.bytes > 0) opts.onBytes?.(message.bytes);
        if (message.t !== 'result') return;
        const batch = batches.get(message.id)!;
        batches.delete(message.id);
        lane.queued--;
        lane.queuedBytes -= batch.bytes;
        for (let i = 0; i < message.outcomes.length; i++) {
          const result = message.outcomes[i]!;
          const file = files[batch.start + i]!;
          if (!result.ok) {
            finish(new DatasetIoError('read_failed', `cannot read ${JSON.stringify(file.path)}: ${result.error}`, file.path));
            return;
          }
          if (result.size !== file.size) {
            finish(
              new DatasetIoError('file_changed', `${JSON.stringify(file.path)} changed while being fingerprinted (${file.size} → ${result.size} bytes)`, file.path),
            );
            return;
          }
          const hashed = { sha256: result.sha256, size: result.size, leaf: result.leaf };
          results[batch.start + i] = hashed;
          try {
            opts.onResult?.(batch.start + i, hashed);
          } catch (err) {
            finish(err);
            return;
          }
        }
        remaining -= message.outcomes.length;
        opts.onFiles?.(message.outcomes.length);
        if (remaining === 0) finish();
        else dispatch(lane);
      };

      // The main-thread lane: batches run here in turn, yielding to the event loop; a
      // finished run (failure, abort) also stops a large file between chunks.
      const stop = new AbortController();
      cleanups.push(() => stop.abort());
      this.#mainBuffers ??= allocReadBuffers(this.#chunkSize);
      const buffers = this.#mainBuffers;
      let mainQueue: Promise<void> = Promise.resolve();
      let sliceStart = performance.now();
      const mainLane: Lane = {
        queued: 0,
        queuedBytes: 0,
        send: (batch) => {
          mainQueue = mainQueue.then(async () => {
            if (settled) return;
            const outcomes = await hashBatch(batch, {
              buffers,
              count: (n) => {
                if (!settled) opts.onBytes?.(n);
              },
              stopped: () => settled,
              signal: stop.signal,
              between: async () => {
                if (performance.now() - sliceStart < MAIN_LANE_SLICE_MS) return;
                await new Promise<void>((r) => setImmediate(r));
                sliceStart = performance.now();
              },
            });
            if (!settled) onMessage(mainLane, { t: 'result', id: batch.id, bytes: 0, outcomes });
          });
          mainQueue.catch((err: unknown) => finish(err));
        },
      };
      dispatch(mainLane);

      // Worker lanes, once their threads exist (the main lane is busy meanwhile).
      if (extraLanes > 0) {
        this.#grow(extraLanes).then(
          () => {
            if (settled) return;
            for (const worker of this.#workers.slice(0, extraLanes)) {
              const lane: Lane = { queued: 0, queuedBytes: 0, send: (batch) => worker.postMessage(batch) };
              const onMsg = (m: WorkerMessage): void => onMessage(lane, m);
              const onError = (err: Error): void => finish(new DatasetIoError('worker_failed', `hashing thread failed: ${err.message}`));
              const onExit = (code: number): void => finish(new DatasetIoError('worker_failed', `hashing thread exited with code ${code}`));
              worker.on('message', onMsg);
              worker.on('error', onError);
              worker.on('exit', onExit);
              cleanups.push(() => {
                worker.off('message', onMsg);
                worker.off('error', onError);
                worker.off('exit', onExit);
              });
              dispatch(lane);
            }
          },
          (err: unknown) => finish(new DatasetIoError('worker_failed', `cannot start hashing threads: ${err instanceof Error ? err.message : String(err)}`)),
        );
      }
    });
    if (!outcome.ok) {
      // Threads may still be busy with queued batches: stop them.
      await this.close();
      throw outcome.err;
    }
    return results;
  }
}

/**
 * Hashes `files` on a fresh pool and closes it ({@link HashPool}).
 * @throws as {@link HashPool.hash}.
 */
export async function hashFiles(files: readonly PoolFile[], opts: PoolOptions & HashRunOptions = {}): Promise<HashedFile[]> {
  const pool = new HashPool(opts);
  try {
    return await pool.hash(files, opts);
  } finally {
    await pool.close();
  }
}
