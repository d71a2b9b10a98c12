/**
 * Parallel hashing on the main thread and worker threads: as many lanes as cores by
 * default, the main thread being one of them (it lists the dataset, folds the tree and
 * hashes its share between those), so a pool of n lanes starts n − 1 threads. On two
 * cores that is one thread to boot (a Node thread costs ~60–80 ms of CPU to start and
 * compiles its hot code again) where two threads and an idle main thread spent about
 * twice the CPU of the work itself. Files may be pushed while a run is under way (the
 * listing feeds the lanes as it goes: hashing starts after the first directory, not
 * after the last), and go to threads in batches (up to 128 files or 16 MiB; a large
 * file alone) so that per-message costs vanish for many small files; each thread keeps
 * up to three batches queued, so it never waits for dispatch and holds little when the
 * files run out. The main thread
 * takes small batches one at a time, and once the listing is over batches shrink with
 * the work left (guided self-scheduling), so that the lanes finish together. A lane
 * hashes small files with synchronous reads and one-shot digests; a thread posts a
 * batch's results as parallel arrays and one transferred buffer of leaf hashes
 * (`./batch.ts`).
 *
 * A run of one file (the usual `datadeed fingerprint big.iso`), or a pool of one lane,
 * starts no thread: the main thread hashes, overlapping reading (libuv thread pool)
 * and hashing. The main thread's lane yields to the event loop every few milliseconds
 * (progress, Ctrl-C, the listing, the threads' results). Memory: two read buffers per
 * lane and a small V8 heap per thread.
 *
 * The worker is bundled from `hash-worker.ts` (by esbuild on first use when running from
 * the sources, by the build in the compiled program: `../../script-assets.ts`) and
 * started from source text, so it needs no TypeScript loader of its own.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { scriptAsset, scriptWorker } from '../../script-assets.ts';
import type { StreamDigest } from '../digest.ts';
import { hashBatch, type BatchContext } from './batch.ts';
import { allocReadBuffers, DEFAULT_CHUNK_SIZE, type ReadBuffers } from './digest.ts';
import { DatasetIoError } from './errors.ts';
import { UNKNOWN_SIZE, type BatchResult, type HashBatch, type HashWorkerData, type WorkerMessage } from './protocol.ts';
import { objectArray } from '../../ledger/index.ts';

const BATCH_FILES = 256;
const BATCH_BYTES = 16 << 20;
/** While the listing goes on, a lane with work queued waits for this many files before a new batch. */
const MIN_BATCH_FILES = 64;
/** A lane gets a second batch only while its queued bytes are below this. */
const QUEUE_BYTES = 64 << 20;
/** Batches queued per lane: a thread always has the next one at hand. */
const QUEUE_BATCHES = 4;
/** The main thread takes this many files at a time (no message to pay for), one batch at a time. */
const MAIN_BATCH_FILES = 32;
/**
 * A thread beside the main lane gets batches of at most this many files, three at a
 * time: ~15 ms of small files queued covers the main thread's event-loop latency, while
 * the work a thread holds when the files run out (the main lane then waits for it) stays
 * short — four batches of 256 were ~45 ms of tail.
 */
const THREAD_BATCH_FILES = 128;
const THREAD_QUEUE_BATCHES = 3;
/** Guided batches never shrink below this. */
const MIN_GUIDED_FILES = 16;
/**
 * The main-thread lane yields to the event loop at least this often: progress, Ctrl-C
 * and the listing.
 */
const MAIN_LANE_SLICE_MS = 4;

/**
 * The worker's JavaScript (CommonJS, for `new Worker(code, { eval: true })`): bundled once
 * per process from the sources, or read from the compiled program's bundle.
 */
export function hashWorkerSource(): Promise<string> {
  return scriptAsset(new URL('./hash-worker.ts', import.meta.url));
}

/**
 * A file for the pool: path on disk, size when listed ({@link UNKNOWN_SIZE} if not:
 * then it is read to its end, and a large one is streamed alone), dataset path for
 * messages.
 */
export interface PoolFile {
  path: string;
  absPath: string;
  size: number;
}

export interface PoolOptions {
  /** Number of hashing lanes, the main thread included (default: the available parallelism); 1 hashes on the main thread alone. */
  threads?: number;
  /** Read size (default 4 MiB). */
  chunkSize?: number;
}

export interface HashRunOptions {
  signal?: AbortSignal;
  /** Bytes hashed since the previous call (per batch, and about every 100 ms per thread within a large file). */
  onBytes?: (n: number) => void;
  /** Files finished since the previous call. */
  onFiles?: (n: number) => void;
  /**
   * Each file's result as it arrives, by its index in push order (batches complete out of
   * order across lanes): its digest, its size, and its leaf hash as the 32 bytes of
   * `leaves` at `offset` (a batch's buffer, shared by its files and never written again).
   * No object per file: the main thread receives every file of every lane.
   */
  onResult?: (index: number, sha256: string, size: number, leaves: Uint8Array, offset: number) => void;
  /**
   * Receives what `onBytes`, `onFiles` and `onResult` would (they are then not called):
   * an object whose methods are the same functions in every run, so that the per-file
   * loop over a batch's results, optimised in one run, is not thrown away in the next
   * for calling the next run's new closures (`fingerprintPath` passes one).
   */
  sink?: HashSink;
}

/** What a run reports, as methods (see {@link HashRunOptions.sink}). */
export interface HashSink {
  onBytes(n: number): void;
  onFiles(n: number): void;
  onResult(index: number, sha256: string, size: number, leaves: Uint8Array, offset: number): void;
}

/** A {@link HashSink} that calls the run's callbacks. */
class CallbackSink implements HashSink {
  constructor(readonly opts: HashRunOptions) {}
  onBytes(n: number): void {
    this.opts.onBytes?.(n);
  }
  onFiles(n: number): void {
    this.opts.onFiles?.(n);
  }
  onResult(index: number, sha256: string, size: number, leaves: Uint8Array, offset: number): void {
    this.opts.onResult?.(index, sha256, size, leaves, offset);
  }
}

/** A file's digest and its manifest leaf hash (32 bytes). */
export interface HashedFile extends StreamDigest {
  leaf: Uint8Array;
}

/** A run under way: files are pushed, then {@link HashRun.end}; `done` settles when all are hashed. */
export interface HashRun {
  /** Adds files (their indices follow the files pushed before). */
  push(files: readonly PoolFile[]): void;
  /** No more files: `done` resolves once every pushed file is hashed. */
  end(): void;
  /** Stops the run: `done` rejects with `reason`. */
  fail(reason: unknown): void;
  /** Resolves when every file is hashed; rejects on the first failure (the pool is then closed). */
  readonly done: Promise<void>;
}

/** Where batches go: a worker thread, or the main thread. */
interface Lane {
  queued: number;
  queuedBytes: number;
  /** Batches this lane may hold at once. */
  maxQueued: number;
  /** Files per batch at most. */
  maxFiles: number;
  send(batch: HashBatch): void;
}

/**
 * The threads of a pool. One run at a time; {@link HashPool.close} terminates the
 * threads (a failed or aborted run closes the pool itself).
 */
export class HashPool {
  readonly #threads: number;
  readonly #chunkSize: number;
  readonly #workers: Worker[] = [];
  #starting: Promise<void> | undefined;
  #mainBuffers: ReadBuffers | undefined;
  #closed = false;

  constructor(opts: PoolOptions = {}) {
    this.#threads = Math.max(1, opts.threads ?? availableParallelism());
    this.#chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  }

  /** Starts the threads now (they take tens of milliseconds to boot), e.g. before listing a directory. */
  warm(): void {
    if (this.#threads > 1) void this.#grow().catch(() => undefined);
  }

  #grow(): Promise<void> {
    this.#starting ??= (async () => {
      const source = await hashWorkerSource();
      if (this.#closed) return;
      const workerData: HashWorkerData = { chunkSize: this.#chunkSize };
      while (this.#workers.length < this.#threads - 1) {
        const worker = scriptWorker(source, {
          workerData,
          // The hashing loop allocates little: a small young generation keeps each thread lean.
          resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64 },
        });
        // A thread that fails between runs must not crash the process; the next run sees it exit.
        worker.on('error', () => undefined);
        this.#workers.push(worker);
      }
    })();
    this.#starting.catch(() => (this.#starting = undefined));
    return this.#starting;
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
  async hash(files: readonly PoolFile[], opts: Omit<HashRunOptions, 'sink'> = {}): Promise<HashedFile[]> {
    const results = new Array<HashedFile>(files.length);
    const run = this.run({
      ...opts,
      onResult: (i, sha256, size, leaves, offset) => {
        results[i] = { sha256, size, leaf: leaves.subarray(offset, offset + 32) };
        opts.onResult?.(i, sha256, size, leaves, offset);
      },
    });
    run.push(files);
    run.end();
    await run.done;
    return results;
  }

  /**
   * Starts a run to which files are pushed as they are found ({@link HashRun}). Errors
   * as {@link HashPool.hash}, through `done`.
   */
  run(opts: HashRunOptions = {}): HashRun {
    return new PoolRun(
      {
        threads: this.#threads,
        closed: () => this.#closed,
        grow: () => this.#grow().then(() => this.#workers),
        mainBuffers: () => (this.#mainBuffers ??= allocReadBuffers(this.#chunkSize)),
        close: () => this.close(),
      },
      opts,
    );
  }
}

/** What a run uses of its pool. */
interface PoolAccess {
  readonly threads: number;
  closed(): boolean;
  /** Starts the pool's threads (once) and gives them. */
  grow(): Promise<readonly Worker[]>;
  mainBuffers(): ReadBuffers;
  close(): Promise<void>;
}

/**
 * One run of a pool ({@link HashPool.run}). A class rather than closures made per run:
 * its methods — the per-batch dispatch and the per-file loop over a batch's results —
 * are optimised once per process, where closures made anew by every run were compiled
 * again in later runs of the same process (a closure's optimised code is specialised to
 * the context it was made in).
 */
class PoolRun implements HashRun {
  readonly done: Promise<void>;
  readonly #pool: PoolAccess;
  readonly #sink: HashSink;
  readonly #files: PoolFile[] = objectArray();
  readonly #batches = new Map<number, { start: number; bytes: number }>();
  /** Files of unknown size handed back as large: sent again, each alone, to be streamed. */
  readonly #retry: number[] = [];
  readonly #lanes: Lane[] = [];
  readonly #cleanups: (() => void)[] = [];
  #cursor = 0;
  #nextId = 0;
  #hashed = 0;
  #ended = false;
  #settled = false;
  /** Undecided until two files are pushed or the run ends: one file needs no thread. */
  #mode: 'undecided' | 'main' | 'threads';
  #resolveDone!: () => void;
  #rejectDone!: (err: unknown) => void;
  /** The main-thread lane's context for `hashBatch` (one per run), and the bytes it has not reported yet. */
  #mainContext: BatchContext | undefined;
  #unreported = 0;
  #sliceStart = 0;

  constructor(pool: PoolAccess, opts: HashRunOptions) {
    this.#pool = pool;
    this.#sink = opts.sink ?? new CallbackSink(opts);
    this.#mode = pool.threads <= 1 ? 'main' : 'undecided';
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    if (pool.closed()) this.#finish(new DatasetIoError('worker_failed', 'the hashing pool is closed'));
    const signal = opts.signal;
    if (signal) {
      const onAbort = (): void => this.#finish(signal.reason);
      if (signal.aborted) this.#finish(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
  }

  push(more: readonly PoolFile[]): void {
    if (this.#settled || more.length === 0) return;
    for (const f of more) this.#files.push(f);
    this.#decide();
    this.#dispatchAll();
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#decide();
    if (!this.#settled && this.#hashed === this.#files.length) this.#finish();
    else this.#dispatchAll();
  }

  fail(reason: unknown): void {
    this.#finish(reason);
  }

  #finish(err?: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    for (const c of this.#cleanups) c();
    if (err === undefined) {
      this.#resolveDone();
      return;
    }
    // Threads may still be busy with queued batches: stop them.
    this.#pool.close().then(
      () => this.#rejectDone(err),
      () => this.#rejectDone(err),
    );
  }

  #dispatch(lane: Lane): void {
    const files = this.#files;
    const retry = this.#retry;
    while (!this.#settled && retry.length > 0 && lane.queued < lane.maxQueued && (lane.queued === 0 || lane.queuedBytes < QUEUE_BYTES)) {
      const index = retry.shift()!;
      const f = files[index]!;
      const batch: HashBatch = { t: 'batch', id: this.#nextId++, absPaths: [f.absPath], paths: [f.path], sizes: [f.size], stream: true };
      this.#batches.set(batch.id, { start: index, bytes: BATCH_BYTES });
      lane.queued++;
      lane.queuedBytes += BATCH_BYTES;
      lane.send(batch);
    }
    while (!this.#settled && this.#cursor < files.length && lane.queued < lane.maxQueued && (lane.queued === 0 || lane.queuedBytes < QUEUE_BYTES)) {
      // While more files are coming, a lane that has work waits for a fuller batch.
      if (!this.#ended && lane.queued > 0 && files.length - this.#cursor < MIN_BATCH_FILES) return;
      // Once the listing is over, batches shrink with the work left (guided
      // self-scheduling), so that the lanes finish together.
      const maxFiles = this.#ended ? Math.min(lane.maxFiles, Math.max(MIN_GUIDED_FILES, Math.ceil((files.length - this.#cursor) / (2 * this.#lanes.length)))) : lane.maxFiles;
      const start = this.#cursor;
      let bytes = 0;
      const batch: HashBatch = { t: 'batch', id: this.#nextId++, absPaths: [], paths: [], sizes: [] };
      while (this.#cursor < files.length && batch.absPaths.length < maxFiles) {
        const f = files[this.#cursor]!;
        if (batch.absPaths.length > 0 && bytes + f.size > BATCH_BYTES) break;
        batch.absPaths.push(f.absPath);
        batch.paths.push(f.path);
        batch.sizes.push(f.size);
        if (f.size > 0) bytes += f.size;
        this.#cursor++;
      }
      this.#batches.set(batch.id, { start, bytes });
      lane.queued++;
      lane.queuedBytes += bytes;
      lane.send(batch);
    }
  }

  #dispatchAll(): void {
    for (const lane of this.#lanes) this.#dispatch(lane);
  }

  #onResult(lane: Lane, id: number, bytes: number, result: BatchResult): void {
    if (this.#settled) return;
    const sink = this.#sink;
    if (bytes > 0) sink.onBytes(bytes);
    const batch = this.#batches.get(id)!;
    this.#batches.delete(id);
    lane.queued--;
    lane.queuedBytes -= batch.bytes;
    const n = result.sha256.length;
    let deferred = 0;
    for (let i = 0; i < n; i++) {
      const file = this.#files[batch.start + i]!;
      const error = result.errors?.[i];
      if (error !== undefined) {
        this.#finish(new DatasetIoError('read_failed', `cannot read ${JSON.stringify(file.path)}: ${error}`, file.path));
        return;
      }
      if (result.deferred?.[i] === true) {
        this.#retry.push(batch.start + i);
        deferred++;
        continue;
      }
      const size = result.sizes[i]!;
      if (file.size !== UNKNOWN_SIZE && size !== file.size) {
        this.#finish(new DatasetIoError('file_changed', `${JSON.stringify(file.path)} changed while being fingerprinted (${file.size} → ${size} bytes)`, file.path));
        return;
      }
      try {
        sink.onResult(batch.start + i, result.sha256[i]!, size, result.leaves, i * 32);
      } catch (err) {
        this.#finish(err);
        return;
      }
    }
    this.#hashed += n - deferred;
    if (n > deferred) sink.onFiles(n - deferred);
    if (this.#ended && this.#hashed === this.#files.length) this.#finish();
    else if (deferred > 0) this.#dispatchAll();
    else this.#dispatch(lane);
  }

  /**
   * The main-thread lane: batches run here in turn, yielding to the event loop; a
   * finished run (failure, abort) also stops a large file between chunks.
   */
  #useMainLane(): void {
    const stop = new AbortController();
    this.#cleanups.push(() => stop.abort());
    this.#sliceStart = performance.now();
    this.#mainContext = {
      buffers: this.#pool.mainBuffers(),
      count: (n) => {
        this.#unreported += n;
        if (n >= 1 << 20 && !this.#settled) {
          this.#sink.onBytes(this.#unreported);
          this.#unreported = 0;
        }
      },
      stopped: () => this.#settled,
      signal: stop.signal,
      shouldYield: () => {
        if (performance.now() - this.#sliceStart < MAIN_LANE_SLICE_MS) return false;
        this.#sliceStart = performance.now();
        return true;
      },
    };
    let queue: Promise<void> = Promise.resolve();
    const threads = this.#mode === 'threads';
    const lane: Lane = {
      queued: 0,
      queuedBytes: 0,
      maxQueued: threads ? 1 : QUEUE_BATCHES,
      maxFiles: threads ? MAIN_BATCH_FILES : BATCH_FILES,
      send: (batch) => {
        queue = queue.then(() => this.#hashOnMain(lane, batch));
        queue.catch((err: unknown) => this.#finish(err));
      },
    };
    this.#lanes.push(lane);
  }

  async #hashOnMain(lane: Lane, batch: HashBatch): Promise<void> {
    if (this.#settled) return;
    this.#unreported = 0;
    const result = await hashBatch(batch, this.#mainContext!);
    if (!this.#settled) this.#onResult(lane, batch.id, this.#unreported, result);
  }

  #useThreads(): void {
    this.#pool.grow().then(
      (workers) => {
        if (this.#settled) return;
        if (this.#pool.closed()) return this.#finish(new DatasetIoError('worker_failed', 'the hashing pool is closed'));
        for (const worker of workers) this.#addThreadLane(worker);
        this.#dispatchAll();
      },
      (err: unknown) => this.#finish(new DatasetIoError('worker_failed', `cannot start hashing threads: ${err instanceof Error ? err.message : String(err)}`)),
    );
  }

  #addThreadLane(worker: Worker): void {
    const lane: Lane = { queued: 0, queuedBytes: 0, maxQueued: THREAD_QUEUE_BATCHES, maxFiles: THREAD_BATCH_FILES, send: (batch) => worker.postMessage(batch) };
    const onMsg = (m: WorkerMessage): void => {
      if (m.t === 'result') this.#onResult(lane, m.id, m.bytes, m);
      else if (!this.#settled && m.bytes > 0) this.#sink.onBytes(m.bytes);
    };
    const onError = (err: Error): void => this.#finish(new DatasetIoError('worker_failed', `hashing thread failed: ${err.message}`));
    const onExit = (code: number): void => this.#finish(new DatasetIoError('worker_failed', `hashing thread exited with code ${code}`));
    worker.on('message', onMsg);
    worker.on('error', onError);
    worker.on('exit', onExit);
    this.#cleanups.push(() => {
      worker.off('message', onMsg);
      worker.off('error', onError);
      worker.off('exit', onExit);
    });
    this.#lanes.push(lane);
  }

  #decide(): void {
    if (this.#mode === 'undecided' && (this.#files.length > 1 || this.#ended)) {
      this.#mode = this.#files.length > 1 ? 'threads' : 'main';
      this.#useMainLane();
      if (this.#mode === 'threads') this.#useThreads();
    } else if (this.#mode === 'main' && this.#lanes.length === 0) {
      this.#useMainLane();
    }
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
