/**
 * Fingerprinting picked files with a pool of Web Workers (`worker.ts`), one per
 * logical CPU by default (DESIGN §4, in the browser).
 *
 * Plan of a run: paths are normalised here first (a bad path fails before any byte is
 * read). Then the files' sizes are taken on the main thread, a slice at a time, and
 * tasks are handed out as they form: for files picked from a folder, Chromium asks the
 * browser process for each file's size by a synchronous call the first time it is
 * needed (also when a File is posted to a worker), so this is the one serial cost per
 * file, and the workers read and hash while it goes on. Files larger than
 * `smallFileBytes` become one task each, larger ones first; the small files are
 * batched many per task, so a worker round trip is paid per batch, not per file. Each
 * worker holds up to two tasks (one running, one queued). A large file is hashed in
 * one of two ways:
 * - up to `oneShotMaxBytes`: read whole, one WebCrypto digest (native SHA-256, the
 *   fastest the platform offers, but it holds the file in memory twice). The pool
 *   keeps the sum of such files in flight within `oneShotMaxBytes`;
 * - larger: streamed through the worker's WebAssembly SHA-256 in `chunkBytes` slices
 *   (constant memory, any size).
 * Why both: WebAssembly has no SHA instructions, so hash-wasm's SHA-256 ran ~160–180 MB/s
 * in Chromium on a machine where `openssl dgst -sha256` (SHA extensions) ran ~1.4 GB/s
 * and WebCrypto's digest ~600–900 MB/s (measured 2026-12-01, 2-core AMD EPYC).
 * The digests come back out of order; each carries its file's index, and one worker
 * builds the manifest (sorted by UTF-8 path bytes, the same core as the CLI), so the
 * root equals `datadeed fingerprint`'s for the same files.
 */
import { codeOf, DataDeedError } from '../../errors.ts';
import { BROWSER_FINGERPRINT_ERROR_CODES, FingerprintError, type BrowserFingerprintErrorCode } from '../errors.ts';
import type { Manifest } from '../manifest.ts';
import { normalizePath } from '../path.ts';
import type { HashSettings, LeafEntry, PickedFile, StreamEngine, TaskFile, WorkerReply, WorkerRequest } from './protocol.ts';

const MiB = 1 << 20;

/** Default chunk of streamed and one-shot reads. */
export const DEFAULT_CHUNK_BYTES = 4 * MiB;
/** Slices of one-shot reads, and how many are read at once. */
export const DEFAULT_ONESHOT_CHUNK_BYTES = 16 * MiB;
export const DEFAULT_PARALLEL_READS = 4;
/** Files up to this size are read whole and batched many per task. */
export const DEFAULT_SMALL_FILE_BYTES = 1 * MiB;
/** At most this many files per batch (and about `BATCH_BYTES` bytes). */
const MAX_BATCH_FILES = 128;
const BATCH_BYTES = 16 * MiB;
/** Tasks given to one worker at once: one running, one waiting. */
const TASKS_PER_WORKER = 2;

/**
 * The default bound on bytes held for one-shot WebCrypto digests: an eighth of the
 * device memory the browser reports (`navigator.deviceMemory`, GiB; 2 when unknown),
 * at most 1 GiB. A file read whole is held twice (the buffer and WebCrypto's copy).
 */
export function defaultOneShotMaxBytes(): number {
  const gib = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  const memory = (typeof gib === 'number' && gib > 0 ? gib : 2) * 1024 * MiB;
  return Math.min(1024 * MiB, Math.floor(memory / 8));
}

/**
 * Progress of a run: files finished and bytes hashed so far, of the totals. While
 * `sizing`, not every file's size is known yet and `totalBytes` still grows.
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
  /** Number of workers; default `navigator.hardwareConcurrency` (never more than there are tasks). */
  workers?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Chunk of streamed reads, bytes (default 4 MiB). */
  chunkBytes?: number;
  /** Slices read ahead while one is hashed (default 2). */
  readAhead?: number;
  /** Slice of one-shot reads, bytes (default 16 MiB). */
  oneShotChunkBytes?: number;
  /** One-shot slices read at once (default 4). */
  parallelReads?: number;
  /** Files up to this size are batched (default 1 MiB). */
  smallFileBytes?: number;
  /** Larger files up to this size get one WebCrypto digest (default {@link defaultOneShotMaxBytes}; 0: always stream). */
  oneShotMaxBytes?: number;
  /** Digest of small files (default WebCrypto where available, else WebAssembly). */
  smallHash?: HashSettings['smallHash'];
  /** Groups of small files read at once per worker (default 4). */
  lanes?: number;
  /** Small files per group, read as one Blob (default 32). */
  groupFiles?: number;
}

export interface FingerprintResult {
  manifest: Manifest;
  /** Wall time of the run, from the call to the manifest. */
  millis: number;
  /** From the call until every file's size was known (the serial part, on the main thread). */
  sizeMillis: number;
  /** From the call to the last digest (the rest builds the manifest). */
  hashMillis: number;
  /** Workers used. */
  workers: number;
  /** The streaming SHA-256 the workers had (`noble` when WebAssembly was refused). */
  engine: StreamEngine;
}

interface Task {
  id: number;
  files: TaskFile[];
  bytes: number;
  /** Bytes this task holds for one-shot digests. */
  oneShotBytes: number;
}

interface Slot {
  worker: Worker;
  tasks: Set<number>;
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
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
      readAhead: Math.floor(positive(opts.readAhead, 2)),
      oneShotChunkBytes: Math.max(64 * 1024, positive(opts.oneShotChunkBytes, DEFAULT_ONESHOT_CHUNK_BYTES)),
      parallelReads: Math.max(1, Math.floor(positive(opts.parallelReads, DEFAULT_PARALLEL_READS))),
      lanes: Math.max(1, Math.floor(positive(opts.lanes, 4))),
      groupFiles: Math.max(1, Math.floor(positive(opts.groupFiles, 32))),
      smallHash: opts.smallHash ?? (hasSubtle ? 'webcrypto' : 'wasm'),
    };
    const hardware = globalThis.navigator?.hardwareConcurrency;
    const wanted = Math.max(1, Math.floor(positive(opts.workers, typeof hardware === 'number' && hardware > 0 ? hardware : 2)));
    const smallFileBytes = positive(opts.smallFileBytes, DEFAULT_SMALL_FILE_BYTES);
    const oneShotMaxBytes = hasSubtle ? positive(opts.oneShotMaxBytes, defaultOneShotMaxBytes()) : 0;
    const totalFiles = normalized.length;
    const workerCount = Math.max(1, Math.min(wanted, totalFiles));
    // Enough batches to keep every worker busy to the end, few enough to amortise round trips.
    const perBatch = Math.max(1, Math.min(MAX_BATCH_FILES, Math.ceil(totalFiles / (workerCount * 8))));

    const tasks: Task[] = [];
    const large: Task[] = []; // waiting, larger first
    const small: Task[] = []; // waiting, in order
    let batch: Task | undefined;
    let sized = 0;
    let totalBytes = 0;
    let doneFiles = 0;
    let doneBytes = 0;
    let completed = 0;
    let oneShotInFlight = 0;
    let hashMillis = 0;
    let sizeMillis = 0;
    let engine: StreamEngine = 'wasm';
    const entries: LeafEntry[] = new Array(totalFiles);
    let settled = false;
    const slots: Slot[] = [];
    const tick = new MessageChannel();

    const finish = (err?: BrowserFingerprintError, result?: FingerprintResult): void => {
      if (settled) return;
      settled = true;
      for (const s of slots) s.worker.terminate();
      tick.port1.close();
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(result!);
    };
    const onAbort = (): void => finish(new BrowserFingerprintError('aborted', 'fingerprinting was cancelled'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    const report = (): void => opts.onProgress?.({ files: doneFiles, bytes: doneBytes, totalFiles, totalBytes, sizing: sized < totalFiles });

    const fits = (t: Task): boolean => t.oneShotBytes === 0 || oneShotInFlight === 0 || oneShotInFlight + t.oneShotBytes <= oneShotMaxBytes;
    const nextTask = (): Task | undefined => {
      const l = large.findIndex(fits);
      if (l >= 0) return large.splice(l, 1)[0];
      return small.shift();
    };
    const send = (slot: Slot, request: WorkerRequest): void => slot.worker.postMessage(request);
    const pump = (): void => {
      for (const slot of slots) {
        while (slot.tasks.size < TASKS_PER_WORKER) {
          const t = nextTask();
          if (t === undefined) return;
          slot.tasks.add(t.id);
          oneShotInFlight += t.oneShotBytes;
          send(slot, { type: 'hash', task: t.id, files: t.files, settings });
        }
      }
    };
    const buildManifest = (): void => {
      hashMillis = performance.now() - started;
      const slot = slots[0]!;
      slot.tasks.add(-1);
      send(slot, { type: 'manifest', task: -1, entries });
    };
    let building = false;
    const maybeDone = (): void => {
      if (building || sized < totalFiles || completed < tasks.length) return;
      building = true;
      buildManifest();
    };

    /** Takes the sizes of the next files (for about 8 ms), forms their tasks, hands them out. */
    const sizeSome = (): void => {
      if (settled) return;
      const until = performance.now() + 8;
      do {
        const f = normalized[sized]!;
        const size = f.file.size; // the synchronous call, for a file picked from a folder
        totalBytes += size;
        sized++;
        if (size > smallFileBytes) {
          const oneshot = size <= oneShotMaxBytes;
          const t: Task = { id: tasks.length, files: [{ index: f.index, path: f.path, file: f.file, method: oneshot ? 'oneshot' : 'stream' }], bytes: size, oneShotBytes: oneshot ? size : 0 };
          tasks.push(t);
          let at = large.length;
          while (at > 0 && large[at - 1]!.bytes < size) at--;
          large.splice(at, 0, t);
        } else {
          if (batch === undefined) {
            batch = { id: tasks.length, files: [], bytes: 0, oneShotBytes: 0 };
            tasks.push(batch);
          }
          batch.files.push({ index: f.index, path: f.path, file: f.file, method: 'small' });
          batch.bytes += size;
          if (batch.files.length >= perBatch || batch.bytes >= BATCH_BYTES) {
            small.push(batch); // full: handed out now
            batch = undefined;
          }
        }
      } while (sized < totalFiles && performance.now() < until);
      if (sized === totalFiles) sizeMillis = performance.now() - started;
      if (sized === totalFiles && batch !== undefined) {
        small.push(batch); // the last, partial batch
        batch = undefined;
      }
      report();
      pump();
      if (sized < totalFiles) tick.port2.postMessage(null); // the rest after replies are handled
      else maybeDone();
    };
    tick.port1.onmessage = sizeSome;

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
          if (reply.engine === 'noble') engine = 'noble';
          for (const d of reply.digests) {
            const f = normalized[d.index]!;
            entries[d.index] = { entry: { path: f.path, size: d.size, sha256: d.sha256 }, leaf: d.leaf };
          }
          doneFiles += reply.digests.length;
          report();
          pump();
          maybeDone();
          return;
        }
        case 'manifest':
          finish(undefined, { manifest: reply.manifest, millis: performance.now() - started, sizeMillis, hashMillis, workers: workerCount, engine });
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
    if (totalFiles === 0) maybeDone();
    else sizeSome();
  });
}
