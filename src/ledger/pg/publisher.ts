/**
 * The publisher: signs checkpoints of the tree state and publishes them, apart from
 * integration — on an interval (a quiet log publishes nothing new) and on demand
 * (`waitForCheckpoint`, for a receipt that must include an acknowledged entry).
 *
 * One round, in one transaction: (1) on PostgreSQL bound the transaction, (2) take
 * the publisher's transaction-scoped advisory lock — exactly one publisher signs at a
 * time across processes, (3) read the tree state and the newest published
 * checkpoint, (4) the rollback guard: the tree must extend the newest checkpoint this
 * signer ever signed (kept OUTSIDE the database, `SignedCheckpointStore`) and the
 * newest published one, (5) if the tree grew, sign a checkpoint of it, (6) record it
 * durably outside the database BEFORE it can be served, (7) insert it into
 * log_checkpoints, where receipts, tiles and consistency proofs find it, and COMMIT.
 *
 * Why a crash is safe: before (6) nothing was signed that anyone saw. Between (6) and
 * COMMIT the signer has recorded a checkpoint the database does not hold; it is over
 * a committed tree (integration commits before publication reads it), so the next
 * round publishes it (the same note) or a larger one that extends it. The guard never
 * lets this signer sign two roots for one size, or a smaller tree, whatever happens
 * to the database: a violation is fatal, signing stops and (through `onFatal`) so do
 * writes.
 *
 * Requests in one process coalesce: one round is in flight, and every waiter that
 * arrived before a round began is answered by it.
 */
import { sql } from 'drizzle-orm';
import { bytesEqual } from '../bytes.ts';
import { formatCheckpoint, parseCheckpoint } from '../checkpoint.ts';
import { LedgerError } from '../errors.ts';
import { checkExtends, type TreeHead } from '../extends.ts';
import { nextTime, openTreeState, type TreeState } from '../integrate.ts';
import { openNote, signNote, type NoteSigner, type NoteVerifier } from '../note.ts';
import type { Db } from '../../db/index.ts';
import { SequencerError } from './errors.ts';
import { isFatalLedgerError } from './sequencer.ts';
import type { LogStore, StoredCheckpoint } from './store.ts';
import { setTransactionTimeouts, watchLockWait, type TransactionTimeouts } from './timeouts.ts';

/**
 * Where the signer keeps the newest checkpoint it signed, outside the database
 * (implemented by `ledger/node` as a file beside the log key).
 * Contract: `write` returns only once the note is durable, and replaces the previous
 * one atomically (after a crash: the old note or the new one, whole); `read` returns
 * the last note written, or undefined if none ever was.
 */
export interface SignedCheckpointStore {
  read(): Promise<string | undefined>;
  write(note: string): Promise<void>;
}

export interface PublisherOptions {
  store: LogStore;
  origin: string;
  signer: NoteSigner;
  /** The signer's own verifier: the saved checkpoint is read back through it. */
  verifier: NoteVerifier;
  /** The rollback guard's record; without it the guard only knows what this process signed. */
  saved?: SignedCheckpointStore;
  /** Injected clock (checkpoint times). */
  now?: () => Date;
  /** Publish this often when the tree grew (ms; 0 = only on demand). Default 1000. */
  intervalMs?: number;
  /** PostgreSQL: bounds on the publication transaction. */
  timeouts?: TransactionTimeouts;
  /** How far the clock may read behind the newest checkpoint's time, ms; default 0. */
  maxClockSkewMs?: number;
  /** Called once for the fatal invariant violation that stopped the publisher. */
  onFatal?: (err: Error) => void;
  /** Called (synchronously, must not throw) with each checkpoint newer than any this process saw, after it is committed. */
  onPublished?: (cp: StoredCheckpoint) => void;
  /**
   * Awaited at the start of each round, before the tree is read: what it appends is in
   * the checkpoint (the registry's state commitment, src/state/pg/committer.ts). Its
   * failure is reported to `onRoundError` and does not stop the round.
   */
  beforeRound?: () => Promise<void>;
  onRoundError?: (err: unknown) => void;
}

/** Key of the transaction-scoped advisory lock that serialises publication ('DDcpub'). */
export const PUBLISHER_LOCK_KEY = 0x4444_6370_7562n;

interface Waiter {
  /** Resolve with a checkpoint of at least this size. */
  size: number;
  /** Resolve after the next round whatever it published (`publish()`). */
  force: boolean;
  resolve: (cp: StoredCheckpoint | undefined) => void;
  reject: (err: unknown) => void;
}

export class Publisher {
  private readonly store: LogStore;
  private readonly origin: string;
  private readonly signer: NoteSigner;
  private readonly saved: SignedCheckpointStore | undefined;
  private readonly now: () => Date;
  private readonly intervalMs: number;
  private readonly timeouts: TransactionTimeouts | undefined;
  private readonly maxClockSkewMs: number;
  private readonly onFatal: (err: Error) => void;
  private onPublished: ((cp: StoredCheckpoint) => void) | undefined;
  private readonly publishedListeners: ((cp: StoredCheckpoint) => void)[] = [];
  private beforeRound: (() => Promise<void>) | undefined;
  private readonly onRoundError: (err: unknown) => void;
  /** The newest checkpoint this signer signed (from the saved record, then this process). */
  private signed: (TreeHead & { note: string }) | undefined;
  /** The newest published checkpoint this process has seen. */
  private latest: StoredCheckpoint | undefined;
  private waiters: Waiter[] = [];
  private wanted = false;
  private running: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private fatalError: Error | undefined;

  private constructor(opts: PublisherOptions) {
    this.store = opts.store;
    this.origin = opts.origin;
    this.signer = opts.signer;
    this.saved = opts.saved;
    this.now = opts.now ?? (() => new Date());
    this.intervalMs = opts.intervalMs ?? 1000;
    this.timeouts = opts.timeouts;
    this.maxClockSkewMs = opts.maxClockSkewMs ?? 0;
    this.onFatal = opts.onFatal ?? (() => {});
    this.onPublished = opts.onPublished;
    this.beforeRound = opts.beforeRound;
    this.onRoundError = opts.onRoundError ?? (() => {});
  }

  /** Sets the hook awaited at the start of each round (see `PublisherOptions.beforeRound`). */
  setBeforeRound(hook: (() => Promise<void>) | undefined): void {
    this.beforeRound = hook;
  }

  /** Sets the hook called with each newly published checkpoint (see `PublisherOptions.onPublished`). */
  setOnPublished(hook: ((cp: StoredCheckpoint) => void) | undefined): void {
    this.onPublished = hook;
  }

  /** Adds a listener called with each checkpoint this process publishes (after the hook). */
  addPublishedListener(listener: (cp: StoredCheckpoint) => void): void {
    this.publishedListeners.push(listener);
  }

  /**
   * A publisher that knows the newest checkpoint its signer signed: read from `saved`
   * and verified with the signer's verifier.
   * @throws LedgerError `malformed_note` / `note_unverified` / `malformed_checkpoint`
   *   when the saved record is not a checkpoint of this log signed by this key.
   */
  static async open(opts: PublisherOptions): Promise<Publisher> {
    const p = new Publisher(opts);
    const note = await opts.saved?.read();
    if (note !== undefined) {
      const cp = parseCheckpoint((await openNote(note, [opts.verifier])).text);
      if (cp.origin !== opts.origin) throw new LedgerError('malformed_checkpoint', `the saved checkpoint is of the log ${JSON.stringify(cp.origin)}, not ${JSON.stringify(opts.origin)}`);
      p.signed = { size: cp.size, rootHash: cp.rootHash, note };
    }
    return p;
  }

  /** The newest head this signer signed (the rollback guard's floor), if any. */
  newestSigned(): TreeHead | undefined {
    return this.signed && { size: this.signed.size, rootHash: this.signed.rootHash };
  }

  /** The invariant violation that stopped this publisher, if any. */
  get fatal(): Error | undefined {
    return this.fatalError;
  }

  /** Publish on the interval from now on (no-op when the interval is 0). */
  start(): void {
    if (this.intervalMs <= 0 || this.timer || this.closed) return;
    const tick = () => {
      if (this.closed || this.fatalError) return;
      this.wanted = true;
      this.pump();
      this.timer = setTimeout(tick, this.intervalMs);
      this.timer.unref?.();
    };
    this.timer = setTimeout(tick, this.intervalMs);
    this.timer.unref?.();
  }

  /**
   * The first published checkpoint of at least `size` entries — the one a receipt of
   * an entry with index `size - 1` includes. Publishes one on demand if the newest
   * published checkpoint is smaller. Precondition: `size` entries are committed.
   * @throws SequencerError `sequencer_fatal` once the guard has stopped publication;
   *   LedgerError `tree_rolled_back` / `tree_forked` … for the violation found now.
   */
  waitForCheckpoint(size: number): Promise<StoredCheckpoint> {
    if (this.latest && this.latest.size >= size) return Promise.resolve(this.latest);
    return this.request(size, false) as Promise<StoredCheckpoint>;
  }

  /** Run one publication round now; resolves with the newest published checkpoint after it. */
  publish(): Promise<StoredCheckpoint | undefined> {
    return this.request(0, true);
  }

  /** Stop publishing because of an invariant violation found elsewhere (the sequencer). */
  halt(err: Error): void {
    this.fatalError ??= err;
  }

  /** Stop the interval and answer every pending request. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.running) await this.running;
  }

  private request(size: number, force: boolean): Promise<StoredCheckpoint | undefined> {
    if (this.fatalError) return Promise.reject(this.stoppedError());
    return new Promise((resolve, reject) => {
      this.waiters.push({ size, force, resolve, reject });
      this.pump();
    });
  }

  private stoppedError(): SequencerError {
    return new SequencerError('sequencer_fatal', `publication stopped: ${this.fatalError!.message}`, { cause: this.fatalError });
  }

  private pump(): void {
    if (this.running) return;
    this.running = (async () => {
      while ((this.waiters.length > 0 || this.wanted) && !(this.closed && this.waiters.length === 0)) await this.round();
    })().finally(() => {
      this.running = undefined;
    });
  }

  private async round(): Promise<void> {
    const waiters = this.waiters.splice(0);
    this.wanted = false;
    if (this.fatalError) {
      const err = this.stoppedError();
      for (const w of waiters) w.reject(err);
      return;
    }
    let cp: StoredCheckpoint | undefined;
    if (this.beforeRound) {
      try {
        await this.beforeRound();
      } catch (err) {
        this.onRoundError(err);
      }
    }
    try {
      cp = await this.publishOnce(Math.max(-1, ...waiters.map((w) => w.size)));
    } catch (err) {
      if (isFatalLedgerError(err) && !this.fatalError) {
        this.fatalError = err;
        this.onFatal(err);
      }
      for (const w of waiters) w.reject(err);
      return;
    }
    if (cp && (!this.latest || cp.size > this.latest.size)) {
      this.latest = cp;
      this.onPublished?.(cp);
      for (const l of this.publishedListeners) l(cp);
    }
    for (const w of waiters) {
      if (w.force || (cp && cp.size >= w.size)) w.resolve(cp);
      else w.reject(new LedgerError('index_out_of_range', `no checkpoint of size ${w.size} can be published: the tree has ${cp?.size ?? 0} entries`));
    }
  }

  /**
   * One publication round (see the file comment). Returns the newest published
   * checkpoint afterwards (undefined only for an empty log nobody asked about).
   * @param asked - the largest size a waiter needs (-1: none; an empty log then publishes nothing).
   */
  private async publishOnce(asked: number): Promise<StoredCheckpoint | undefined> {
    return this.store.db.transaction(async (tx) => {
      const t = this.timeouts;
      if (t) await setTransactionTimeouts(tx, t);
      const lock = () => tx.execute(sql`SELECT pg_advisory_xact_lock(${PUBLISHER_LOCK_KEY.toString()}::bigint)`);
      await (t ? watchLockWait(this.store.db, t.idleInTransactionMs, lock) : lock());
      const tree = await this.store.treeState(tx);
      const newest = await this.store.latestCheckpoint(tx);
      await this.guard(tree, newest, tx);
      if (newest && newest.size >= tree.size) return newest;
      if (!newest && tree.size === 0 && asked < 0) return undefined;

      const createdAt = nextTime(newest?.createdAt, this.now(), this.maxClockSkewMs);
      let note: string;
      if (this.signed && this.signed.size === tree.size) {
        // signed in a round that did not commit (a crash between the record and COMMIT): the same note
        note = this.signed.note;
      } else {
        note = await signNote(formatCheckpoint({ origin: this.origin, size: tree.size, rootHash: tree.rootHash, extensions: [] }), [this.signer]);
        // The guard's record is durable before the checkpoint can be served (COMMIT below).
        await this.saved?.write(note);
        this.signed = { size: tree.size, rootHash: tree.rootHash, note };
      }
      const cp: StoredCheckpoint = { size: tree.size, rootHash: tree.rootHash, note, createdAt };
      await this.store.insertCheckpoint(tx, cp);
      return cp;
    });
  }

  /**
   * The rollback and fork guard: the tree state is well formed and extends both the
   * newest checkpoint this signer signed and the newest published one.
   */
  private async guard(tree: TreeState, newest: StoredCheckpoint | undefined, tx: Db): Promise<void> {
    openTreeState(this.store.hasher, tree);
    for (const head of [this.signed, newest]) {
      if (!head) continue;
      if (head === newest && this.signed && this.signed.size === newest.size && bytesEqual(this.signed.rootHash, newest.rootHash)) continue;
      const proof = tree.size > head.size && head.size > 0 ? await this.store.consistencyProof(head.size, tree.size, tx).catch(() => []) : [];
      checkExtends(this.store.hasher, head, tree, proof);
    }
  }
}
