/**
 * Fingerprinting picked files with a pool of Web Workers (`worker.ts`), one per
 * logical CPU by default (DESIGN §4, in the browser).
 *
 * Plan of a run: paths are normalised here first (a bad path fails before any byte is
 * read). Then the page's main thread reads the files, in pick order, with many reads in
 * flight (`readsInFlight`), each through the File's stream. Why the page and not the
 * workers: for a file picked from a folder, Chromium asks the browser process for the
 * file's size by a synchronous call the first time `.size` is read or the File is
 * posted to a worker (0.5–1.2 ms each under load, serial on the main thread: 3.65 s of
 * a 3.76 s run over 2,000 files), while reading the bytes needs no size, and many reads
 * in flight overlap their round trips (measured in Chromium, 2026-12).
 * - A file whose stream ends within `smallFileBytes` is small: its pieces join a batch,
 *   and a full batch (or a partial one when a worker is idle) is posted to a worker
 *   with the buffers in the transfer list (moved, not copied) and hashed there by the
 *   worker's WebAssembly SHA-256 — one round trip per batch, not per file.
 * - A file whose stream goes past `smallFileBytes` is large: its read is cancelled, its
 *   size taken (one synchronous call, paid by few files) and it becomes a task of its
 *   own, larger waiting files first, read by a worker itself in one of two ways:
 *   - by default, streamed through the worker's WebAssembly SHA-256 (constant memory,
 *     any size), read through a BYOB reader of the File's byte stream into two reused
 *     `chunkBytes` buffers (slices where the browser has no byte stream, or `byob: false`);
 *   - up to `oneShotMaxBytes` (default 0: never), read whole for one WebCrypto digest;
 *     it holds the file in memory twice, and the pool keeps the sum of such files in
 *     flight within `oneShotMaxBytes`.
 *   Why streaming by default (Chromium 156, Debian, 2-core AMD EPYC with SHA extensions,
 *   1 GiB file, 2026-12-02): no SHA-256 a page can reach uses SHA instructions there —
 *   WebCrypto's digest cost ~2× the CPU per byte of hash-wasm's (~240 MB/s per CPU
 *   second) and cannot start before the whole file is read, while streaming hashes as
 *   the bytes arrive. Reading is cheap only into reused buffers: `slice().arrayBuffer()`
 *   spent 5–8 CPU seconds per GiB in the renderer allocating, a BYOB reader ~1–2. In one
 *   bench run (load 15) one-shot took 55 s, streaming read in slices 50 s, streaming
 *   through BYOB 15 s.
 * Memory: a new read starts only while the small-file bytes read and not yet hashed, plus
 * the reads in flight times the average small file so far (at least 16 KiB), stay within
 * `maxBufferedBytes` (one read is always allowed). Sizes are not known before the read,
 * so a run whose files grow suddenly can hold up to `readsInFlight` × (`smallFileBytes`
 * + one stream piece) for a moment. Each worker holds up to two tasks (one running, one
 * queued).
 * The digests come back out of order; each carries its file's index, and one worker
 * builds the manifest (sorted by UTF-8 path bytes, the same core as the CLI), so the
 * root equals `datadeed fingerprint`'s for the same files.
 */
import { codeOf, DataDeedError } from '../../errors.ts';
import { BROWSER_FINGERPRINT_ERROR_CODES, FingerprintError, type BrowserFingerprintErrorCode } from '../errors.ts';
import type { Manifest } from '../manifest.ts';
import { normalizePath } from '../path.ts';
import type { HashSettings, LeafEntry, PickedFile, ReadFile, StreamEngine, TaskFile, WorkerReply, WorkerRequest } from './protocol.ts';

const MiB = 1 << 20;

/** Default chunk of streamed reads (large files, in the worker). */
export const DEFAULT_CHUNK_BYTES = 4 * MiB;
/** Slices of one-shot reads, and how many are read at once. */
export const DEFAULT_ONESHOT_CHUNK_BYTES = 16 * MiB;
export const DEFAULT_PARALLEL_READS = 4;
/** Files up to this size are read by the page and batched many per task. */
export const DEFAULT_SMALL_FILE_BYTES = 1 * MiB;
/**
 * Reads of small files the page keeps in flight, at most. Chromium, 2,000 files of 0–32
 * KiB on a loaded 2-core machine: 8 took ~3× as long as 64; 256 ran ~1.3–1.7× faster than 64;
 * 1,024 no faster than 256 (2026-12-02).
 */
export const DEFAULT_READS_IN_FLIGHT = 256;
/** Bound on small-file bytes held by the page and its workers (read, or expected from reads in flight, and not yet hashed). */
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * MiB;
/** The smallest size a read in flight is expected to bring, for the bound above. */
const MIN_EXPECTED_READ_BYTES = 16 * 1024;
/** At most this many files per batch (and about `BATCH_BYTES` bytes). */
const MAX_BATCH_FILES = 128;
const BATCH_BYTES = 8 * MiB;
/** Tasks given to one worker at once: one running, one waiting. */
const TASKS_PER_WORKER = 2;
/** Progress is reported at most this often (and once at the start and the end). */
const PROGRESS_MILLIS = 100;

/**
 * A bound on bytes held for one-shot WebCrypto digests for a caller that wants them (the
 * default is 0: stream every large file; see the module comment): an eighth of the
 * device memory the browser reports (`navigator.deviceMemory`, GiB; 2 when unknown), at
 * most 1 GiB. A file read whole is held twice (the buffer and WebCrypto's copy).
 */
export function oneShotMemoryBound(): number {
  const gib = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  const memory = (typeof gib === 'number' && gib > 0 ? gib : 2) * 1024 * MiB;
  return Math.min(1024 * MiB, Math.floor(memory / 8));
}

/**
 * Progress of a run: files finished and bytes hashed so far, of the totals. Sizes are
 * learnt as files are read: while `sizing`, not every file's size is known yet and
 * `totalBytes` (the sum of the sizes known) still grows.
 */
export interface Progress {
  files: number;
  bytes: number;
  totalFiles: number;
  totalBytes: number;
  sizing: boolean;
}

/** An error of a browser run, with its stable code. */
export class BrowserFingerprintError extends DataDeedError<BrowserFingerprintErrorCode> {
  /**
   * @param code - the stable failure code (see BROWSER_FINGERPRINT_ERROR_CODES).
   * @param message - a human-readable explanation (not part of the API).
   */
  constructor(code: BrowserFingerprintErrorCode, message: string) {
    super(code, message);
    this.name = 'BrowserFingerprintError';
  }
}

export interface FingerprintOptions {
  /** URL of the worker script (`/assets/fingerprint-worker.js`). */
  workerUrl: string;
  /** Number of workers; default `navigator.hardwareConcurrency` (never more than there are files). */
  workers?: number;
  /** Called at most every 100 ms, and at the start and the end of the run. */
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Chunk of streamed reads, bytes (default 4 MiB). */
  chunkBytes?: number;
  /** Streamed files through a BYOB reader into reused buffers where the browser has one (default true); false: slices. */
  byob?: boolean;
  /** Slices read ahead while one is hashed, when streamed files are read in slices (default 2). */
  readAhead?: number;
  /** Slice of one-shot reads, bytes (default 16 MiB). */
  oneShotChunkBytes?: number;
  /** One-shot slices read at once (default 4). */
  parallelReads?: number;
  /** Files up to this size are read by the page and batched (default 1 MiB). */
  smallFileBytes?: number;
  /** Larger files up to this size get one WebCrypto digest (default 0: always stream; see {@link oneShotMemoryBound}). */
  oneShotMaxBytes?: number;
  /** Digest of small files in the workers (default WebAssembly). */
  smallHash?: HashSettings['smallHash'];
  /** Reads of small files in flight on the page, at most (default 256). */
  readsInFlight?: number;
  /** Bound on small-file bytes read or expected from reads in flight, not yet hashed (default 64 MiB). */
  maxBufferedBytes?: number;
}

export interface FingerprintResult {
  manifest: Manifest;
  /** Wall time of the run, from the call to the manifest. */
  millis: number;
  /** From the call until every file was read by the page (small) or handed to a worker (large). */
  readMillis: number;
  /** From the call to the last digest (the rest builds the manifest). */
  hashMillis: number;
  /** Workers used. */
  workers: number;
  /** The streaming SHA-256 the workers had (`noble` when WebAssembly was refused). */
  engine: StreamEngine;
}

/** Work for one worker: a batch of small files read by the page, or one large file. */
type Task = { id: number; bytes: number; oneShotBytes: number } & ({ kind: 'read'; files: ReadFile[]; transfer: ArrayBuffer[] } | { kind: 'file'; file: TaskFile });

interface Slot {
  worker: Worker;
  tasks: Set<number>;
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
}

/**
 * Reads a file through its stream while it stays within `limit` bytes. Resolves with
 * its pieces (their concatenation is the file), or `undefined` once it goes past
 * `limit` (the read is then cancelled). Rejects with the browser's read error.
 */
async function readUpTo(file: File, limit: number): Promise<Uint8Array[] | undefined> {
  const reader = file.stream().getReader();
  const pieces: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return pieces;
    if (value.byteLength === 0) continue;
    bytes += value.byteLength;
    if (bytes > limit) {
      reader.cancel().catch(() => undefined);
      return undefined;
    }
    pieces.push(value);
  }
}

/**
 * Fingerprints files with a pool of workers started from `opts.workerUrl` and resolves
 * with the manifest. The workers are terminated afterwards (or when `signal` aborts).
 * @throws BrowserFingerprintError with the core's codes (`duplicate_path`, `path_*`),
 *   `read_failed`, `file_changed`, `worker_failed`, `internal_error`, `aborted`.
 */
export function fingerprintFiles(files: PickedFile[], opts: FingerprintOptions): Promise<FingerprintResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new BrowserFingerprintError('aborted', 'fingerprinting was cancelled'));
    let normalized: { index: number; path: string; file: File }[];
    try {
      normalized = files.map((f, index) => ({ index, path: normalizePath(f.path), file: f.file }));
    } catch (err) {
      if (err instanceof FingerprintError) return reject(new BrowserFingerprintError(err.code, err.message));
      return reject(err);
    }
    const hasSubtle = globalThis.crypto?.subtle !== undefined;
    const settings: HashSettings = {
      chunkBytes: Math.max(64 * 1024, positive(opts.chunkBytes, DEFAULT_CHUNK_BYTES)),
      byob: opts.byob !== false,
      readAhead: Math.floor(positive(opts.readAhead, 2)),
      oneShotChunkBytes: Math.max(64 * 1024, positive(opts.oneShotChunkBytes, DEFAULT_ONESHOT_CHUNK_BYTES)),
      parallelReads: Math.max(1, Math.floor(positive(opts.parallelReads, DEFAULT_PARALLEL_READS))),
      smallHash: opts.smallHash === 'webcrypto' && hasSubtle ? 'webcrypto' : 'wasm',
    };
    const hardware = globalThis.navigator?.hardwareConcurrency;
    const wanted = Math.max(1, Math.floor(positive(opts.workers, typeof hardware === 'number' && hardware > 0 ? hardware : 2)));
    const smallFileBytes = positive(opts.smallFileBytes, DEFAULT_SMALL_FILE_BYTES);
    const oneShotMaxBytes = hasSubtle ? positive(opts.oneShotMaxBytes, 0) : 0;
    const readsInFlight = Math.max(1, Math.floor(positive(opts.readsInFlight, DEFAULT_READS_IN_FLIGHT)));
    const maxBufferedBytes = Math.max(1, positive(opts.maxBufferedBytes, DEFAULT_MAX_BUFFERED_BYTES));
    const totalFiles = normalized.length;
    const workerCount = Math.max(1, Math.min(wanted, totalFiles));
    // Enough batches to keep every worker busy to the end, few enough to amortise round trips.
    const perBatch = Math.max(1, Math.min(MAX_BATCH_FILES, Math.ceil(totalFiles / (workerCount * 8))));

    const tasks: Task[] = [];
    const large: Task[] = []; // waiting, larger first
    const small: Task[] = []; // waiting, in order
    let batch: (Task & { kind: 'read' }) | undefined;
    let nextRead = 0; // the next file the page reads
    let reading = 0; // reads in flight
    let buffered = 0; // small-file bytes read and not yet hashed
    let smallFiles = 0; // small files read, and their bytes (the expected size of a read)
    let smallBytes = 0;
    let known = 0; // files whose size is known (read whole, or large and sized)
    let totalBytes = 0;
    let doneFiles = 0;
    let doneBytes = 0;
    let completed = 0;
    let oneShotInFlight = 0;
    let hashMillis = 0;
    let readMillis = 0;
    let engine: StreamEngine = 'wasm';
    const entries: LeafEntry[] = new Array(totalFiles);
    let settled = false;
    const slots: Slot[] = [];

    const finish = (err?: BrowserFingerprintError, result?: FingerprintResult): void => {
      if (settled) return;
      settled = true;
      for (const s of slots) s.worker.terminate();
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(result!);
    };
    const onAbort = (): void => finish(new BrowserFingerprintError('aborted', 'fingerprinting was cancelled'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    let lastReport = -Infinity;
    const report = (force = false): void => {
      if (opts.onProgress === undefined) return;
      const now = performance.now();
      if (!force && now - lastReport < PROGRESS_MILLIS) return;
      lastReport = now;
      opts.onProgress({ files: doneFiles, bytes: doneBytes, totalFiles, totalBytes, sizing: known < totalFiles });
    };

    const fits = (t: Task): boolean => t.oneShotBytes === 0 || oneShotInFlight === 0 || oneShotInFlight + t.oneShotBytes <= oneShotMaxBytes;
    const nextTask = (): Task | undefined => {
      const l = large.findIndex(fits);
      if (l >= 0) return large.splice(l, 1)[0];
      return small.shift();
    };
    const send = (slot: Slot, t: Task): void => {
      slot.tasks.add(t.id);
      oneShotInFlight += t.oneShotBytes;
      if (t.kind === 'read') {
        slot.worker.postMessage({ type: 'digest', task: t.id, files: t.files, settings } satisfies WorkerRequest, t.transfer);
        t.files = []; // the buffers now belong to the worker
        t.transfer = [];
      } else slot.worker.postMessage({ type: 'hash', task: t.id, file: t.file, settings } satisfies WorkerRequest);
    };
    const closeBatch = (): void => {
      if (batch === undefined) return;
      small.push(batch);
      batch = undefined;
    };
    const pump = (): void => {
      // A partial batch goes out as soon as a worker has nothing to do.
      if (batch !== undefined && small.length === 0 && slots.some((s) => s.tasks.size === 0)) closeBatch();
      for (const slot of slots) {
        while (slot.tasks.size < TASKS_PER_WORKER) {
          const t = nextTask();
          if (t === undefined) return;
          send(slot, t);
        }
      }
    };
    let building = false;
    const maybeDone = (): void => {
      if (building || known < totalFiles || batch !== undefined || completed < tasks.length) return;
      building = true;
      hashMillis = performance.now() - started;
      report(true);
      const slot = slots[0]!;
      slot.tasks.add(-1);
      slot.worker.postMessage({ type: 'manifest', task: -1, entries } satisfies WorkerRequest);
    };

    /** A small file read whole: into the open batch (closed when full). */
    const addSmall = (f: (typeof normalized)[number], pieces: Uint8Array[]): void => {
      batch ??= { kind: 'read', id: tasks.length, files: [], transfer: [], bytes: 0, oneShotBytes: 0 };
      if (batch.files.length === 0) tasks.push(batch);
      const chunks: ArrayBuffer[] = [];
      let size = 0;
      for (const p of pieces) {
        // A piece that is a whole buffer moves with the message; any other is copied out.
        const whole = p.byteOffset === 0 && p.byteLength === p.buffer.byteLength && p.buffer instanceof ArrayBuffer && !batch.transfer.includes(p.buffer);
        const buffer = whole ? (p.buffer as ArrayBuffer) : p.slice().buffer;
        chunks.push(buffer);
        batch.transfer.push(buffer);
        size += p.byteLength;
      }
      batch.files.push({ index: f.index, path: f.path, chunks });
      batch.bytes += size;
      buffered += size;
      totalBytes += size;
      smallFiles++;
      smallBytes += size;
      if (batch.files.length >= perBatch || batch.bytes >= BATCH_BYTES) closeBatch();
    };
    /** A file past the small-file bound: a task of its own, for a worker to read. */
    const addLarge = (f: (typeof normalized)[number]): void => {
      const size = f.file.size; // the synchronous call, once per large file
      totalBytes += size;
      const oneshot = size <= oneShotMaxBytes;
      const t: Task = { kind: 'file', id: tasks.length, file: { index: f.index, path: f.path, file: f.file, method: oneshot ? 'oneshot' : 'stream' }, bytes: size, oneShotBytes: oneshot ? size : 0 };
      tasks.push(t);
      let at = large.length;
      while (at > 0 && large[at - 1]!.bytes < size) at--;
      large.splice(at, 0, t);
    };

    /** Whether one more read keeps the bytes held and expected within the bound. */
    const roomToRead = (): boolean => {
      if (reading >= readsInFlight) return false;
      if (reading === 0 && buffered === 0) return true;
      const expected = Math.max(MIN_EXPECTED_READ_BYTES, smallFiles > 0 ? smallBytes / smallFiles : 0);
      return buffered + (reading + 1) * expected <= maxBufferedBytes;
    };
    /** Starts reads, in pick order, while there is room (see `roomToRead`). */
    const readMore = (): void => {
      while (!settled && nextRead < totalFiles && roomToRead()) {
        const f = normalized[nextRead++]!;
        reading++;
        readUpTo(f.file, smallFileBytes).then(
          (pieces) => {
            reading--;
            if (settled) return;
            if (pieces === undefined) addLarge(f);
            else addSmall(f, pieces);
            known++;
            if (known === totalFiles) {
              readMillis = performance.now() - started;
              closeBatch();
            }
            readMore();
            pump();
            report();
            maybeDone();
          },
          (err: unknown) => {
            reading--;
            finish(new BrowserFingerprintError('read_failed', `${JSON.stringify(f.path)}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`));
          },
        );
      }
    };

    const onReply = (slot: Slot, reply: WorkerReply): void => {
      if (settled) return;
      switch (reply.type) {
        case 'progress':
          doneBytes += reply.bytes;
          report();
          return;
        case 'hashed': {
          const t = tasks[reply.task]!;
          slot.tasks.delete(t.id);
          completed++;
          oneShotInFlight -= t.oneShotBytes;
          if (t.kind === 'read') {
            buffered -= t.bytes;
            doneBytes += t.bytes; // (a large file's bytes came as progress)
          }
          if (reply.engine === 'noble') engine = 'noble';
          for (const d of reply.digests) {
            const f = normalized[d.index]!;
            entries[d.index] = { entry: { path: f.path, size: d.size, sha256: d.sha256 }, leaf: d.leaf };
          }
          doneFiles += reply.digests.length;
          readMore();
          pump();
          report();
          maybeDone();
          return;
        }
        case 'manifest':
          finish(undefined, { manifest: reply.manifest, millis: performance.now() - started, readMillis, hashMillis, workers: workerCount, engine });
          return;
        case 'error': {
          const path = reply.index !== undefined ? normalized[reply.index]?.path : undefined;
          finish(new BrowserFingerprintError(codeOf(BROWSER_FINGERPRINT_ERROR_CODES, reply.code, 'worker_failed'), path !== undefined ? `${JSON.stringify(path)}: ${reply.message}` : reply.message));
          return;
        }
      }
    };

    for (let i = 0; i < workerCount; i++) {
      let worker: Worker;
      try {
        worker = new Worker(opts.workerUrl);
      } catch (err) {
        return finish(new BrowserFingerprintError('worker_failed', `cannot start the fingerprint worker: ${err instanceof Error ? err.message : String(err)}`));
      }
      const slot: Slot = { worker, tasks: new Set() };
      slots.push(slot);
      worker.addEventListener('message', (e: MessageEvent<WorkerReply>) => onReply(slot, e.data));
      worker.addEventListener('error', (e) => finish(new BrowserFingerprintError('worker_failed', e.message || 'the fingerprint worker failed')));
    }
    report(true);
    if (totalFiles === 0) maybeDone();
    else readMore();
  });
}
