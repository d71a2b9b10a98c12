/**
 * The state committer (issue 16, docs/log-format.md §6.10): at checkpoint publication, at
 * most once per `minIntervalMs` (default 1 s), when the replayed state changed since the
 * newest `state.committed`, it appends a `state.committed` entry with the root of the
 * authenticated state map of the state just before it — certificate number → hash of its
 * status record, digest → hash of its earliest-deposit record. And it answers "what is
 * this key's record, proven": the record, its map proof against the newest committed
 * root, and that commitment.
 *
 * The map lives in memory (its nodes, ≈ 100 bytes a node, ≈ 2.4 nodes a key: ≈ 25 MB per
 * 100,000 certificates; nodes the newest tree no longer references are dropped) and is
 * derived from the log alone, which is the registry's record: it is built from the
 * replayed state at the first commitment or proof of a process, and updated from then
 * on with the keys changed since (O(changed keys × log n)) — whoever logged the
 * commitments in between. Nothing of it is written to the database: a commitment is just
 * its entry.
 *
 * The commitment is one append through the sequencer (`appendManyWith`): its effect runs
 * in the batch transaction under the log's lock, reads the write guard's state of exactly
 * the entries before its index, updates the map and returns the entry — or nothing, when
 * the root did not change. The map adopts the new root only once the append is durable
 * (the nodes of an append that rolled back are never referenced). A restart, another
 * process's commitment or a restored database need nothing special: the map catches up
 * with the replayed state, which the guard keeps in step with the log under the lock.
 */
import { bytesEqual, fromHex } from '../../ledger/index.ts';
import type { AppendManyEffect, Integrated } from '../../ledger/pg/index.ts';
import { MemoryMap, mapProofToBase64, type Sha256, type StagedMapUpdate } from '../map/index.ts';
import { nodeSha256 } from '../map/node/index.ts';
import { StateError } from '../errors.ts';
import { stateCommittedEntry, stateMapBatch, stateMapKey, stateRecord, stateRecordValue, wholeStateMapBatch, type ProvenStateValue, type StateKeyId } from '../commit.ts';
import type { StateCommitRecord } from '../records.ts';
import type { LogStateGuard } from './guard.ts';

export interface StateCommitterOptions {
  guard: LogStateGuard;
  /** The sequencer's `appendManyWith` (the commitment's entry and nodes: one transaction; no entry when nothing changed). */
  appendManyWith: <T>(effect: AppendManyEffect<T>) => Promise<Integrated<T>>;
  /** Publish a checkpoint of at least this size (the publisher's `waitForCheckpoint`). */
  publish?: (size: number) => Promise<unknown>;
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
  /**
   * The map this process holds: the map of the newest commitment it logged or caught up
   * with (only ever the root of a logged commitment, or of the state when it matched the
   * newest one), once `built`.
   */
  private readonly map: MemoryMap;
  private built = false;
  private lastAt = -Infinity;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  /** Commitments appended by this process. */
  commits = 0;

  constructor(private readonly opts: StateCommitterOptions) {
    this.minIntervalMs = opts.minIntervalMs ?? 1000;
    this.monotonic = opts.monotonic ?? (() => performance.now());
    this.sha256 = opts.sha256 ?? nodeSha256;
    this.map = new MemoryMap(this.sha256);
  }

  /** Whether this process's map is not (yet) that of the newest commitment. */
  private behind(): boolean {
    const c = this.opts.guard.state?.commit;
    return c !== undefined && c !== null && (!this.built || !bytesEqual(this.map.root, fromHex(c.root)));
  }

  /** At a publication round: commit if the state changed and a commitment is due (never waits for one). */
  async maybeCommit(): Promise<void> {
    if (this.pending > 0 || this.monotonic() - this.lastAt < this.minIntervalMs) return;
    if (this.opts.guard.changedKeys().length === 0 && !this.behind()) return;
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
    const { guard } = this.opts;
    const { map } = this;
    // the update the effect staged beside the map's tree, adopted once the append is durable
    let staged: StagedMapUpdate | undefined;
    let adopt: { caughtUp: StateKeyId[]; index: number } | undefined;
    const drop = () => {
      if (staged) map.discard(staged);
      staged = undefined;
      adopt = undefined;
    };
    let done;
    try {
      done = await this.opts.appendManyWith(async (_tx, index) => {
        drop();
        const s = guard.current;
        if (!s || s.size !== index) throw new StateError('replay_out_of_order', `a state commitment at ${index}, but the log's state has ${s?.size ?? 0} entries`);
        const previous = s.commit ? fromHex(s.commit.root) : null;
        const behind = !this.built || previous === null || !bytesEqual(map.root, previous);
        if (previous && !behind && guard.changedKeys().length === 0) return { entries: [], result: undefined };
        if (!previous && guard.changedKeys().length === 0 && !force) return { entries: [], result: undefined };
        // the map of this process: the keys changed since it last caught up, or — never built
        // (a new process) — every key of the state
        const caughtUp = guard.touchedKeys();
        staged = map.stageHashed(this.built ? stateMapBatch(s, caughtUp, this.sha256) : wholeStateMapBatch(s, this.sha256));
        adopt = { caughtUp, index };
        if (previous && bytesEqual(staged.root, previous)) {
          guard.settle(guard.changedKeys(), index);
          return { entries: [], result: undefined };
        }
        return { entries: [stateCommittedEntry(index, staged.root, this.opts.now().toISOString())], result: undefined };
      });
    } catch (e) {
      drop();
      throw e;
    }
    // durable (or nothing to log): the map now holds this root; nodes only the old tree had go
    if (staged && adopt) {
      map.adopt(staged);
      this.built = true;
      guard.untouch(adopt.caughtUp, adopt.index);
    }
    if (done.leafHashes.length > 0) {
      this.lastAt = this.monotonic();
      this.commits++;
      if (publish) await this.opts.publish?.(done.index + 1);
    }
  }

  /**
   * The records of `ids` as of the newest commitment, each with its map proof. A key
   * changed since that commitment is committed first (waiting out the interval), so the
   * answer is the current state, proven. A commitment another process logged is first
   * brought into this process's map (a commitment that changes nothing logs no entry).
   * @throws StateError `state_diverged` when the map and the replayed state still disagree after a fresh commitment.
   */
  async prove(ids: readonly StateKeyId[]): Promise<ProvenStateValue[]> {
    const { guard } = this.opts;
    const { map } = this;
    for (let attempt = 0; attempt < 4; attempt++) {
      const s = guard.state;
      const c = s?.commit;
      const root = c ? fromHex(c.root) : null;
      if (!s || !c || ids.some((id) => guard.isChanged(id)) || !this.built || !bytesEqual(map.root, root!)) {
        await this.commit(true);
        continue;
      }
      const proven = map.prove(ids.map(stateMapKey));
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

