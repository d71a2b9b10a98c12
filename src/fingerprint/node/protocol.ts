/** Messages between the hashing pool (main thread) and its worker threads. */

/** Main → worker: hash these files, in order. */
export interface HashBatch {
  t: 'batch';
  id: number;
  /** `path`: the canonical dataset path, for the leaf hash. */
  files: { path: string; absPath: string; size: number }[];
}

/**
 * The digest of one file and its manifest leaf hash (RFC 6962 leaf of JCS
 * `{path,size,sha256}`, hex), or why it could not be read.
 */
export type HashOutcome = { ok: true; sha256: string; size: number; leaf: string } | { ok: false; error: string };

/** Worker → main. `bytes` counts bytes hashed since the worker's previous message. */
export type WorkerMessage = { t: 'progress'; bytes: number } | { t: 'result'; id: number; bytes: number; outcomes: HashOutcome[] };

/** Data every worker starts with. */
export interface HashWorkerData {
  chunkSize: number;
}
