/**
 * Messages between the page's worker pool (`pool.ts`) and its hashing Web Workers
 * (`worker.ts`). Small files are read by the page and their bytes transferred (moved,
 * not copied) to a worker in batches; a large file crosses as a File handle and the
 * worker reads it itself. The workers answer with digests; the last step, building the
 * manifest, is also a task for one worker so that the page's main thread stays free.
 */
import type { ManifestEntry } from '../leaf.ts';
import type { Manifest } from '../manifest.ts';

/** A file picked in the page, with its dataset-relative path (not yet normalised). */
export interface PickedFile {
  path: string;
  file: File;
}

/**
 * How a worker hashes one large file:
 * - `stream`: WebAssembly SHA-256 (hash-wasm) fed with `File.slice` chunks of
 *   `chunkBytes`, the next chunk read while the current one is hashed; constant memory.
 * - `oneshot`: the whole file read into one buffer, then one WebCrypto digest (the
 *   browser's native SHA-256, which uses the CPU's SHA instructions); memory = 2 × size
 *   for the duration (WebCrypto copies its input). The pool bounds the bytes in flight.
 */
export type HashMethod = 'stream' | 'oneshot';

/** Tuning of one run, fixed by the pool (see `pool.ts` for the defaults). */
export interface HashSettings {
  /** Chunk size of streamed files (≥ 1 MiB by default). */
  chunkBytes: number;
  /** Streamed files: read through a BYOB reader of the File's byte stream into reused buffers (where the browser has one), else in slices. */
  byob: boolean;
  /** Chunks read ahead of the one being hashed (streamed files read in slices). */
  readAhead: number;
  /** Slice size of one-shot reads. */
  oneShotChunkBytes: number;
  /** Slices of a one-shot file read at once (Chromium reads a file faster with several reads in flight). */
  parallelReads: number;
  /** Digest of small files read by the page: the worker's WebAssembly SHA-256, or WebCrypto. */
  smallHash: 'wasm' | 'webcrypto';
}

/** A large file for a worker to read: its index in the run (to put the result back in place) and canonical path. */
export interface TaskFile {
  index: number;
  /** Canonical dataset path (for the manifest leaf, which the worker computes beside the digest). */
  path: string;
  file: File;
  method: HashMethod;
}

/**
 * A small file the page has read whole: its bytes, in the pieces the browser's stream
 * gave them (their concatenation is the file; none may be empty). The buffers are
 * transferred with the message.
 */
export interface ReadFile {
  index: number;
  path: string;
  chunks: ArrayBuffer[];
}

/** Page → worker. */
export type WorkerRequest =
  | { type: 'hash'; task: number; file: TaskFile; settings: HashSettings }
  | { type: 'digest'; task: number; files: ReadFile[]; settings: HashSettings }
  | { type: 'manifest'; task: number; entries: LeafEntry[] };

/** The digest of one file of a task, and its manifest leaf hash (RFC 6962 leaf of the entry). */
export interface FileDigest {
  index: number;
  size: number;
  sha256: string;
  leaf: Uint8Array;
}

/** A manifest entry with its leaf hash, as the manifest task takes them. */
export interface LeafEntry {
  entry: ManifestEntry;
  leaf: Uint8Array;
}

/** Which SHA-256 implementation a worker streams with. */
export type StreamEngine = 'wasm' | 'noble';

/** Worker → page. */
export type WorkerReply =
  /** Bytes of a large file hashed since the previous progress message of this worker (sent at most every ~50 ms). */
  | { type: 'progress'; bytes: number }
  | { type: 'hashed'; task: number; digests: FileDigest[]; engine: StreamEngine }
  | { type: 'manifest'; task: number; manifest: Manifest }
  /** A task failed; `index` names the file when one file caused it. */
  | { type: 'error'; task: number; code: string; message: string; index?: number };
