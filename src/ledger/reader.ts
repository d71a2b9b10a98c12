/**
 * Read-only access to the evidence log, as the public reads it: the signed checkpoint,
 * tiles (C2SP tlog-tiles), entries, and RFC 9162 proofs. What the HTTP layer and
 * bundles need, and nothing that writes. An implementation serves committed state
 * only; every answer is consistent with some published checkpoint.
 */

/** What one instance's writer has done (metrics). */
export interface WriterStats {
  queueDepth: number;
  appended: number;
  batches: number;
  refused: number;
  /** Vacuums of the tree state table this instance ran, and those that failed. */
  vacuums: number;
  vacuumFailures: number;
}

/** A signed checkpoint as published (C2SP tlog-checkpoint in a signed note). */
export interface LogCheckpoint {
  size: number;
  rootHash: Uint8Array;
  /** The signed note, exactly as served. */
  note: string;
  createdAt: Date;
}

/** How one witness of the registry's trust policy is doing (for /readyz and /metrics). */
export interface WitnessStatus {
  /** The witness's name in the policy. */
  name: string;
  /** Its cosigner key name and key ID (8 hex). */
  keyName: string;
  keyId: string;
  /** Its submission URL, if the policy gives one (a witness without one is never asked). */
  url?: string;
  /** The size it last cosigned, as far as the registry knows (0: never). */
  size: number;
  /** ISO 8601 times of the last valid cosignature and the last failure. */
  lastSuccessAt?: string;
  lastError?: string;
  lastErrorAt?: string;
  /** Failures in a row since the last success (the back-off grows with them). */
  failures: number;
}

export interface LogReader {
  /** Entries integrated so far (the tree state; the newest published checkpoint may be smaller). */
  treeSize(): Promise<number>;
  /** The newest published checkpoint, or undefined for a log never written. */
  latestCheckpoint(): Promise<LogCheckpoint | undefined>;
  /**
   * A published checkpoint that includes entry `index`: the newest one, or — when it
   * does not include it yet — the next one, published on demand.
   */
  checkpointIncluding(index: number): Promise<LogCheckpoint>;
  /**
   * The checkpoint `/checkpoint` serves: with a witness policy, the newest one whose
   * cosignatures meet the quorum (the newest published one until one does); without
   * one, the newest published checkpoint.
   */
  servedCheckpoint(): Promise<LogCheckpoint | undefined>;
  /**
   * What `servedCheckpoint()` would answer now without reading (it was read within the
   * checkpoint cache time and nothing this process knows of changed it since), or
   * undefined when it would read: for answers that must not wait (the read fast path).
   */
  servedCheckpointIfFresh(): LogCheckpoint | undefined;
  /**
   * The checkpoint a bundle or receipt of entry `index` carries: with a witness
   * policy, the newest checkpoint meeting the quorum when it includes the entry; else
   * `checkpointIncluding(index)`.
   */
  bundleCheckpoint(index: number): Promise<LogCheckpoint>;
  /** The RFC 3161 time-stamp token (DER) over the checkpoint of `size`, if one is stored (DATADEED_TSA_URL). */
  timestampToken(size: number): Promise<Uint8Array | undefined>;
  /** The witnesses of the policy and how they are doing (empty without a policy). */
  witnessStatus(): WitnessStatus[];
  /** Why the log stopped writing and signing (a rollback or fork guard), or undefined while it runs. */
  stopped(): Error | undefined;
  /**
   * The tree size, or — when `size` is no larger than a size this reader already read —
   * that size without a read (the tree only grows): for checks that a request is within the tree.
   */
  treeSizeAtLeast(size: number): Promise<number>;
  /** The published checkpoint of exactly `size`, if any. */
  checkpointAt(size: number): Promise<LogCheckpoint | undefined>;
  /**
   * What `checkpointAt(size)` would answer now from memory without reading (read within
   * the checkpoint cache time), or undefined when it would read or knows none.
   */
  checkpointAtIfFresh(size: number): LogCheckpoint | undefined;
  /** One entry, or undefined. */
  entry(index: number): Promise<Uint8Array | undefined>;
  /** Entries [begin, end), ascending. */
  entries(begin: number, end: number): Promise<Uint8Array[]>;
  /** The leaf hash of entry `index` (RFC 9162 §2.1.1), or undefined. */
  leafHash(index: number): Promise<Uint8Array | undefined>;
  /** Node hashes of `level`, indices [begin, end), ascending (tile contents). */
  levelHashes(level: number, begin: number, end: number): Promise<Uint8Array[]>;
  /** RFC 9162 §2.1.3.1 inclusion proof of `index` in the tree of `size`, with the leaf hash. */
  inclusionProof(index: number, size: number): Promise<{ leafHash: Uint8Array; proof: Uint8Array[] }>;
  /** Inclusion proofs of several entries in the tree of `size`, in the order given (one read for all). */
  inclusionProofs(indices: readonly number[], size: number): Promise<{ leafHash: Uint8Array; proof: Uint8Array[] }[]>;
  /** RFC 9162 §2.1.4.1 consistency proof between trees of size1 ≤ size2. */
  consistencyProof(size1: number, size2: number): Promise<Uint8Array[]>;
  /** This instance's writer, for metrics: appends waiting now, and committed/refused so far. */
  writerStats(): WriterStats;
  /** Calls `listener` after each batch this instance commits (entries, ms); returns the function that stops it. */
  onBatch(listener: (entries: number, millis: number) => void): () => void;
}
