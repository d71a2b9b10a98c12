/** Messages between the hashing pool (main thread) and its worker threads. */

/**
 * Main → worker: hash these files, in order. Parallel arrays (cheaper to copy between
 * threads than one object per file). `paths`: the canonical dataset paths, for the
 * leaf hashes; `sizes`: the sizes when listed.
 */
export interface HashBatch {
  t: 'batch';
  id: number;
  absPaths: string[];
  paths: string[];
  sizes: number[];
}

/**
 * The digests of a batch, file by file in batch order: SHA-256 (hex), size read, and
 * the manifest leaf hash (RFC 6962 leaf of JCS `{path,size,sha256}`, 32 bytes each, in
 * `leaves`, transferred). A file that could not be read has `sha256[i] === ''` and the
 * reason in `errors[i]`; a batch stopped early (abort) has fewer entries.
 */
export interface BatchResult {
  sha256: string[];
  sizes: number[];
  leaves: Uint8Array;
  errors?: (string | undefined)[];
}

/** Worker → main. `bytes` counts bytes hashed since the worker's previous message. */
export type WorkerMessage = { t: 'progress'; bytes: number } | ({ t: 'result'; id: number; bytes: number } & BatchResult);

/** Data every worker starts with. */
export interface HashWorkerData {
  chunkSize: number;
}
