/**
 * LogStore: the evidence log in PostgreSQL (either driver).
 *
 * Tables (see migrations/): log_entries, log_nodes (every complete Merkle node),
 * log_checkpoints (every signed checkpoint). All three are append-only in the
 * database. Reads never load the tree: a proof reads O(log n) node rows in one
 * query, a tile one index range of one level.
 *
 * Guarantees an implementation must keep: `writeBatch` runs inside the caller's
 * transaction and writes all or nothing; rows, once committed, never change.
 */
import { sql } from 'drizzle-orm';
import { hexArrayLiteral, intArrayLiteral, queryRows, toBytes, toNumber, type Db } from '../db/database.ts';
import { logNodes } from '../db/schema.ts';
import { CompactRange } from './compact.ts';
import { LedgerError } from './errors.ts';
import type { Hasher } from './hasher.ts';
import { assembleProof, compactNodeIds, nodesForPlan, planConsistency, planInclusion, type NodeId } from './tree.ts';

export interface StoredCheckpoint {
  size: number;
  rootHash: Uint8Array;
  /** The signed note, exactly as served. */
  note: string;
  createdAt: Date;
}

export interface BatchWrite {
  firstIndex: number;
  entries: Uint8Array[];
  nodes: { id: NodeId; hash: Uint8Array }[];
  checkpoint: StoredCheckpoint;
}

const nodeKey = (id: NodeId) => `${id.level}/${id.index}`;

export class LogStore {
  /** The hot read of proofs, as a named prepared statement (parsed and planned once per connection). */
  private readonly nodesById;

  constructor(
    readonly db: Db,
    readonly hasher: Hasher,
  ) {
    this.nodesById = db
      .select({ level: logNodes.level, idx: logNodes.idx, hash: logNodes.hash })
      .from(logNodes)
      .where(sql`(${logNodes.level}, ${logNodes.idx}) IN (SELECT * FROM unnest(${sql.placeholder('levels')}::smallint[], ${sql.placeholder('idxs')}::bigint[]))`)
      .prepare('ledger_nodes_by_id');
  }

  /** The newest checkpoint, or undefined for a log never written. */
  async latestCheckpoint(db: Db = this.db): Promise<StoredCheckpoint | undefined> {
    const rows = await queryRows(
      db,
      sql`SELECT tree_size, root_hash, note, created_at FROM log_checkpoints ORDER BY tree_size DESC LIMIT 1`,
    );
    return rows[0] ? toCheckpoint(rows[0]) : undefined;
  }

  /** The checkpoint of exactly `size`, if one was published. */
  async checkpointAt(size: number, db: Db = this.db): Promise<StoredCheckpoint | undefined> {
    const rows = await queryRows(db, sql`SELECT tree_size, root_hash, note, created_at FROM log_checkpoints WHERE tree_size = ${size}`);
    return rows[0] ? toCheckpoint(rows[0]) : undefined;
  }

  /** Checkpoints with size in (afterSize, …], ascending, at most `limit`. */
  async checkpointsAfter(afterSize: number, limit: number, db: Db = this.db): Promise<StoredCheckpoint[]> {
    const rows = await queryRows(
      db,
      sql`SELECT tree_size, root_hash, note, created_at FROM log_checkpoints WHERE tree_size > ${afterSize} ORDER BY tree_size LIMIT ${limit}`,
    );
    return rows.map(toCheckpoint);
  }

  /** Fetch node hashes by id in one query. Missing nodes are absent from the map. */
  async nodes(ids: readonly NodeId[], db: Db = this.db): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    if (ids.length === 0) return out;
    const levels = intArrayLiteral(ids.map((i) => i.level));
    const idxs = intArrayLiteral(ids.map((i) => i.index));
    const rows: { level: unknown; idx: unknown; hash: unknown }[] =
      db === this.db
        ? await this.nodesById.execute({ levels, idxs })
        : await queryRows(
            db,
            sql`SELECT n.level, n.idx, n.hash FROM log_nodes n
                JOIN unnest(${levels}::smallint[], ${idxs}::bigint[]) AS q(l, i) ON n.level = q.l AND n.idx = q.i`,
          );
    for (const r of rows) out.set(`${toNumber(r.level)}/${toNumber(r.idx)}`, toBytes(r.hash));
    return out;
  }

  /** Hashes of level `level`, indices [begin, end), ascending. */
  async levelHashes(level: number, begin: number, end: number, db: Db = this.db): Promise<Uint8Array[]> {
    const rows = await queryRows<{ idx: unknown; hash: unknown }>(
      db,
      sql`SELECT idx, hash FROM log_nodes WHERE level = ${level} AND idx >= ${begin} AND idx < ${end} ORDER BY idx`,
    );
    if (rows.length !== end - begin) throw new LedgerError('missing_node', `level ${level} [${begin}, ${end}) has ${rows.length} stored hashes`);
    return rows.map((r) => toBytes(r.hash));
  }

  /** Entries [begin, end), ascending. */
  async entries(begin: number, end: number, db: Db = this.db): Promise<Uint8Array[]> {
    if (end <= begin) return [];
    const rows = await queryRows<{ idx: unknown; data: unknown }>(
      db,
      sql`SELECT idx, data FROM log_entries WHERE idx >= ${begin} AND idx < ${end} ORDER BY idx`,
    );
    if (rows.length !== end - begin) throw new LedgerError('missing_node', `entries [${begin}, ${end}): ${rows.length} stored`);
    return rows.map((r) => toBytes(r.data));
  }

  /** One entry, or undefined. */
  async entry(index: number, db: Db = this.db): Promise<Uint8Array | undefined> {
    const rows = await queryRows<{ data: unknown }>(db, sql`SELECT data FROM log_entries WHERE idx = ${index}`);
    return rows[0] ? toBytes(rows[0].data) : undefined;
  }

  /**
   * RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of `size`
   * (which must not exceed the stored tree), plus the leaf hash. One query.
   */
  async inclusionProof(index: number, size: number, db: Db = this.db): Promise<{ leafHash: Uint8Array; proof: Uint8Array[] }> {
    const plan = planInclusion(index, size);
    const leaf: NodeId = { level: 0, index };
    const found = await this.nodes([leaf, ...nodesForPlan(plan)], db);
    const leafHash = found.get(nodeKey(leaf));
    if (!leafHash) throw new LedgerError('missing_node', `leaf ${index} is not stored`);
    return { leafHash, proof: assembleProof(this.hasher, plan, (id) => found.get(nodeKey(id))) };
  }

  /** RFC 9162 §2.1.4.1 consistency proof between trees of size1 ≤ size2. One query. */
  async consistencyProof(size1: number, size2: number, db: Db = this.db): Promise<Uint8Array[]> {
    if (size1 === 0 || size1 === size2) return [];
    const plan = planConsistency(size1, size2);
    const found = await this.nodes(nodesForPlan(plan), db);
    return assembleProof(this.hasher, plan, (id) => found.get(nodeKey(id)));
  }

  /** The right edge of the stored tree of `size` leaves (O(log n) rows). */
  async compactRange(size: number, db: Db = this.db): Promise<CompactRange> {
    const ids = compactNodeIds(size);
    const found = await this.nodes(ids, db);
    const hashes = ids.map((id) => {
      const h = found.get(nodeKey(id));
      if (!h) throw new LedgerError('missing_node', `node ${nodeKey(id)} of tree size ${size} is not stored`);
      return h;
    });
    return CompactRange.fromHashes(this.hasher, size, hashes);
  }

  /**
   * Write one sequenced batch: its entries, the nodes it completed and its
   * checkpoint, in one statement inside the caller's transaction.
   */
  async writeBatch(tx: Db, batch: BatchWrite): Promise<void> {
    const idxs = batch.entries.map((_, i) => batch.firstIndex + i);
    const cp = batch.checkpoint;
    await tx.execute(sql`
      WITH e AS (
        INSERT INTO log_entries (idx, data)
        SELECT i, decode(d, 'hex') FROM unnest(${intArrayLiteral(idxs)}::bigint[], ${hexArrayLiteral(batch.entries)}::text[]) AS t(i, d)
      ), n AS (
        INSERT INTO log_nodes (level, idx, hash)
        SELECT l, i, decode(h, 'hex') FROM unnest(
          ${intArrayLiteral(batch.nodes.map((n) => n.id.level))}::smallint[],
          ${intArrayLiteral(batch.nodes.map((n) => n.id.index))}::bigint[],
          ${hexArrayLiteral(batch.nodes.map((n) => n.hash))}::text[]) AS t(l, i, h)
      )
      INSERT INTO log_checkpoints (tree_size, root_hash, note, created_at)
      VALUES (${cp.size}, decode(${Buffer.from(cp.rootHash).toString('hex')}, 'hex'), ${cp.note}, ${cp.createdAt.toISOString()}::timestamptz)`);
  }
}

function toCheckpoint(r: Record<string, unknown>): StoredCheckpoint {
  return {
    size: toNumber(r.tree_size),
    rootHash: toBytes(r.root_hash),
    note: String(r.note),
    createdAt: r.created_at instanceof Date ? r.created_at : new Date(String(r.created_at)),
  };
}
