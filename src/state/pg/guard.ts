/**
 * The write guard: the server refuses a write that the log's own state forbids, even when
 * the registry's tables were changed behind its back (issue 16).
 *
 * It keeps the state replayed from the log in memory (loaded at start-up, caught up under
 * the sequencer's lock with whatever other processes appended, advanced by each batch
 * after COMMIT) and, for every append, inside the batch transaction:
 *
 * 1. replays the append's entries on a copy-on-write layer of that state, strictly
 *    (`strict`: every member a new entry must carry): an entry the log's state does not
 *    allow — a pledged certificate transferred, a `prev` that is not the last event, a
 *    time before the last entry's — refuses the write;
 * 2. compares the rows the write touched (its certificates with their pledges, its
 *    application, objection, pledge, licence, policy, organisation or key), as the
 *    write left them, with the same rows of the log's state: any divergence — a holder,
 *    status or pledge changed in the tables — refuses the write.
 *
 * Bytes that are not a DataDeed entry at all pass (the log is a log of bytes; they change
 * no state, and audit names them as malformed).
 *
 * A refusal is `state_diverged` (409) naming the record and field, never a table's value;
 * the effect's savepoint is rolled back and nothing is written. Cost: the entries' replay
 * (microseconds) and a handful of indexed reads per certificate write; bulk deposits and
 * plain entries are only replayed.
 *
 * It also gives the registry its clock: `now()` never reads earlier than the newest
 * entry's time (docs/log-format.md §9), so entry times never go back.
 */
import type { Db } from '../../db/index.ts';
import type { Hasher } from '../../ledger/index.ts';
import type { AppendGuard } from '../../ledger/pg/index.ts';
import { StateError } from '../errors.ts';
import { applyEntry } from '../replay.ts';
import { commitLayer, layerState, type RegistryState } from '../records.ts';
import { compareRows, logRows, type ComparedTable } from '../compare.ts';
import { replayStored } from './audit.ts';
import { stateKeysOfEntry, type StateKeyId } from '../commit.ts';
import { tableRows } from './tables.ts';
import { readEntries } from './entries.ts';

export class LogStateGuard implements AppendGuard {
  private committed: RegistryState | undefined;
  private batch: RegistryState | undefined;
  /**
   * State-map keys changed since the newest `state.committed` (key → index of the last
   * entry changing it), for the committed state and for the batch in flight: what the next
   * state commitment must update (src/state/pg/committer.ts).
   */
  private dirty = new Map<StateKeyId, number>();
  private batchDirty = new Map<StateKeyId, number>();
  private batchCommitSize: number | undefined;
  /**
   * State-map keys changed since the state committer last brought its in-memory map up to
   * date (key → index of the last entry changing it), whoever committed since: unlike
   * `dirty`, a `state.committed` of another process does not clear them (the map of this
   * process has not seen it). After `load`, every key the log ever changed.
   */
  private touched = new Map<StateKeyId, number>();
  private batchTouched = new Map<StateKeyId, number>();

  constructor(
    private readonly hasher?: Hasher,
    /** Compare the touched rows with the log's state (default on). */
    private readonly compareTables = true,
  ) {}

  /** Replay the stored log (before the first batch; outside any transaction). */
  async load(db: Db): Promise<void> {
    this.dirty.clear();
    this.touched.clear();
    this.committed = await replayStored(db, { hasher: this.hasher, onEntry: (index, data) => this.note(this.dirty, this.touched, index, data) });
  }

  /** Notes the state-map keys an entry changes (a `state.committed` clears those it covers from `into`, not from `touched`). */
  private note(into: Map<StateKeyId, number>, touched: Map<StateKeyId, number>, index: number, data: Uint8Array): number | undefined {
    const k = stateKeysOfEntry(data);
    for (const id of k.keys) {
      into.set(id, index);
      touched.set(id, index);
    }
    if (k.commitSize !== undefined && k.commitSize === index) {
      for (const [id, at] of into) if (at < index) into.delete(id);
      return index;
    }
    return undefined;
  }

  /** The state in the batch in flight (inside an append's effect: the entries before its index), else the committed one. */
  get current(): RegistryState | undefined {
    return this.batch ?? this.committed;
  }

  /** Keys changed since the newest state commitment, as of {@link current}. */
  changedKeys(): StateKeyId[] {
    if (!this.batch) return [...this.dirty.keys()];
    const out = new Set(this.batchCommitSize === undefined ? this.dirty.keys() : []);
    for (const id of this.batchDirty.keys()) out.add(id);
    return [...out];
  }

  /**
   * Keys changed since the state committer's map last caught up (see {@link untouch}), as
   * of {@link current}: those its next update must set.
   */
  touchedKeys(): StateKeyId[] {
    if (!this.batch || this.batchTouched.size === 0) return [...this.touched.keys()];
    const out = new Set(this.touched.keys());
    for (const id of this.batchTouched.keys()) out.add(id);
    return [...out];
  }

  /** The committer's map now holds the records of `ids` as of the entries before `index`: no longer touched, unless changed again at or after `index`. */
  untouch(ids: readonly StateKeyId[], index: number): void {
    for (const id of ids) {
      for (const m of [this.touched, this.batchTouched]) {
        const at = m.get(id);
        if (at !== undefined && at < index) m.delete(id);
      }
    }
  }

  /**
   * Keys a state commitment at `index` found unchanged (their records hash as committed):
   * no longer pending, unless changed again at or after `index`.
   */
  settle(ids: readonly StateKeyId[], index: number): void {
    for (const id of ids) {
      for (const m of [this.dirty, this.batchDirty]) {
        const at = m.get(id);
        if (at !== undefined && at < index) m.delete(id);
      }
    }
  }

  /** Whether a key changed since the newest committed state commitment. */
  isChanged(id: StateKeyId): boolean {
    return this.dirty.has(id);
  }

  /** The log's state as committed (read only). */
  get state(): RegistryState | undefined {
    return this.committed;
  }

  /**
   * The registry's clock reading, never before the newest entry's time: the clock's
   * `now`, or that time when the clock reads earlier.
   */
  clamp(now: Date): Date {
    const last = (this.batch ?? this.committed)?.lastTime;
    if (last === undefined || last === null) return now;
    const t = Date.parse(last);
    return now.getTime() < t ? new Date(t) : now;
  }

  async begin(tx: Db, size: number): Promise<void> {
    if (!this.committed) this.committed = await replayStored(tx, { hasher: this.hasher, size });
    if (this.committed.size > size) throw new StateError('replay_out_of_order', `the log has ${size} entries, fewer than the ${this.committed.size} replayed`);
    // entries other processes appended since this one last wrote
    for (let begin = this.committed.size; begin < size; begin += 4096) {
      for (const entry of await readEntries(tx, begin, Math.min(size, begin + 4096))) {
        applyEntry(this.committed, entry, { hasher: this.hasher });
        this.note(this.dirty, this.touched, entry.index, entry.data);
      }
    }
    this.batch = layerState(this.committed);
    this.batchDirty = new Map();
    this.batchTouched = new Map();
    this.batchCommitSize = undefined;
  }

  async admit(tx: Db | null, firstIndex: number, entries: readonly Uint8Array[]): Promise<void> {
    const batch = this.batch;
    if (!batch) throw new StateError('replay_out_of_order', 'an append outside a batch');
    if (batch.size !== firstIndex) throw new StateError('replay_out_of_order', `append at ${firstIndex}, but the log's state has ${batch.size} entries`);
    const trial = layerState(batch);
    for (let i = 0; i < entries.length; i++) {
      // bytes that are no DataDeed entry at all (the log takes any bytes) change no state:
      // they pass, and audit names them as malformed
      const found = applyEntry(trial, { index: firstIndex + i, data: entries[i]! }, { strict: true, hasher: this.hasher }).filter((a) => a.code !== 'malformed_entry');
      if (found.length > 0)
        throw new StateError('state_diverged', `the log refuses this write: ${found[0]!.message} [${found[0]!.code}]; the registry's tables disagree with its log — run datadeed audit`);
    }
    if (tx && this.compareTables) {
      const select = touched(trial, entries);
      if (select) {
        const divergences = compareRows(logRows(trial, select), await tableRows(tx, select));
        if (divergences.length > 0) {
          const d = divergences[0]!;
          throw new StateError(
            'state_diverged',
            `the registry's tables disagree with its log (${d.table} ${d.row}, ${d.field}${divergences.length > 1 ? `, and ${divergences.length - 1} more` : ''}); the write is refused — run datadeed audit`,
          );
        }
      }
    }
    commitLayer(trial);
    for (let i = 0; i < entries.length; i++) {
      const c = this.note(this.batchDirty, this.batchTouched, firstIndex + i, entries[i]!);
      if (c !== undefined) this.batchCommitSize = c;
    }
  }

  commit(): void {
    if (this.batch) {
      commitLayer(this.batch);
      if (this.batchCommitSize !== undefined) for (const [id, at] of this.dirty) if (at < this.batchCommitSize) this.dirty.delete(id);
      for (const [id, at] of this.batchDirty) this.dirty.set(id, at);
      for (const [id, at] of this.batchTouched) this.touched.set(id, at);
    }
    this.batch = undefined;
    this.batchDirty = new Map();
    this.batchTouched = new Map();
    this.batchCommitSize = undefined;
  }

  abort(): void {
    this.batch = undefined;
    this.batchDirty = new Map();
    this.batchTouched = new Map();
    this.batchCommitSize = undefined;
  }
}

/** The rows a write's entries touch (undefined: none worth a read — deposits, keys, unknown kinds). */
function touched(s: RegistryState, entries: readonly Uint8Array[]): Partial<Record<ComparedTable, Set<string>>> | undefined {
  const sel: Partial<Record<ComparedTable, Set<string>>> = {};
  const add = (t: ComparedTable, k: unknown) => {
    if (typeof k === 'string') (sel[t] ??= new Set()).add(k);
  };
  for (const data of entries) {
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (e.kind === 'evidence.deposited') continue;
    add('applications', e.applicationId);
    add('objections', e.objectionId);
    add('organisations', e.orgId);
    add('pledges', e.pledgeNumber);
    add('pledge_requests', e.pledgeId);
    add('licences', e.licenceId);
    add('policies', e.policyId);
    add('notary_attestations', e.attestationId);
    add('pledge_consents', e.consentId);
    for (const n of [e.number, e.supersedes]) {
      if (typeof n !== 'string') continue;
      add('certificates', n);
      const pledged = s.certificates.get(n)?.pledges ?? [];
      for (const p of pledged) add('pledges', p);
      // a change, licence or transfer of a pledged certificate uses its pledgees' consents
      if (pledged.length) for (const [id, k] of s.pledgeConsents.entries()) if (pledged.includes(k.pledgeNumber)) add('pledge_consents', id);
    }
  }
  return Object.keys(sel).length ? sel : undefined;
}
