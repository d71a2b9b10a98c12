/** Messages between the hashing pool (main thread) and its worker threads. */

/** A size the listing did not take (the file was not stat-ed): it is read to its end. */
export const UNKNOWN_SIZE = -1;

/**
 * Main → worker: hash these files, in order. Parallel arrays (cheaper to copy between
 * threads than one object per file). `paths`: the canonical dataset paths, for the
 * leaf hashes; `sizes`: the sizes when listed, or {@link UNKNOWN_SIZE}; `stream`: the
 * files are large (handed back as `deferred` before): stream them.
 */
export interface HashBatch {
  t: 'batch';
  id: number;
  absPaths: string[];
  paths: string[];
  sizes: number[];
  stream?: boolean;
}

/**
 * The digests of a batch, file by file in batch order: SHA-256 (hex), size read, and
 * the manifest leaf hash (RFC 6962 leaf of JCS `{path,size,sha256}`, 32 bytes each, in
 * `leaves`, transferred). A file that could not be read has `sha256[i] === ''` and the
 * reason in `errors[i]`; a file of unknown size that proved large (it filled the read
 * buffer) is not hashed and `deferred[i]` is true; a batch stopped early (abort) has
 * fewer entries.
 */
export interface BatchResult {
  sha256: string[];
  sizes: number[];
  leaves: Uint8Array;
  errors?: (string | undefined)[];
  deferred?: (true | undefined)[];
}

/** Worker → main. `bytes` counts bytes hashed since the worker's previous message. */
export type WorkerMessage = { t: 'progress'; bytes: number } | ({ t: 'result'; id: number; bytes: number } & BatchResult);

/** Data every worker starts with. */
export interface HashWorkerData {
  chunkSize: number;
}
