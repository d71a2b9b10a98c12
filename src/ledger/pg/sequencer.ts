/**
 * The sequencer: group commit of log entries. It integrates; it never signs
 * (signed checkpoints are published apart, by `publisher.ts`).
 *
 * Concurrent `append`s queue up; the sequencer takes up to `maxBatch` of them and,
 * in ONE database transaction: (1) on PostgreSQL bounds the transaction (lock,
 * statement and idle-in-transaction timeouts), (2) locks and reads the tree state
 * row (`SELECT … FOR UPDATE`), (3) checks that head against the newest head it
 * trusts (the last it wrote or verified, and the newest checkpoint the signer
 * signed), (4) runs each caller's effect under a savepoint and assigns indices,
 * (5) computes the new state with the pure `integrate` step and (6) writes
 * entries, completed nodes and the new tree state, the latter by compare-and-swap
 * on the head it read. A caller is acknowledged only after COMMIT returns.
 *
 * One batch is in flight per process; across processes on one PostgreSQL database
 * the row lock makes exactly one sequencer integrate at a time, and whoever holds
 * it next continues from the committed head (takeover needs no coordination: the
 * lock dies with its transaction or connection, and the timeouts make the server
 * end a hung holder's session within seconds).
 *
 * Invariant violations are fatal and stop writes: the stored tree is smaller than
 * a head already trusted (`tree_rolled_back`), has another root for a trusted size
 * or does not extend it (`tree_forked`), its edge does not fold to its root
 * (`tree_state_corrupt`), or the clock went back (`clock_went_back`).
 */
import { bytesEqual } from '../bytes.ts';
import { MAX_ENTRY_BYTES } from '../entry.ts';
import { LedgerError, type LedgerErrorCode } from '../errors.ts';
import { checkExtends, type TreeHead } from '../extends.ts';
import { integrate, openTreeState, type TreeState } from '../integrate.ts';
import type { Db } from '../../db/index.ts';
import type { LogStore } from './store.ts';
import { SequencerError } from './errors.ts';
import { LOCK_NOT_AVAILABLE, setTransactionTimeouts, sqlState, watchLockWait, type TransactionTimeouts } from './timeouts.ts';

/** Runs inside the batch transaction (under a savepoint) with the index the entry will get. */
export type AppendEffect<T> = (tx: Db, index: number) => Promise<{ entry: Uint8Array; result: T }>;

/** Like AppendEffect, for several consecutive entries (indices firstIndex, firstIndex+1, …), all or none. */
export type AppendManyEffect<T> = (tx: Db, firstIndex: number) => Promise<{ entries: Uint8Array[]; result: T }>;

/**
 * Checks every append against what the log already holds, inside the batch transaction
 * (the registry's write guard, src/state/pg). The sequencer calls `begin` under the tree
 * state's lock, `admit` for each append in index order — after an effect ran, inside its
 * savepoint, so a refusal undoes the effect and fails that append alone; for a plain
 * entry with no transaction (`tx` null: nothing to compare but the entry) — and then
 * `commit` after COMMIT or `abort` when the batch did not (or may not have) committed.
 */
export interface AppendGuard {
  /** Under the lock, before the batch's appends: `size` entries are committed. */
  begin(tx: Db, size: number): Promise<void>;
  /** An append's entries at `firstIndex`: throw to refuse it. */
  admit(tx: Db | null, firstIndex: number, entries: readonly Uint8Array[]): Promise<void>;
  /** The batch committed. */
  commit(): void;
  /** The batch did not commit, or may not have. */
  abort(): void;
}

/** The sequencer's acknowledgement: the append's batch has committed. */
export interface Integrated<T = void> {
  /** Index of the (first) entry. */
  index: number;
  /** Leaf hash of the (first) entry. */
  leafHash: Uint8Array;
  /** Leaf hashes of all entries of this append, in order. */
  leafHashes: Uint8Array[];
  /** Tree size after the batch committed: a checkpoint of at least this size includes the append. */
  treeSize: number;
  result: T;
}

export interface SequencerOptions {
  store: LogStore;
  /** Injected clock (tree state times). */
  now?: () => Date;
  /** Largest batch (default 1024). */
  maxBatch?: number;
  /** Wait this long for more appends before committing a batch that is not full (default 0). */
  maxWaitMs?: number;
  /** The newest head the log's signer signed (the rollback guard's floor), if any. */
  trusted?: () => TreeHead | undefined;
  /** PostgreSQL: bounds on the batch transaction (omit on PGlite: one process, no other holder). */
  timeouts?: TransactionTimeouts;
  /** How far the clock may read behind the stored time (several servers' clocks), ms; default 0. */
  maxClockSkewMs?: number;
  /** Called once for the fatal invariant violation that stopped the sequencer. */
  onFatal?: (err: Error) => void;
  /**
   * Most appends waiting for a batch (default 100,000): past it an append is refused at
   * once with `queue_full` (HTTP 503 with Retry-After) — memory stays bounded under any load.
   */
  maxQueue?: number;
  /** Checks each append against the log's state inside the batch (see {@link AppendGuard}). */
  guard?: AppendGuard;
  /**
   * VACUUM the tree state table after this many committed batches (default 500; 0
   * never): each batch leaves its old partial tiles behind, ~9 KB (see
   * {@link LogStore.vacuumTreeState}). The vacuum runs beside the batches, one at a
   * time; a failed one is only counted.
   */
  vacuumEveryBatches?: number;
}

/** What the sequencer has done so far (metrics). */
export interface SequencerStats {
  /** Appends waiting for a batch now. */
  queueDepth: number;
  /** Entries committed by this process. */
  appended: number;
  /** Batches committed by this process. */
  batches: number;
  /** Appends refused because the queue was full. */
  refused: number;
  /** Vacuums of the tree state table run by this process, and those that failed. */
  vacuums: number;
  vacuumFailures: number;
}

/** Told after each committed batch: its entries and how long the batch took (ms). */
export type BatchListener = (entries: number, millis: number) => void;

/** Codes of invariant violations: the sequencer stops writing. */
const FATAL: ReadonlySet<LedgerErrorCode> = new Set(['tree_rolled_back', 'tree_forked', 'tree_state_corrupt', 'clock_went_back']);

/** Whether an error is an invariant violation that must stop writes and signing. */
export function isFatalLedgerError(err: unknown): err is LedgerError {
  return err instanceof LedgerError && FATAL.has(err.code);
}

/** Attempts at the row lock (each bounded by the lock timeout) before a batch fails. */
const LOCK_ATTEMPTS = 3;

interface Pending {
  /** A plain entry (no savepoint needed) … */
  entry?: Uint8Array;
  /** … its leaf hash, computed at enqueue time, off the commit's critical path. */
  leaf?: Uint8Array;
  /** … or an effect producing entries inside the transaction. */
  effect?: AppendManyEffect<unknown>;
  resolve: (v: Integrated<unknown>) => void;
  reject: (e: unknown) => void;
}

/** Thrown inside the transaction when the row lock was not granted in time: the batch is retried. */
class LockTimeout extends Error {}

export class Sequencer {
  private readonly store: LogStore;
  private readonly now: () => Date;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly trusted: () => TreeHead | undefined;
  private readonly timeouts: TransactionTimeouts | undefined;
  private readonly maxClockSkewMs: number;
  private readonly onFatal: (err: Error) => void;
  private readonly guard: AppendGuard | undefined;
  private queue: Pending[] = [];
  private readonly maxQueue: number;
  private readonly counts = { appended: 0, batches: 0, refused: 0, vacuums: 0, vacuumFailures: 0 };
  private readonly vacuumEveryBatches: number;
  private batchesSinceVacuum = 0;
  private vacuuming: Promise<void> | undefined;
  private readonly listeners = new Set<BatchListener>();
  private running: Promise<void> | undefined;
  private closed = false;
  private fatalError: Error | undefined;
  /** The newest head this process wrote or checked against the trusted one (a cache of the check). */
  private verified: TreeHead | undefined;

  constructor(opts: SequencerOptions) {
    this.store = opts.store;
    this.now = opts.now ?? (() => new Date());
    this.maxBatch = opts.maxBatch ?? 1024;
    this.maxWaitMs = opts.maxWaitMs ?? 0;
    this.trusted = opts.trusted ?? (() => undefined);
    this.timeouts = opts.timeouts;
    this.maxClockSkewMs = opts.maxClockSkewMs ?? 0;
    this.onFatal = opts.onFatal ?? (() => {});
    this.guard = opts.guard;
    this.maxQueue = opts.maxQueue ?? 100_000;
    this.vacuumEveryBatches = opts.vacuumEveryBatches ?? 500;
  }

  /** Counters and the queue depth now. */
  get stats(): SequencerStats {
    return { queueDepth: this.queue.length, ...this.counts };
  }

  /**
   * The tree size this process last committed or read under the lock (undefined before
   * its first batch). Never more than what is committed; on a database no other process
   * writes (the embedded one), exactly the committed size once a batch has run.
   */
  get committedSize(): number | undefined {
    return this.verified?.size;
  }

  /** Calls `listener` after every committed batch; returns the function that stops it. */
  onBatch(listener: BatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The invariant violation that stopped this sequencer, if any. */
  get fatal(): Error | undefined {
    return this.fatalError;
  }

  /** Append one entry; resolves after the batch holding it has committed. */
  append(entry: Uint8Array): Promise<Integrated<void>> {
    if (!(entry instanceof Uint8Array)) return Promise.reject(new LedgerError('malformed_entry', 'an entry must be bytes'));
    if (entry.length > MAX_ENTRY_BYTES)
      return Promise.reject(new LedgerError('entry_too_large', `entry of ${entry.length} bytes exceeds ${MAX_ENTRY_BYTES}`));
    return this.enqueue({ entry, leaf: this.store.hasher.hashLeaf(entry) }) as Promise<Integrated<void>>;
  }

  /**
   * Append the entry produced by `effect`, which runs inside the batch
   * transaction with the entry's index: a registry change and its log entry
   * commit together or not at all. If the effect throws, only this append fails
   * (its savepoint is rolled back) and the error is passed to the caller.
   */
  appendWith<T>(effect: AppendEffect<T>): Promise<Integrated<T>> {
    return this.enqueue({
      effect: async (tx, index) => {
        const r = await effect(tx, index);
        return { entries: [r.entry], result: r.result };
      },
    }) as Promise<Integrated<T>>;
  }

  /**
   * Append several entries produced by one effect, atomically and at consecutive
   * indices (e.g. a 1,000-item evidence deposit). The effect sees the first index.
   */
  appendManyWith<T>(effect: AppendManyEffect<T>): Promise<Integrated<T>> {
    return this.enqueue({ effect }) as Promise<Integrated<T>>;
  }

  private enqueue(item: Pick<Pending, 'entry' | 'leaf' | 'effect'>): Promise<Integrated<unknown>> {
    if (this.fatalError) return Promise.reject(this.stoppedError());
    if (this.closed) return Promise.reject(new SequencerError('sequencer_stopped', 'the sequencer is closed'));
    if (this.queue.length >= this.maxQueue) {
      this.counts.refused++;
      return Promise.reject(new SequencerError('queue_full', `${this.queue.length} appends are waiting; try again shortly`));
    }
    return new Promise<Integrated<unknown>>((resolve, reject) => {
      this.queue.push({ ...item, resolve, reject });
      this.kick();
    });
  }

  /** Stop accepting appends and wait until every queued one is settled. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await this.running;
    while (this.vacuuming) await this.vacuuming;
  }

  /**
   * Stop writes because of an invariant violation found elsewhere (the publisher's
   * rollback guard). Queued and later appends fail with `sequencer_fatal`.
   */
  halt(err: Error): void {
    this.fatalError ??= err;
  }

  private stoppedError(): SequencerError {
    return new SequencerError('sequencer_fatal', `the sequencer stopped: ${this.fatalError!.message}`, { cause: this.fatalError });
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.queue.length && !this.fatalError) this.kick();
    });
  }

  private async loop(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.fatalError) {
        const err = this.stoppedError();
        for (const p of this.queue.splice(0)) p.reject(err);
        return;
      }
      if (this.maxWaitMs > 0 && this.queue.length < this.maxBatch) await new Promise((r) => setTimeout(r, this.maxWaitMs));
      const batch = this.queue.splice(0, this.maxBatch);
      const started = performance.now();
      if (await this.commitBatch(batch)) {
        this.counts.batches++;
        this.counts.appended += batch.length;
        const ms = performance.now() - started;
        for (const l of this.listeners) l(batch.length, ms);
        this.maybeVacuum();
      }
      // let timers and I/O run between batches (PGlite resolves without real I/O)
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Starts a vacuum of the tree state table every `vacuumEveryBatches` committed batches (one at a time, not awaited by the batches). */
  private maybeVacuum(): void {
    if (this.vacuumEveryBatches <= 0 || ++this.batchesSinceVacuum < this.vacuumEveryBatches || this.vacuuming) return;
    this.batchesSinceVacuum = 0;
    this.vacuuming = this.store
      .vacuumTreeState()
      .then(
        () => void this.counts.vacuums++,
        () => void this.counts.vacuumFailures++,
      )
      .finally(() => (this.vacuuming = undefined));
  }

  /**
   * Check a head read under the lock against the newest head trusted: the last one
   * this process wrote or verified, or the signer's newest checkpoint if that is
   * larger. Unchanged heads cost nothing; a head written by another process costs
   * one consistency proof (one query).
   */
  private async checkHead(state: TreeState, tx: Db): Promise<void> {
    const known = this.verified;
    if (known && known.size === state.size && bytesEqual(known.rootHash, state.rootHash)) return;
    const signed = this.trusted();
    const floor = signed && (!known || signed.size > known.size) ? signed : known;
    openTreeState(this.store.hasher, state);
    if (floor) {
      let proof: Uint8Array[] = [];
      if (state.size > floor.size && floor.size > 0) proof = await this.store.consistencyProof(floor.size, state.size, tx).catch(() => []);
      checkExtends(this.store.hasher, floor, state, proof);
    }
    this.verified = { size: state.size, rootHash: state.rootHash };
  }

  /** Commits one batch; true when it committed (its appends may still have failed one by one). */
  private async commitBatch(batch: Pending[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.tryBatch(batch);
        return true;
      } catch (err) {
        this.guard?.abort();
        // The lock was not granted in time (a hung holder that the server has not
        // ended yet): nothing of this batch ran; try again.
        if (err instanceof LockTimeout && attempt < LOCK_ATTEMPTS && !this.fatalError) continue;
        if (isFatalLedgerError(err)) this.die(err);
        // Nothing of this batch committed (or we cannot know: the connection died
        // during COMMIT, in which case nobody was acknowledged either). The verified
        // head stays: if the batch did commit, the next read extends it.
        const reason = err instanceof LockTimeout ? (err.cause ?? err) : err;
        for (const p of batch) p.reject(reason);
        return false;
      }
    }
  }

  private async tryBatch(batch: Pending[]): Promise<void> {
    const accepted: { p: Pending; index: number; entries: Uint8Array[]; leaves: Uint8Array[]; result: unknown }[] = [];
    const failed: { p: Pending; err: unknown }[] = [];
    let next: TreeState | undefined;
    await this.store.db.transaction(async (tx) => {
      accepted.length = 0;
      failed.length = 0;
      if (this.timeouts) await setTransactionTimeouts(tx, this.timeouts);
      let state: TreeState;
      try {
        const t = this.timeouts;
        state = t ? await watchLockWait(this.store.db, t.idleInTransactionMs, () => this.store.lockTreeState(tx)) : await this.store.lockTreeState(tx);
      } catch (err) {
        if (sqlState(err) === LOCK_NOT_AVAILABLE) throw new LockTimeout('the tree state lock was not granted in time', { cause: err });
        throw err;
      }
      await this.checkHead(state, tx);
      await this.guard?.begin(tx, state.size);

      let index = state.size;
      for (const p of batch) {
        if (p.entry) {
          if (this.guard) {
            try {
              await this.guard.admit(null, index, [p.entry]);
            } catch (err) {
              failed.push({ p, err });
              continue;
            }
          }
          accepted.push({ p, index: index++, entries: [p.entry], leaves: [p.leaf!], result: undefined });
          continue;
        }
        try {
          const first = index;
          const out = await tx.transaction(async (sp) => {
            const r = await p.effect!(sp, first);
            // zero entries is allowed: the effect found nothing new to log (an idempotent repeat)
            if (!Array.isArray(r.entries)) throw new LedgerError('malformed_entry', 'entries must be an array');
            for (const e of r.entries) {
              if (!(e instanceof Uint8Array)) throw new LedgerError('malformed_entry', 'an entry must be bytes');
              if (e.length > MAX_ENTRY_BYTES) throw new LedgerError('entry_too_large', `entry of ${e.length} bytes exceeds ${MAX_ENTRY_BYTES}`);
            }
            if (this.guard && r.entries.length > 0) await this.guard.admit(sp, first, r.entries);
            return r;
          });
          accepted.push({ p, index: first, entries: out.entries, leaves: out.entries.map((e) => this.store.hasher.hashLeaf(e)), result: out.result });
          index += out.entries.length;
        } catch (err) {
          failed.push({ p, err });
        }
      }
      if (index === state.size) {
        // effects committed (or none accepted), nothing to log: the head stays
        next = state;
        return;
      }
      const writes = integrate(this.store.hasher, {
        state,
        leaves: accepted.flatMap((a) => a.leaves),
        now: this.now(),
        maxClockSkewMs: this.maxClockSkewMs,
      });
      await this.store.writeIntegration(tx, { previous: state, next: writes.state, entries: accepted.flatMap((a) => a.entries), tiles: writes.tiles });
      next = writes.state;
      // COMMIT follows when this callback returns. Why a crash anywhere up to here is
      // safe: nobody has been acknowledged, and the transaction rolls back as a whole
      // (entries, nodes, tree state and the effects' rows). Why a crash after COMMIT
      // is safe: the batch is durable and the tree state row says so; the next
      // holder of the lock continues from it. No checkpoint is signed here, so a
      // crash can never leave a signature over a tree that was not stored.
    });
    // Committed: from here on every accepted entry is durable.
    this.guard?.commit();
    this.verified = { size: next!.size, rootHash: next!.rootHash };
    for (const a of accepted)
      a.p.resolve({ index: a.index, leafHash: a.leaves[0]!, leafHashes: a.leaves, treeSize: next!.size, result: a.result });
    for (const f of failed) f.p.reject(f.err);
  }

  private die(err: Error): void {
    if (this.fatalError) return;
    this.fatalError = err;
    this.onFatal(err);
  }
}
