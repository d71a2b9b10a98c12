/**
 * The state half of `datadeed audit`: replay the whole log (../replay.ts) and compare the
 * state it gives with the registry's tables (../compare.ts), naming every anomaly of the
 * log (by index) and every divergence of the tables (table, row, field, log value, table
 * value). Entries are read in chunks and replayed in place; the log and the tables are
 * read in one repeatable-read snapshot, so a running server's writes do not show up as
 * divergences.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { queryRows, toBytes, toNumber } from '../../db/index.ts';
import { toHex, type Hasher } from '../../ledger/index.ts';
import { deserializeState, emptyState, serializeState, type Anomaly, type RegistryState } from '../records.ts';
import { compareRows, logRows, type Divergence } from '../compare.ts';
import { tableRows } from './tables.ts';
import { readEntries } from './entries.ts';
import { replayChecked, StateRootChecker, type WrongRoot } from '../commit.ts';
import { nodeSha256, WorkerMapEngine } from '../map/node/index.ts';

/**
 * Where the state audit keeps its position (the replayed state and its state-root
 * checker after the entries audited), so that the next audit replays only what was
 * appended since. Contract: `read` returns what `write` last wrote, or undefined.
 */
export interface AuditPositionStore {
  read(): Promise<string | undefined>;
  write(text: string): Promise<void>;
}

export interface StateAuditOptions {
  db: Db;
  /** Resume from a saved position where it can (the entry at the position is unchanged), and save the new one. */
  position?: AuditPositionStore;
  /** Entries read per query (default 4096). */
  chunk?: number;
  /** The RFC 6962 hasher (certificate leaf hashes). */
  hasher?: Hasher;
  onProgress?: (done: number, total: number) => void;
}

export interface StateAuditReport {
  ok: boolean;
  /** Entries replayed (the tree state's size). */
  entries: number;
  /** Entries of kinds the replay does not know. */
  ignored: number;
  anomalies: Anomaly[];
  divergences: Divergence[];
  /** `state.committed` entries checked against the replay. */
  stateCommits: number;
  /** Those whose root is not the replayed state's. */
  wrongRoots: WrongRoot[];
  /** The saved position the replay resumed from (entries not replayed again), if any. */
  resumedFrom?: number;
}

/** SHA-256 (hex) of the stored entry at `index`, or undefined. */
async function entryDigest(db: Db, index: number): Promise<string | undefined> {
  const [row] = await queryRows<{ data: unknown }>(db, sql`SELECT data FROM log_entries WHERE idx = ${index}`);
  return row ? toHex(nodeSha256(toBytes(row.data))) : undefined;
}

/**
 * The saved position, if it still describes this log: the entry just before it is the
 * one it replayed (the log audit checks every hash before; an edited or rolled-back log
 * starts the replay from 0).
 */
async function resume(db: Db, text: string | undefined): Promise<{ state: RegistryState; roots: StateRootChecker } | undefined> {
  if (!text) return undefined;
  try {
    const j = JSON.parse(text) as { v: number; size: number; last: string; state: unknown; roots: unknown };
    if (j.v !== 1 || j.size < 1 || (await entryDigest(db, j.size - 1)) !== j.last) return undefined;
    const state = deserializeState(j.state);
    if (state.size !== j.size) return undefined;
    const roots = StateRootChecker.deserialize(j.roots, nodeSha256, (root, nodes) => new WorkerMapEngine({ root, nodes }));
    // a saved map its thread cannot load: start over, as with any other fault of the file
    if (!(await roots.holds((j.roots as { root: string }).root))) {
      await roots.close();
      return undefined;
    }
    return { state, roots };
  } catch {
    return undefined;
  }
}

/** Replay the log stored in `db` from index 0 (read in `db`, which may be a transaction). */
export async function replayStored(
  db: Db,
  opts: {
    chunk?: number;
    hasher?: Hasher;
    onProgress?: (done: number, total: number) => void;
    size?: number;
    /** Called with each entry after it was applied. */
    onEntry?: (index: number, data: Uint8Array) => void;
    /** Called before each `state.committed` entry with the state it commits to (the state-root check). */
    roots?: StateRootChecker;
    /** Continue this state (changed in place) instead of starting from the empty log. */
    from?: RegistryState;
  } = {},
): Promise<RegistryState> {
  const chunk = opts.chunk ?? 4096;
  const size = opts.size ?? toNumber((await queryRows<{ n: unknown }>(db, sql`SELECT tree_size AS n FROM log_tree_state`))[0]?.n ?? 0);
  const state = opts.from ?? emptyState();
  // root checks read the state when called and answer later (the map may be built on
  // another thread while the replay goes on): all are awaited before the state is returned
  const checks: Promise<boolean>[] = [];
  try {
    for (let begin = state.size; begin < size; begin += chunk) {
      const end = Math.min(size, begin + chunk);
      const rows = await readEntries(db, begin, end);
      if (opts.onEntry === undefined) {
        // a missing entry is the log audit's finding (missing_entry); the replay stops there
        if (!replayChecked(state, rows, opts.roots, checks, { hasher: opts.hasher })) return state;
      } else
        for (const row of rows) {
          if (!replayChecked(state, [row], opts.roots, checks, { hasher: opts.hasher })) return state;
          opts.onEntry(row.index, row.data);
        }
      if (rows.length < end - begin) return state;
      opts.onProgress?.(end, size);
    }
    return state;
  } finally {
    await Promise.all(checks);
  }
}

/** Audit the tables against the log. Never throws for a finding: it reports it. */
export async function auditState(opts: StateAuditOptions): Promise<StateAuditReport> {
  return opts.db.transaction(
    async (tx) => {
      const saved = opts.position ? await resume(tx, await opts.position.read()) : undefined;
      // the map of every committed root is hashed and built on a thread of its own, beside the replay
      const roots = saved?.roots ?? new StateRootChecker(nodeSha256, undefined, new WorkerMapEngine());
      const resumedFrom = saved?.state.size;
      let state: RegistryState;
      try {
        state = await replayStored(tx, { ...opts, roots, ...(saved ? { from: saved.state } : {}) });
        if (opts.position && state.size > 0) {
          const last = await entryDigest(tx, state.size - 1);
          await opts.position.write(JSON.stringify({ v: 1, size: state.size, last, state: serializeState(state), roots: await roots.serialize() }));
        }
      } finally {
        await roots.close();
      }
      const divergences = compareRows(logRows(state), await tableRows(tx));
      return {
        ok: state.anomalies.length === 0 && divergences.length === 0 && roots.wrong.length === 0,
        stateCommits: roots.checked,
        ...(resumedFrom !== undefined ? { resumedFrom } : {}),
        wrongRoots: roots.wrong,
        entries: state.size,
        ignored: state.ignored,
        anomalies: state.anomalies,
        divergences,
      };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
