/**
 * `audit`: recompute the whole log from its stored entries and check everything
 * stored or signed against that recomputation:
 *  - every leaf hash and every complete node in log_nodes;
 *  - every checkpoint: its signature (with the trusted verifier keys), its body
 *    (origin, size, root) against its row, and its root against the root
 *    recomputed from the entries at that size;
 *  - consistency between each pair of consecutive checkpoints, with an RFC 9162
 *    consistency proof built from the stored nodes;
 *  - no entries or nodes beyond the newest checkpoint.
 * Streams the entries in chunks: memory does not grow with the log.
 * Stops at the first problem and names it.
 */
import { sql } from 'drizzle-orm';
import { queryRows, toNumber } from '../db/database.ts';
import { bytesEqual, toHex } from './bytes.ts';
import { parseCheckpoint } from './checkpoint.ts';
import { CompactRange } from './compact.ts';
import { openNote, type NoteVerifier } from './note.ts';
import { verifyConsistency } from './proof.ts';
import type { LogStore, StoredCheckpoint } from './store.ts';
import type { NodeId } from './tree.ts';

export type AuditProblemCode =
  | 'entry_hash_mismatch'
  | 'node_hash_mismatch'
  | 'missing_entry'
  | 'missing_node'
  | 'checkpoint_signature_invalid'
  | 'checkpoint_body_mismatch'
  | 'checkpoint_root_mismatch'
  | 'checkpoint_inconsistent'
  | 'rows_beyond_tree';

export interface AuditProblem {
  code: AuditProblemCode;
  /** Entry index, when the problem is an entry or node. */
  index?: number;
  /** Tree size of the checkpoint, when the problem is a checkpoint. */
  checkpoint?: number;
  message: string;
}

export interface AuditReport {
  ok: boolean;
  treeSize: number;
  entries: number;
  checkpoints: number;
  problem?: AuditProblem;
}

export interface AuditOptions {
  store: LogStore;
  origin: string;
  verifiers: NoteVerifier[];
  /** Entries read per query. */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
}

class Found extends Error {
  constructor(readonly problem: AuditProblem) {
    super(problem.message);
  }
}

/** Audit the stored log. Never throws for a problem in the data: it reports it. */
export async function auditLog(opts: AuditOptions): Promise<AuditReport> {
  const { store } = opts;
  const chunk = opts.chunk ?? 4096;
  const latest = await store.latestCheckpoint();
  const treeSize = latest?.size ?? 0;
  let checkpoints = 0;
  let entries = 0;
  try {
    // Rows beyond the newest checkpoint were never acknowledged: a sign of tampering.
    const beyond = await queryRows<{ n: unknown }>(
      store.db,
      sql`SELECT (SELECT count(*) FROM log_entries WHERE idx >= ${treeSize}) + (SELECT count(*) FROM log_nodes WHERE level = 0 AND idx >= ${treeSize}) AS n`,
    );
    if (toNumber(beyond[0]?.n ?? 0) > 0)
      throw new Found({ code: 'rows_beyond_tree', index: treeSize, message: `rows stored at or beyond tree size ${treeSize}` });

    const edge = CompactRange.empty(store.hasher);
    let pendingCps: StoredCheckpoint[] = [];
    let prev: StoredCheckpoint | undefined;
    let cpCursor = 0;
    const nextCheckpoints = async () => {
      if (pendingCps.length === 0) pendingCps = await store.checkpointsAfter(cpCursor, 1024);
      return pendingCps[0];
    };
    const checkCheckpoint = async (cp: StoredCheckpoint, root: Uint8Array) => {
      await checkSignedCheckpoint(cp, opts);
      if (!bytesEqual(root, cp.rootHash))
        throw new Found({
          code: 'checkpoint_root_mismatch',
          checkpoint: cp.size,
          message: `checkpoint ${cp.size} has root ${toHex(cp.rootHash)} but the entries give ${toHex(root)}`,
        });
      if (prev) {
        try {
          const proof = await store.consistencyProof(prev.size, cp.size);
          verifyConsistency(store.hasher, prev.size, cp.size, proof, prev.rootHash, cp.rootHash);
        } catch (err) {
          throw new Found({
            code: 'checkpoint_inconsistent',
            checkpoint: cp.size,
            message: `checkpoint ${cp.size} is not consistent with checkpoint ${prev.size}: ${(err as Error).message}`,
          });
        }
      }
      prev = cp;
      checkpoints++;
    };
    /** Take the next checkpoint off the queue (fetching more as needed). */
    const takeCheckpoint = async () => {
      const cp = pendingCps.shift();
      if (cp) cpCursor = cp.size;
      return nextCheckpoints();
    };

    let cp = await nextCheckpoints();
    for (let begin = 0; begin < treeSize; begin += chunk) {
      const end = Math.min(treeSize, begin + chunk);
      const rows = await queryRows<{ idx: unknown; data: unknown }>(
        store.db,
        sql`SELECT idx, data FROM log_entries WHERE idx >= ${begin} AND idx < ${end} ORDER BY idx`,
      );
      const computed: { id: NodeId; hash: Uint8Array }[] = [];
      // Checkpoints falling in this chunk, with the root recomputed at their size;
      // checked after the chunk's nodes, so a changed node is named as such.
      const due: { cp: StoredCheckpoint; root: Uint8Array }[] = [];
      let expect = begin;
      for (const r of rows) {
        const idx = toNumber(r.idx);
        if (idx !== expect) throw new Found({ code: 'missing_entry', index: expect, message: `entry ${expect} is missing` });
        const data = r.data as Uint8Array;
        edge.append(store.hasher.hashLeaf(data), (id, hash) => computed.push({ id, hash }));
        expect++;
        entries++;
        while (cp && cp.size === edge.size) {
          due.push({ cp, root: edge.root() });
          cp = await takeCheckpoint();
        }
      }
      if (expect !== end) throw new Found({ code: 'missing_entry', index: expect, message: `entry ${expect} is missing` });
      const stored = await store.nodes(computed.map((c) => c.id));
      for (const c of computed) {
        const s = stored.get(`${c.id.level}/${c.id.index}`);
        const firstLeaf = c.id.index * 2 ** c.id.level;
        if (!s)
          throw new Found({ code: 'missing_node', index: firstLeaf, message: `node level ${c.id.level} index ${c.id.index} is missing` });
        if (!bytesEqual(s, c.hash))
          throw new Found({
            code: c.id.level === 0 ? 'entry_hash_mismatch' : 'node_hash_mismatch',
            index: firstLeaf,
            message:
              c.id.level === 0
                ? `entry ${c.id.index} does not hash to its stored leaf hash`
                : `node level ${c.id.level} index ${c.id.index} (leaves from ${firstLeaf}) differs from the recomputed hash`,
          });
      }
      for (const d of due) await checkCheckpoint(d.cp, d.root);
      opts.onProgress?.(end, treeSize);
    }
    // Checkpoints of size 0 or past the entries.
    while (cp) {
      if (cp.size > edge.size)
        throw new Found({ code: 'missing_entry', checkpoint: cp.size, message: `checkpoint ${cp.size} commits to entries that are not stored` });
      await checkCheckpoint(cp, edge.root());
      cp = await takeCheckpoint();
    }
    return { ok: true, treeSize, entries, checkpoints };
  } catch (err) {
    if (err instanceof Found) return { ok: false, treeSize, entries, checkpoints, problem: err.problem };
    throw err;
  }
}

async function checkSignedCheckpoint(cp: StoredCheckpoint, opts: AuditOptions): Promise<void> {
  let body: string;
  try {
    body = (await openNote(cp.note, opts.verifiers)).text;
  } catch (err) {
    throw new Found({
      code: 'checkpoint_signature_invalid',
      checkpoint: cp.size,
      message: `checkpoint ${cp.size}: signature does not verify (${(err as Error).message})`,
    });
  }
  let parsed;
  try {
    parsed = parseCheckpoint(body);
  } catch (err) {
    throw new Found({ code: 'checkpoint_body_mismatch', checkpoint: cp.size, message: `checkpoint ${cp.size}: ${(err as Error).message}` });
  }
  if (parsed.origin !== opts.origin || parsed.size !== cp.size || !bytesEqual(parsed.rootHash, cp.rootHash))
    throw new Found({
      code: 'checkpoint_body_mismatch',
      checkpoint: cp.size,
      message: `checkpoint ${cp.size}: the signed body (origin ${parsed.origin}, size ${parsed.size}, root ${toHex(parsed.rootHash)}) differs from its row`,
    });
}
