/**
 * The sequencer: group commit of log entries.
 *
 * Concurrent `append`s queue up; the sequencer takes up to `maxBatch` of them and,
 * in ONE database transaction, (1) takes the log's advisory lock, (2) reads the
 * newest checkpoint, (3) runs each caller's effect under a savepoint and assigns
 * indices, (4) writes entries, completed nodes and a new signed checkpoint. A
 * caller is acknowledged only after COMMIT returns. One batch is in flight per
 * process; across processes on one PostgreSQL database the transaction-scoped
 * advisory lock makes exactly one sequencer integrate at a time, and whoever
 * holds it next continues from the committed state (takeover needs no
 * coordination: a dead process's lock dies with its connection).
 *
 * Why a crash is safe: nothing is acknowledged before COMMIT; a crash before it
 * rolls the whole batch back (entries, nodes and checkpoint together), after it
 * the batch is durable. Indices are derived from the committed checkpoint under
 * the lock, so there are no gaps and no reordering.
 *
 * Invariant violations (the committed tree shrank below what this process
 * acknowledged, or stored nodes disagree with the checkpoint root) are fatal:
 * the sequencer stops accepting writes.
 */
import { LedgerError } from './errors.ts';
import { formatCheckpoint } from './checkpoint.ts';
import { signNote, type NoteSigner } from './note.ts';
import { bytesEqual, toHex } from './bytes.ts';
import { MAX_ENTRY_BYTES } from './entry.ts';
import type { CompactRange } from './compact.ts';
import type { NodeId } from './tree.ts';
import type { Db } from '../db/database.ts';
import { sql } from 'drizzle-orm';
import type { LogStore, StoredCheckpoint } from './store.ts';

/** Runs inside the batch transaction (under a savepoint) with the index the entry will get. */
export type AppendEffect<T> = (tx: Db, index: number) => Promise<{ entry: Uint8Array; result: T }>;

/** Like AppendEffect, for several consecutive entries (indices firstIndex, firstIndex+1, …), all or none. */
export type AppendManyEffect<T> = (tx: Db, firstIndex: number) => Promise<{ entries: Uint8Array[]; result: T }>;

export interface Appended<T = void> {
  /** Index of the (first) entry. */
  index: number;
  /** Leaf hash of the (first) entry. */
  leafHash: Uint8Array;
  /** Leaf hashes of all entries of this append, in order. */
  leafHashes: Uint8Array[];
  checkpoint: StoredCheckpoint;
  result: T;
}

export interface SequencerOptions {
  store: LogStore;
  origin: string;
  signer: NoteSigner;
  /** Injected clock (checkpoint times). */
  now?: () => Date;
  /** Largest batch (default 1024). */
  maxBatch?: number;
  /** Wait this long for more appends before committing a batch that is not full (default 0). */
  maxWaitMs?: number;
  /** Called for every fatal invariant violation. */
  onFatal?: (err: Error) => void;
}

/** Key of the transaction-scoped advisory lock that serialises integration ('DDlog'). */
export const SEQUENCER_LOCK_KEY = 0x4444_6c6f_67n;

interface Pending {
  /** A plain entry (no savepoint needed) … */
  entry?: Uint8Array;
  /** … its leaf hash, computed at enqueue time, off the commit's critical path. */
  leaf?: Uint8Array;
  /** … or an effect producing entries inside the transaction. */
  effect?: AppendManyEffect<unknown>;
  resolve: (v: Appended<unknown>) => void;
  reject: (e: unknown) => void;
}

export class SequencerError extends Error {
  constructor(
    readonly code: 'sequencer_stopped' | 'sequencer_fatal',
    message: string,
  ) {
    super(message);
    this.name = 'SequencerError';
  }
}

export class Sequencer {
  private readonly store: LogStore;
  private readonly origin: string;
  private readonly signer: NoteSigner;
  private readonly now: () => Date;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly onFatal: (err: Error) => void;
  private queue: Pending[] = [];
  private running: Promise<void> | undefined;
  private closed = false;
  private fatal: Error | undefined;
  /** Right edge of the tree as of the last batch this process committed (a cache). */
  private edge: CompactRange | undefined;
  /** Largest tree size this process has acknowledged. */
  private acknowledgedSize = 0;

  constructor(opts: SequencerOptions) {
    this.store = opts.store;
    this.origin = opts.origin;
    this.signer = opts.signer;
    this.now = opts.now ?? (() => new Date());
    this.maxBatch = opts.maxBatch ?? 1024;
    this.maxWaitMs = opts.maxWaitMs ?? 0;
    this.onFatal = opts.onFatal ?? (() => {});
  }

  /** Append one entry; resolves after the batch holding it has committed. */
  append(entry: Uint8Array): Promise<Appended<void>> {
    if (!(entry instanceof Uint8Array)) return Promise.reject(new LedgerError('malformed_entry', 'an entry must be bytes'));
    if (entry.length > MAX_ENTRY_BYTES)
      return Promise.reject(new LedgerError('entry_too_large', `entry of ${entry.length} bytes exceeds ${MAX_ENTRY_BYTES}`));
    return this.enqueue({ entry, leaf: this.store.hasher.hashLeaf(entry) }) as Promise<Appended<void>>;
  }

  /**
   * Append the entry produced by `effect`, which runs inside the batch
   * transaction with the entry's index: a registry change and its log entry
   * commit together or not at all. If the effect throws, only this append fails
   * (its savepoint is rolled back) and the error is passed to the caller.
   */
  appendWith<T>(effect: AppendEffect<T>): Promise<Appended<T>> {
    return this.enqueue({
      effect: async (tx, index) => {
        const r = await effect(tx, index);
        return { entries: [r.entry], result: r.result };
      },
    }) as Promise<Appended<T>>;
  }

  /**
   * Append several entries produced by one effect, atomically and at consecutive
   * indices (e.g. a 1,000-item evidence deposit). The effect sees the first index.
   */
  appendManyWith<T>(effect: AppendManyEffect<T>): Promise<Appended<T>> {
    return this.enqueue({ effect }) as Promise<Appended<T>>;
  }

  private enqueue(item: Pick<Pending, 'entry' | 'leaf' | 'effect'>): Promise<Appended<unknown>> {
    if (this.fatal) return Promise.reject(new SequencerError('sequencer_fatal', `the sequencer stopped: ${this.fatal.message}`));
    if (this.closed) return Promise.reject(new SequencerError('sequencer_stopped', 'the sequencer is closed'));
    return new Promise<Appended<unknown>>((resolve, reject) => {
      this.queue.push({ ...item, resolve, reject });
      this.kick();
    });
  }

  /** Stop accepting appends and wait until every queued one is settled. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await this.running;
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.queue.length && !this.fatal) this.kick();
    });
  }

  private async loop(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.fatal) {
        const err = new SequencerError('sequencer_fatal', `the sequencer stopped: ${this.fatal.message}`);
        for (const p of this.queue.splice(0)) p.reject(err);
        return;
      }
      if (this.maxWaitMs > 0 && this.queue.length < this.maxBatch) await new Promise((r) => setTimeout(r, this.maxWaitMs));
      const batch = this.queue.splice(0, this.maxBatch);
      await this.commitBatch(batch);
      // let timers and I/O run between batches (PGlite resolves without real I/O)
      await new Promise((r) => setImmediate(r));
    }
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    const accepted: { p: Pending; index: number; entries: Uint8Array[]; result: unknown }[] = [];
    const failed: { p: Pending; err: unknown }[] = [];
    let checkpoint: StoredCheckpoint | undefined;
    let leafHashes: Uint8Array[][] = [];
    let newEdge: CompactRange | undefined;
    try {
      await this.store.db.transaction(async (tx) => {
        accepted.length = 0;
        failed.length = 0;
        await tx.execute(sql`SELECT pg_advisory_xact_lock(${SEQUENCER_LOCK_KEY.toString()}::bigint)`);
        const latest = await this.store.latestCheckpoint(tx);
        const size = latest?.size ?? 0;
        if (size < this.acknowledgedSize)
          throw this.die(new Error(`tree shrank: committed size ${size} < acknowledged ${this.acknowledgedSize}`));
        let edge = this.edge && this.edge.size === size ? this.edge.clone() : undefined;
        if (!edge) {
          edge = await this.store.compactRange(size, tx);
          const root = edge.root();
          if (latest && !bytesEqual(root, latest.rootHash))
            throw this.die(new Error(`stored nodes of size ${size} give root ${toHex(root)}, checkpoint says ${toHex(latest.rootHash)}`));
        }

        let next = size;
        for (const p of batch) {
          if (p.entry) {
            accepted.push({ p, index: next++, entries: [p.entry], result: undefined });
            continue;
          }
          try {
            const index = next;
            const out = await tx.transaction(async (sp) => {
              const r = await p.effect!(sp, index);
              // zero entries is allowed: the effect found nothing new to log (an idempotent repeat)
              if (!Array.isArray(r.entries)) throw new LedgerError('malformed_entry', 'entries must be an array');
              for (const e of r.entries) {
                if (!(e instanceof Uint8Array)) throw new LedgerError('malformed_entry', 'an entry must be bytes');
                if (e.length > MAX_ENTRY_BYTES) throw new LedgerError('entry_too_large', `entry of ${e.length} bytes exceeds ${MAX_ENTRY_BYTES}`);
              }
              return r;
            });
            accepted.push({ p, index, entries: out.entries, result: out.result });
            next += out.entries.length;
          } catch (err) {
            if (err === this.fatal) throw err;
            failed.push({ p, err });
          }
        }
        if (accepted.length === 0) return;
        if (next === size) {
          // effects committed, nothing to log: acknowledge against the current checkpoint
          checkpoint = latest;
          newEdge = edge;
          leafHashes = accepted.map(() => []);
          return;
        }

        const nodes: { id: NodeId; hash: Uint8Array }[] = [];
        leafHashes = accepted.map((a) =>
          a.entries.map((e) => {
            const leaf = a.p.leaf ?? this.store.hasher.hashLeaf(e);
            edge!.append(leaf, (id, hash) => nodes.push({ id, hash }));
            return leaf;
          }),
        );
        const rootHash = edge.root();
        const note = await signNote(formatCheckpoint({ origin: this.origin, size: next, rootHash, extensions: [] }), [this.signer]);
        checkpoint = { size: next, rootHash, note, createdAt: this.now() };
        await this.store.writeBatch(tx, { firstIndex: size, entries: accepted.flatMap((a) => a.entries), nodes, checkpoint });
        newEdge = edge;
      });
    } catch (err) {
      // Nothing of this batch committed (or we cannot know: the connection died
      // during COMMIT). Forget the cached edge: the next batch re-reads it.
      this.edge = undefined;
      for (const p of batch) p.reject(err);
      return;
    }
    // Committed: from here on every accepted entry is durable.
    if (newEdge) {
      this.edge = newEdge;
      if (checkpoint) this.acknowledgedSize = checkpoint.size;
      accepted.forEach((a, i) =>
        a.p.resolve({ index: a.index, leafHash: leafHashes[i]![0]!, leafHashes: leafHashes[i]!, checkpoint: checkpoint!, result: a.result }),
      );
    }
    for (const f of failed) f.p.reject(f.err);
  }

  private die(err: Error): Error {
    this.fatal = err;
    this.onFatal(err);
    return err;
  }
}
