/**
 * The state committer (issue 16, docs/log-format.md §6.10): at checkpoint publication, at
 * most once per `minIntervalMs` (default 1 s), when the replayed state changed since the
 * newest `state.committed`, it appends a `state.committed` entry with the root of the
 * authenticated state map of the state just before it — certificate number → hash of its
 * status record, digest → hash of its earliest-deposit record. And it answers "what is
 * this key's record, proven": the record, its map proof against the newest committed
 * root, and that commitment.
 *
 * The commitment is one append through the sequencer (`appendWith`): its effect runs in
 * the batch transaction, reads the write guard's state of exactly the entries before its
 * index, updates the map with the keys changed since the previous commitment
 * (O(changed keys × log n)), writes the new nodes in the same transaction and returns the
 * entry — or nothing, when the root did not change. A crash before COMMIT leaves no entry
 * (and perhaps unreferenced nodes: harmless); after COMMIT the entry and its nodes are
 * durable together. When the newest committed root's nodes are missing (a restored
 * database), the map is rebuilt from the whole replayed state and committed anew.
 */
import { bytesEqual, fromHex } from '../../ledger/index.ts';
import type { AppendManyEffect, Integrated } from '../../ledger/pg/index.ts';
import { EMPTY_HASH, applyMapUpdates, mapProofToBase64, proveMapKeys, type Sha256 } from '../map/index.ts';
import { nodeSha256 } from '../map/node/index.ts';
import { StateError } from '../errors.ts';
import { allStateKeys, stateCommittedEntry, stateMapKey, stateMapUpdates, stateRecord, stateRecordValue, type ProvenStateValue, type StateKeyId } from '../commit.ts';
import type { StateCommitRecord } from '../records.ts';
import type { LogStateGuard } from './guard.ts';
import type { PgMapNodeStore } from './map-store.ts';

export interface StateCommitterOptions {
  guard: LogStateGuard;
  /** The sequencer's `appendManyWith` (the commitment's entry and nodes: one transaction; no entry when nothing changed). */
  appendManyWith: <T>(effect: AppendManyEffect<T>) => Promise<Integrated<T>>;
  /** Publish a checkpoint of at least this size (the publisher's `waitForCheckpoint`). */
  publish?: (size: number) => Promise<unknown>;
  store: PgMapNodeStore;
  /** The registry's clock (entry times; clamped). */
  now: () => Date;
  /** Least time between two commitments (ms, default 1000). */
  minIntervalMs?: number;
  /** Monotonic milliseconds (default `performance.now`). */
  monotonic?: () => number;
  sha256?: Sha256;
}

export class StateCommitter {
  private readonly minIntervalMs: number;
  private readonly monotonic: () => number;
  private readonly sha256: Sha256;
  private lastAt = -Infinity;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  /** Commitments appended by this process. */
  commits = 0;

  constructor(private readonly opts: StateCommitterOptions) {
    this.minIntervalMs = opts.minIntervalMs ?? 1000;
    this.monotonic = opts.monotonic ?? (() => performance.now());
    this.sha256 = opts.sha256 ?? nodeSha256;
  }

  /** At a publication round: commit if the state changed and a commitment is due (never waits for one). */
  async maybeCommit(): Promise<void> {
    if (this.pending > 0 || this.monotonic() - this.lastAt < this.minIntervalMs) return;
    if (this.opts.guard.changedKeys().length === 0) return;
    await this.commit(false, false);
  }

  /**
   * Wait for the commitment in progress, then commit what changed since the newest one
   * (waiting out the interval) and wait for a checkpoint that includes it. Afterwards,
   * until the state changes again, the committer writes nothing. For shutdown and for
   * whoever needs the log quiet.
   */
  async settle(): Promise<void> {
    await this.chain;
    if (this.opts.guard.changedKeys().length > 0) await this.commit(false);
  }

  /**
   * Commit now — after waiting out the interval since the last one — if the state
   * changed (or, with `force`, if nothing was ever committed), then (`publish`) wait for
   * a checkpoint that includes the commitment. One at a time, in call order. Never called
   * with `publish` from a publication round (the round would wait for itself).
   */
  commit(force: boolean, publish = true): Promise<void> {
    this.pending++;
    const run = this.chain.then(async () => {
      const wait = this.lastAt + this.minIntervalMs - this.monotonic();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await this.commitOnce(force, publish);
    });
    this.chain = run.catch(() => {});
    return run.finally(() => {
      this.pending--;
    });
  }

  private async commitOnce(force: boolean, publish: boolean): Promise<void> {
    const { guard, store } = this.opts;
    const done = await this.opts.appendManyWith(async (tx, index) => {
      const s = guard.current;
      if (!s || s.size !== index) throw new StateError('replay_out_of_order', `a state commitment at ${index}, but the log's state has ${s?.size ?? 0} entries`);
      const previous = s.commit ? fromHex(s.commit.root) : null;
      let root = previous ?? EMPTY_HASH;
      let ids = guard.changedKeys();
      if (previous && ids.length === 0) return { entries: [], result: undefined };
      if (!previous && ids.length === 0 && !force) return { entries: [], result: undefined };
      const nodes = store.in(tx);
      if (!bytesEqual(root, EMPTY_HASH) && (await nodes.getNodes([root]))[0] === undefined) {
        // the committed root's nodes are gone (a restored database): rebuild from the whole state
        root = EMPTY_HASH;
        ids = allStateKeys(s);
      }
      const c = await applyMapUpdates(nodes, root, stateMapUpdates(s, ids, this.sha256), this.sha256);
      if (previous && bytesEqual(c.root, previous)) {
        guard.settle(ids, index);
        return { entries: [], result: undefined };
      }
      await store.writeNodes(tx, c.newNodes);
      return { entries: [stateCommittedEntry(index, c.root, this.opts.now().toISOString())], result: undefined };
    });
    if (done.leafHashes.length > 0) {
      this.lastAt = this.monotonic();
      this.commits++;
      if (publish) await this.opts.publish?.(done.index + 1);
    }
  }

  /**
   * The records of `ids` as of the newest commitment, each with its map proof. A key
   * changed since that commitment is committed first (waiting out the interval), so the
   * answer is the current state, proven.
   * @throws StateError `state_diverged` when the map and the replayed state still disagree after a fresh commitment.
   */
  async prove(ids: readonly StateKeyId[]): Promise<ProvenStateValue[]> {
    const { guard, store } = this.opts;
    for (let attempt = 0; attempt < 4; attempt++) {
      const s = guard.state;
      const c = s?.commit;
      if (!s || !c || ids.some((id) => guard.isChanged(id))) {
        await this.commit(true);
        continue;
      }
      const proven = await proveMapKeys(store, fromHex(c.root), ids.map(stateMapKey), this.sha256);
      if (guard.state?.commit !== c) continue; // a commitment landed meanwhile: prove against it
      const out: ProvenStateValue[] = [];
      let stale = false;
      for (let i = 0; i < ids.length; i++) {
        const record = stateRecord(s, ids[i]!) ?? null;
        const value = record === null ? null : stateRecordValue(record, this.sha256);
        const got = proven[i]!.value;
        if ((value === null) !== (got === null) || (value && got && !bytesEqual(value, got))) stale = true;
        out.push({ id: ids[i]!, record, proof: mapProofToBase64(proven[i]!.proof), commit: c });
      }
      if (!stale) return out;
      await this.commit(true);
    }
    throw new StateError('state_diverged', `the state map does not prove the replayed state of ${ids.join(', ')}`);
  }

  /** The newest committed root (hex) and its index, if any. */
  get latest(): StateCommitRecord | null {
    return this.opts.guard.state?.commit ?? null;
  }
}

