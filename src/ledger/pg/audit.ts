/**
 * `audit`: recompute the whole log from its stored entries and check everything
 * stored or signed against that recomputation:
 *  - every hash stored in the tiles (log_tiles and the tree state's partial tiles):
 *    the leaf hashes, the nodes of tree levels 8, 16, … and, in full tiles, every node
 *    stored between them (a proof reads them as stored);
 *  - every published checkpoint: its signature (with the trusted verifier keys),
 *    its body (origin, size, root) against its row, and its root against the root
 *    recomputed from the entries at that size;
 *  - consistency between each pair of consecutive checkpoints, with an RFC 9162
 *    consistency proof built from the stored nodes;
 *  - the tree state row (size, root, right edge) against the recomputed tree;
 *  - no entries or full tiles beyond the tree state, no checkpoint beyond it;
 *  - optionally, a checkpoint a client saved earlier (`trusted`): the log must
 *    extend it — a smaller log was rolled back, another root at its size is a fork.
 *    A database rolled back consistently (entries, nodes, checkpoints and tree state
 *    all reset to an older tree) passes every other check: only a checkpoint kept
 *    outside the database finds it.
 * Streams the entries in chunks: memory does not grow with the log.
 * Stops at the first problem and names it.
 */
import { sql } from 'drizzle-orm';
import { queryRows, toNumber } from '../../db/index.ts';
import { bytesEqual, toHex } from '../bytes.ts';
import { parseCheckpoint } from '../checkpoint.ts';
import { CompactRange } from '../compact.ts';
import { openNote, type NoteVerifier } from '../note.ts';
import type { Checkpoint } from '../checkpoint.ts';
import { verifyConsistency } from '../proof.ts';
import { partialTilesLength } from '../tile-store.ts';
import type { LogStore, StoredCheckpoint } from './store.ts';
import type { NodeId } from '../tree.ts';

export type AuditProblemCode =
  | 'entry_hash_mismatch'
  | 'node_hash_mismatch'
  | 'missing_entry'
  | 'missing_node'
  | 'checkpoint_signature_invalid'
  | 'checkpoint_body_mismatch'
  | 'checkpoint_root_mismatch'
  | 'checkpoint_inconsistent'
  | 'rows_beyond_tree'
  | 'tree_state_mismatch'
  | 'trusted_checkpoint_invalid'
  | 'log_rolled_back'
  | 'log_forked';

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
  /** Entries integrated, by the tree state row. */
  treeSize: number;
  entries: number;
  /** Published checkpoints checked. */
  checkpoints: number;
  /** Size of the trusted checkpoint the log was found to extend, when one was given. */
  trustedSize?: number;
  problem?: AuditProblem;
}

export interface AuditOptions {
  store: LogStore;
  origin: string;
  verifiers: NoteVerifier[];
  /** A checkpoint saved outside the database (signed note text): the log must extend it. */
  trusted?: string;
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
  const state = await store.treeState();
  const treeSize = state.size;
  let checkpoints = 0;
  let entries = 0;
  let trusted: Checkpoint | undefined;
  try {
    if (state.partialTiles.length !== partialTilesLength(treeSize))
      throw new Found({
        code: 'tree_state_mismatch',
        index: treeSize,
        message: `the tree state's partial tiles hold ${state.partialTiles.length} bytes, not the ${partialTilesLength(treeSize)} a tree of size ${treeSize} has`,
      });
    if (opts.trusted !== undefined) {
      trusted = await openTrusted(opts.trusted, opts);
      if (trusted.size > treeSize)
        throw new Found({
          code: 'log_rolled_back',
          checkpoint: trusted.size,
          message: `the log has ${treeSize} entries, fewer than the ${trusted.size} of the trusted checkpoint: it was rolled back`,
        });
    }
    // Rows beyond the tree state were never acknowledged: a sign of tampering.
    const beyond = await queryRows<{ n: unknown }>(
      store.db,
      sql`SELECT (SELECT count(*) FROM log_entries WHERE idx >= ${treeSize}) + (SELECT count(*) FROM log_tiles WHERE (idx + 1) * 256 > (${treeSize}::bigint >> (8 * level))) AS n`,
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
    let trustedRoot: Uint8Array | undefined = trusted?.size === 0 ? store.hasher.emptyRoot() : undefined;
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
        // the stored tree is its tiles: full tiles hold every node (their hashes of levels 0, 8, 16, … and the
        // nodes folded from them, which proofs read as stored); nodes of partial tiles are folded from their hashes
        edge.append(store.hasher.hashLeaf(data), (id, hash) => computed.push({ id, hash }));
        expect++;
        entries++;
        while (cp && cp.size === edge.size) {
          due.push({ cp, root: edge.root() });
          cp = await takeCheckpoint();
        }
        if (trusted && trusted.size === edge.size) trustedRoot = edge.root();
      }
      if (expect !== end) throw new Found({ code: 'missing_entry', index: expect, message: `entry ${expect} is missing` });
      const stored = await store.nodes(computed.map((c) => c.id), store.db, end);
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
      if (trusted && trustedRoot && trusted.size > begin && trusted.size <= end) checkTrustedRoot(trusted, trustedRoot);
      opts.onProgress?.(end, treeSize);
    }
    if (trusted && trusted.size === 0) checkTrustedRoot(trusted, trustedRoot!);
    // Checkpoints of size 0 or past the entries.
    while (cp) {
      if (cp.size > edge.size)
        throw new Found({ code: 'missing_entry', checkpoint: cp.size, message: `checkpoint ${cp.size} commits to entries that are not stored` });
      await checkCheckpoint(cp, edge.root());
      cp = await takeCheckpoint();
    }
    // The tree state row must be the head of the recomputed tree.
    const edgeHashes = edge.hashes();
    if (!bytesEqual(state.rootHash, edge.root()) || state.edge.length !== edgeHashes.length || state.edge.some((h, i) => !bytesEqual(h, edgeHashes[i]!)))
      throw new Found({
        code: 'tree_state_mismatch',
        index: treeSize,
        message: `the tree state (size ${treeSize}, root ${toHex(state.rootHash)}) is not the head of the stored entries (root ${toHex(edge.root())})`,
      });
    return { ok: true, treeSize, entries, checkpoints, ...(trusted ? { trustedSize: trusted.size } : {}) };
  } catch (err) {
    if (err instanceof Found) return { ok: false, treeSize, entries, checkpoints, problem: err.problem };
    throw err;
  }
}

/** The trusted checkpoint: a note signed by a trusted key, of this log. */
async function openTrusted(note: string, opts: AuditOptions): Promise<Checkpoint> {
  try {
    const cp = parseCheckpoint((await openNote(note, opts.verifiers)).text);
    if (cp.origin !== opts.origin) throw new Error(`it is a checkpoint of ${JSON.stringify(cp.origin)}, not of ${JSON.stringify(opts.origin)}`);
    return cp;
  } catch (err) {
    throw new Found({ code: 'trusted_checkpoint_invalid', message: `the trusted checkpoint is not a checkpoint of this log signed by a trusted key: ${(err as Error).message}` });
  }
}

function checkTrustedRoot(trusted: Checkpoint, root: Uint8Array): void {
  if (!bytesEqual(root, trusted.rootHash))
    throw new Found({
      code: 'log_forked',
      checkpoint: trusted.size,
      message: `the log's first ${trusted.size} entries give root ${toHex(root)}, but the trusted checkpoint of that size has ${toHex(trusted.rootHash)}: the log forked (it was rolled back and rewritten)`,
    });
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
