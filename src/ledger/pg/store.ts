/**
 * LogStore: the evidence log in PostgreSQL (either driver).
 *
 * Tables (see migrations/): log_entries, log_tiles (the full C2SP tlog-tiles of the
 * tree, each as 17 parts of 30 hashes: the tile's 256 hashes of tree level 8·L and
 * every node folded from them below level 8·L + 8, `tileParts`), log_tree_state (one
 * row: size, root, right edge and the partial tiles), log_checkpoints (every published
 * signed checkpoint, by size) and log_cosignatures (signature lines added to a
 * checkpoint later). All but the tree state are append-only in the database; the tree
 * state only grows (trigger). A batch writes its entries, the parts of the tiles it
 * filled (17 rows per 256 hashes of a level, so mostly none) and the tree state: about
 * one row per entry, where a row per Merkle node cost three. Reads never load the tree:
 * a proof reads, in one query, the part of each full tile holding each node it needs —
 * O(log n) stored hashes, 960-byte rows that stay in the table's pages (no TOAST), no
 * hashing — and the tree state's partial tiles only when a node may lie in a partial
 * tile at the proof's size; parts, which never change, come from memory once read.
 *
 * What an implementation must guarantee:
 *  - `lockTreeState` takes the row lock that serialises integration across
 *    processes and returns the committed head;
 *  - `writeIntegration` runs inside the caller's transaction, writes all or nothing,
 *    and replaces the tree state only if it is still the state read
 *    (compare-and-swap on size and root), else throws `tree_state_conflict`;
 *  - `insertCheckpoint` never replaces a published checkpoint: a second one of the
 *    same size with another root is `tree_forked`;
 *  - rows, once committed, never change (cosignatures are added, never edited).
 */
import { sql } from 'drizzle-orm';
import { byteaRows, intArrayLiteral, logTiles, logTreeState, queryRows, toBytes, toNumber, type Db } from '../../db/index.ts';
import { bytesEqual } from '../bytes.ts';
import { CompactRange } from '../compact.ts';
import { LedgerError } from '../errors.ts';
import type { Hasher } from '../hasher.ts';
import type { TreeState } from '../integrate.ts';
import { ByteLru } from '../cache.ts';
import {
  hashesAtTileLevel,
  nodeInPart,
  nodeInTile,
  PART_BYTES,
  partHash,
  partialTileIndex,
  splitPartialTiles,
  subtreeNode,
  tileParts,
  TILE_PARTS,
  tileSubtree,
  type FullTile,
  type NodeInTile,
  type TileSubtree,
} from '../tile-store.ts';
import { TILE_WIDTH } from '../tiles.ts';
import { assembleProof, compactNodeIds, nodesForPlan, planConsistency, planInclusion, type NodeId } from '../tree.ts';

export interface StoredCheckpoint {
  size: number;
  rootHash: Uint8Array;
  /** The signed note, exactly as served: the log's signature, then any cosignature lines. */
  note: string;
  createdAt: Date;
}

/** The registry's record of one witness (log_witness_state). */
export interface StoredWitnessState {
  keyName: string;
  /** 8 lowercase hex digits. */
  keyId: string;
  /** The size the witness last cosigned, as far as the registry knows. */
  size: number;
  lastSuccessAt?: Date | undefined;
  lastError?: string | undefined;
  lastErrorAt?: Date | undefined;
}

/** One sequenced batch, as the integration step computed it. */
export interface IntegrationWrite {
  /** The state read under the lock (the compare-and-swap expectation). */
  previous: TreeState;
  /** The state to store. */
  next: TreeState;
  /** Entries at indices previous.size, previous.size + 1, … */
  entries: Uint8Array[];
  /** The tiles the batch filled (`integrate`'s `tiles`); its partial tiles are in `next`. */
  tiles: FullTile[];
}

/** Parts of full tiles held in memory: about 30,000 parts (1,800 full tiles' worth), 28 MiB. */
const PART_CACHE_BYTES = 28 * 1024 * 1024;
/** Partial tiles held in memory, as their subtrees (up to 16 KB each): 4 MiB. */
const PARTIAL_CACHE_BYTES = 4 * 1024 * 1024;
/** What a cached part costs beyond its bytes (its key and the map's entry), roughly. */
const CACHE_KEY_BYTES = 96;

const nodeKey = (id: NodeId) => `${id.level}/${id.index}`;

/** Lowercase hex of bytes, by Buffer (the store runs on Node; the core's `toHex` is a plain loop, 10× slower on an 8 KB partial tile). */
const toHex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** The note with its cosignature lines, as one SQL expression over log_checkpoints aliased c. */
const NOTE_WITH_COSIGNATURES = sql.raw(
  `c.note || coalesce((SELECT string_agg(s.line || E'\\n', '' ORDER BY s.created_at, s.key_name, s.key_id) FROM log_cosignatures s WHERE s.tree_size = c.tree_size), '') AS note`,
);

export class LogStore {
  /** Parts of full tiles read from the database (960 bytes each): they never change. */
  private readonly parts = new ByteLru<Uint8Array>(PART_CACHE_BYTES, (p) => p.length + CACHE_KEY_BYTES);
  /** Subtrees of partial tiles read from the tree state (the widest prefix seen): the nodes they hold never change. */
  private readonly partials = new ByteLru<TileSubtree>(PARTIAL_CACHE_BYTES, (t) => t.bytes);

  /**
   * The hot reads of proofs, as named prepared statements (parsed and planned once per
   * connection): the parts asked for by (level, idx, part) arrays, alone or with the
   * tree state's partial tiles in the same snapshot (as a row of level −1, idx the tree size).
   */
  private readonly partsById;
  private readonly partsAndPartials;

  constructor(
    readonly db: Db,
    readonly hasher: Hasher,
  ) {
    const parts = () =>
      db
        .select({ level: logTiles.level, idx: logTiles.idx, part: logTiles.part, hashes: logTiles.hashes })
        .from(logTiles)
        .where(
          sql`(${logTiles.level}, ${logTiles.idx}, ${logTiles.part}) IN (SELECT * FROM unnest(${sql.placeholder('levels')}::smallint[], ${sql.placeholder('idxs')}::bigint[], ${sql.placeholder('parts')}::smallint[]))`,
        );
    this.partsById = parts().prepare('ledger_tile_parts');
    this.partsAndPartials = parts()
      .unionAll(
        db
          .select({ level: sql<number>`-1::smallint`, idx: logTreeState.treeSize, part: sql<number>`-1::smallint`, hashes: logTreeState.partialTiles })
          .from(logTreeState)
          .where(sql`${logTreeState.id}`),
      )
      .prepare('ledger_tile_parts_and_partials');
  }

  /** The newest published checkpoint, or undefined before the first publication. */
  async latestCheckpoint(db: Db = this.db): Promise<StoredCheckpoint | undefined> {
    const rows = await queryRows(
      db,
      sql`SELECT c.tree_size, c.root_hash, ${NOTE_WITH_COSIGNATURES}, c.created_at FROM log_checkpoints c ORDER BY c.tree_size DESC LIMIT 1`,
    );
    return rows[0] ? toCheckpoint(rows[0]) : undefined;
  }

  /** The checkpoint of exactly `size`, if one was published. */
  async checkpointAt(size: number, db: Db = this.db): Promise<StoredCheckpoint | undefined> {
    const rows = await queryRows(
      db,
      sql`SELECT c.tree_size, c.root_hash, ${NOTE_WITH_COSIGNATURES}, c.created_at FROM log_checkpoints c WHERE c.tree_size = ${size}`,
    );
    return rows[0] ? toCheckpoint(rows[0]) : undefined;
  }

  /** Checkpoints with size in (afterSize, …], ascending, at most `limit`. */
  async checkpointsAfter(afterSize: number, limit: number, db: Db = this.db): Promise<StoredCheckpoint[]> {
    const rows = await queryRows(
      db,
      sql`SELECT c.tree_size, c.root_hash, ${NOTE_WITH_COSIGNATURES}, c.created_at FROM log_checkpoints c
          WHERE c.tree_size > ${afterSize} ORDER BY c.tree_size LIMIT ${limit}`,
    );
    return rows.map(toCheckpoint);
  }

  /**
   * Publish a signed checkpoint (inside the publisher's transaction). Publishing the
   * same note again is a no-op; another root for a published size is `tree_forked`.
   */
  async insertCheckpoint(tx: Db, cp: StoredCheckpoint): Promise<void> {
    const rows = await queryRows<{ root_hash: unknown }>(
      tx,
      sql`WITH ins AS (
            INSERT INTO log_checkpoints (tree_size, root_hash, note, created_at)
            VALUES (${cp.size}, decode(${toHex(cp.rootHash)}, 'hex'), ${cp.note}, ${cp.createdAt.toISOString()}::timestamptz)
            ON CONFLICT (tree_size) DO NOTHING RETURNING root_hash)
          SELECT root_hash FROM ins UNION ALL SELECT root_hash FROM log_checkpoints WHERE tree_size = ${cp.size} AND NOT EXISTS (SELECT 1 FROM ins)`,
    );
    const stored = rows[0] ? toBytes(rows[0].root_hash) : undefined;
    if (!stored || !bytesEqual(stored, cp.rootHash))
      throw new LedgerError('tree_forked', `a checkpoint of size ${cp.size} with another root is already published`);
  }

  /**
   * Add a cosignature line (`— <name> <base64(key ID || signature)>`) to the published
   * checkpoint of `size`. The caller has verified it. Returns false when no checkpoint
   * of that size is published; adding the same key's line again keeps the first one.
   */
  async addCosignature(size: number, cosigner: { name: string; keyId: string }, line: string, at: Date, db: Db = this.db): Promise<boolean> {
    const rows = await queryRows(
      db,
      sql`INSERT INTO log_cosignatures (tree_size, key_name, key_id, line, created_at)
          SELECT c.tree_size, ${cosigner.name}, ${cosigner.keyId}, ${line}, ${at.toISOString()}::timestamptz FROM log_checkpoints c WHERE c.tree_size = ${size}
          ON CONFLICT DO NOTHING RETURNING tree_size`,
    );
    return rows.length > 0 || (await this.checkpointAt(size, db)) !== undefined;
  }

  /** Tree sizes of the newest checkpoints that carry cosignatures, newest first. */
  async cosignedSizes(limit: number, db: Db = this.db): Promise<number[]> {
    const rows = await queryRows<{ tree_size: unknown }>(
      db,
      sql`SELECT DISTINCT tree_size FROM log_cosignatures ORDER BY tree_size DESC LIMIT ${limit}`,
    );
    return rows.map((r) => toNumber(r.tree_size));
  }

  /** The registry's record of its witnesses (log_witness_state). */
  async witnessStates(db: Db = this.db): Promise<StoredWitnessState[]> {
    const rows = await queryRows(db, sql`SELECT key_name, key_id, size, last_success_at, last_error, last_error_at FROM log_witness_state`);
    const date = (v: unknown) => (v === null || v === undefined ? undefined : v instanceof Date ? v : new Date(String(v)));
    return rows.map((r) => ({
      keyName: String(r.key_name),
      keyId: String(r.key_id),
      size: toNumber(r.size),
      lastSuccessAt: date(r.last_success_at),
      lastError: r.last_error === null || r.last_error === undefined ? undefined : String(r.last_error),
      lastErrorAt: date(r.last_error_at),
    }));
  }

  /** Records one witness's state (insert or replace). */
  async saveWitnessState(s: StoredWitnessState, db: Db = this.db): Promise<void> {
    const iso = (d: Date | undefined) => (d ? d.toISOString() : null);
    await db.execute(
      sql`INSERT INTO log_witness_state (key_name, key_id, size, last_success_at, last_error, last_error_at)
          VALUES (${s.keyName}, ${s.keyId}, ${s.size}, ${iso(s.lastSuccessAt)}::timestamptz, ${s.lastError ?? null}, ${iso(s.lastErrorAt)}::timestamptz)
          ON CONFLICT (key_name, key_id) DO UPDATE SET size = EXCLUDED.size, last_success_at = EXCLUDED.last_success_at,
            last_error = EXCLUDED.last_error, last_error_at = EXCLUDED.last_error_at`,
    );
  }

  /** Stores the time-stamp token over the checkpoint of `size` (the first one stored is kept). */
  async insertTimestamp(size: number, token: Uint8Array, genTime: Date, at: Date, db: Db = this.db): Promise<void> {
    await db.execute(
      sql`INSERT INTO log_timestamps (tree_size, token, gen_time, created_at)
          VALUES (${size}, decode(${toHex(token)}, 'hex'), ${genTime.toISOString()}::timestamptz, ${at.toISOString()}::timestamptz)
          ON CONFLICT (tree_size) DO NOTHING`,
    );
  }

  /**
   * The newest published checkpoint with a stored time-stamp token and a size in
   * [minSize, maxSize], newest first, at most `limit` (for a receipt that should carry
   * trusted time: the checkpoint it would carry may not be stamped yet).
   */
  async stampedCheckpoints(minSize: number, maxSize: number, limit: number, db: Db = this.db): Promise<StoredCheckpoint[]> {
    const rows = await queryRows(
      db,
      sql`SELECT c.tree_size, c.root_hash, ${NOTE_WITH_COSIGNATURES}, c.created_at FROM log_checkpoints c
          JOIN log_timestamps t ON t.tree_size = c.tree_size
          WHERE c.tree_size BETWEEN ${minSize} AND ${maxSize} ORDER BY c.tree_size DESC LIMIT ${limit}`,
    );
    return rows.map(toCheckpoint);
  }

  /** The time-stamp token over the checkpoint of exactly `size`, if one is stored. */
  async timestampAt(size: number, db: Db = this.db): Promise<{ token: Uint8Array; genTime: Date } | undefined> {
    const rows = await queryRows<{ token: unknown; gen_time: unknown }>(db, sql`SELECT token, gen_time FROM log_timestamps WHERE tree_size = ${size}`);
    const r = rows[0];
    return r ? { token: toBytes(r.token), genTime: r.gen_time instanceof Date ? r.gen_time : new Date(String(r.gen_time)) } : undefined;
  }

  /** The committed tree state (no lock). */
  async treeState(db: Db = this.db): Promise<TreeState> {
    const rows = await queryRows(db, sql`SELECT tree_size, root_hash, right_edge, integrated_at, partial_tiles FROM log_tree_state WHERE id`);
    return toTreeState(rows[0]);
  }

  /** The committed tree size (no lock; reads neither edge nor partial tiles). */
  async treeSize(db: Db = this.db): Promise<number> {
    const rows = await queryRows<{ tree_size: unknown }>(db, sql`SELECT tree_size FROM log_tree_state WHERE id`);
    if (!rows[0]) throw new LedgerError('tree_state_corrupt', 'the tree state row is missing');
    return toNumber(rows[0].tree_size);
  }

  /**
   * Lock the tree state row for this transaction (`SELECT … FOR UPDATE`: the lock that
   * serialises integration across processes; it dies with the transaction or its
   * connection) and return it.
   */
  async lockTreeState(tx: Db): Promise<TreeState> {
    // The right edge and the partial tiles (up to ~9 KB, stored out of line) are functions of the tree, which its
    // size and root hash fix: when those are the ones of the state this store last wrote or read, the row's small
    // columns suffice (a single-entry batch on the embedded database spent 0.93 ms here reading the whole row). After
    // another process's write the whole row is read in a second statement; one statement with CASE for both cases
    // was slower in the common case (0.64–0.76 ms against 0.45–0.48 ms on PGlite, BENCH_PHASES).
    const known = this.knownState;
    if (known) {
      const small = await queryRows(tx, sql`SELECT tree_size, root_hash, integrated_at FROM log_tree_state WHERE id FOR UPDATE`);
      const r = small[0];
      if (r && toNumber(r.tree_size) === known.size && bytesEqual(toBytes(r.root_hash), known.rootHash)) {
        return { ...cloneTreeState(known), time: r.integrated_at instanceof Date ? r.integrated_at : new Date(String(r.integrated_at)) };
      }
    }
    const rows = await queryRows(tx, sql`SELECT tree_size, root_hash, right_edge, integrated_at, partial_tiles FROM log_tree_state WHERE id FOR UPDATE`);
    const state = toTreeState(rows[0]);
    this.knownState = cloneTreeState(state);
    return state;
  }

  /**
   * VACUUM the tree state table. Its one row is rewritten by every batch with its
   * partial tiles (up to ~9 KB, stored out of line): every batch leaves ~9 KB of dead
   * TOAST behind until a vacuum. Measured (bench/appends.ts on PostgreSQL): after
   * 4,000 small batches the TOAST table held 15,892 dead tuples in 30 MB for one live
   * row, and a 256-entry batch took 11.1 ms instead of 5.5 ms (writeIntegration 7.6 ms
   * against 3.2 ms); a VACUUM of 10 ms gave the speed back. Autovacuum comes too late
   * for that (once a minute by default). Runs outside any transaction: on the
   * embedded database it waits for the open one; a role that does not own the table
   * gets PostgreSQL's warning and nothing is done.
   */
  async vacuumTreeState(): Promise<void> {
    await this.db.execute(sql`VACUUM log_tree_state`);
  }

  /**
   * The last tree state this store wrote or read under the lock, for {@link lockTreeState}. A
   * state written by a transaction that rolled back is never used: the row then still holds
   * another size or root.
   */
  private knownState: TreeState | undefined;

  /**
   * Write one integrated batch — its entries, the tiles it filled and the new tree state
   * with its partial tiles — in one statement inside the caller's transaction. The tree
   * state is replaced only if it still is `previous` (compare-and-swap).
   * @throws LedgerError `tree_state_conflict` when it is not (nothing is kept: the
   *   caller's transaction must roll back).
   */
  async writeIntegration(tx: Db, w: IntegrationWrite): Promise<void> {
    // each filled tile as its 17 parts (the tile's hashes with the nodes folded from them)
    const parts = w.tiles.flatMap((t) => {
      const all = tileParts(this.hasher, t.hashes);
      return Array.from({ length: TILE_PARTS }, (_, p) => ({ level: t.level, index: t.index, part: p, hashes: all.subarray(p * PART_BYTES, (p + 1) * PART_BYTES) }));
    });
    const tiles = parts.length
      ? sql`, t AS (
        INSERT INTO log_tiles (level, idx, part, hashes)
        SELECT k.l, k.i, k.p, r.d FROM unnest(
          ${intArrayLiteral(parts.map((t) => t.level))}::smallint[],
          ${intArrayLiteral(parts.map((t) => t.index))}::bigint[],
          ${intArrayLiteral(parts.map((t) => t.part))}::smallint[]) WITH ORDINALITY AS k(l, i, p, n)
        JOIN ${byteaRows(parts.map((t) => t.hashes))} AS r ON r.n = k.n
      )`
      : sql``;
    const rows = await queryRows(
      tx,
      sql`
      WITH e AS (
        INSERT INTO log_entries (idx, data)
        SELECT ${w.previous.size}::bigint + r.n - 1, r.d FROM ${byteaRows(w.entries)} AS r
      )${tiles}
      UPDATE log_tree_state
      SET tree_size = ${w.next.size}, root_hash = decode(${toHex(w.next.rootHash)}, 'hex'),
          right_edge = decode(${w.next.edge.map(toHex).join('')}, 'hex'), integrated_at = ${w.next.time.toISOString()}::timestamptz,
          partial_tiles = decode(${toHex(w.next.partialTiles)}, 'hex')
      WHERE id AND tree_size = ${w.previous.size} AND root_hash = decode(${toHex(w.previous.rootHash)}, 'hex')
      RETURNING tree_size`,
    );
    if (rows.length !== 1)
      throw new LedgerError('tree_state_conflict', `the tree state is no longer the one of size ${w.previous.size} read under the lock`);
    this.knownState = cloneTreeState(w.next);
  }

  /**
   * Fetch perfect node hashes by id. A node of a full tile is read from the one part of
   * the tile that holds it (at most two rows per tile level, 960 bytes each, never
   * TOASTed; nothing is hashed); a node of a partial tile is folded from the tree state's
   * partial tiles. Parts, which never change, and partial tiles (the widest prefix seen)
   * are held in memory once read; what is missing is read in one query. Nodes the stored
   * tree does not hold are absent.
   *
   * `within`, when given, is a tree size not beyond the stored tree that holds every node
   * asked for: a node in a tile already full at that size is read from the parts alone,
   * so the tree state row (and its partial tiles) is read only when a node may be in a
   * partial tile.
   */
  async nodes(ids: readonly NodeId[], db: Db = this.db, within?: number): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    if (ids.length === 0) return out;
    // only what is committed is cached: never a read inside a transaction that may roll back
    const cacheable = db === this.db;
    const wanted = ids.map((id) => {
      const at = nodeInTile(id);
      return { id, at, in: nodeInPart(at) };
    });
    const missing = new Map<string, { level: number; index: number; part: number }>();
    let maybePartial = false;
    for (const w of wanted) {
      const tileKey = `${w.at.level}/${w.at.index}`;
      const partKey = `${tileKey}/${w.in.part}`;
      if (cacheable) {
        const part = this.parts.get(partKey);
        const hash = part ? partHash(part, w.in.position) : subtreeNodeOf(this.partials.get(tileKey), w.at);
        if (hash) {
          out.set(nodeKey(w.id), hash);
          continue;
        }
      }
      missing.set(partKey, { level: w.at.level, index: w.at.index, part: w.in.part });
      if (within === undefined || hashesAtTileLevel(w.at.level, within) < (w.at.index + 1) * TILE_WIDTH) maybePartial = true;
    }
    if (missing.size === 0) return out;
    const list = [...missing.values()];
    // one statement, one snapshot: the parts asked for and, when a node may be in a partial
    // tile, the partial tiles (a tile filled meanwhile is either still partial here or
    // already rows, never neither)
    const params = {
      levels: intArrayLiteral(list.map((m) => m.level)),
      idxs: intArrayLiteral(list.map((m) => m.index)),
      parts: intArrayLiteral(list.map((m) => m.part)),
    };
    const rows: { level: unknown; idx: unknown; part: unknown; hashes: unknown }[] = cacheable
      ? await (maybePartial ? this.partsAndPartials : this.partsById).execute(params)
      : await queryRows(
          db,
          sql`SELECT level, idx, part, hashes FROM log_tiles
              WHERE (level, idx, part) IN (SELECT * FROM unnest(${params.levels}::smallint[], ${params.idxs}::bigint[], ${params.parts}::smallint[]))
              ${maybePartial ? sql`UNION ALL SELECT -1, tree_size, -1, partial_tiles FROM log_tree_state WHERE id` : sql``}`,
        );
    const parts = new Map<string, Uint8Array>();
    const partials = new Map<string, TileSubtree>();
    for (const r of rows) {
      const level = toNumber(r.level);
      if (level >= 0) {
        const key = `${level}/${toNumber(r.idx)}/${toNumber(r.part)}`;
        const part = toBytes(r.hashes).slice();
        if (part.length !== PART_BYTES) throw new LedgerError('missing_node', `tile part ${key} holds ${part.length} bytes, not ${PART_BYTES}`);
        parts.set(key, part);
        if (cacheable) this.parts.set(key, part);
        continue;
      }
      const size = toNumber(r.idx);
      splitPartialTiles(size, toBytes(r.hashes)).forEach((hashes, l) => {
        const index = partialTileIndex(l, size);
        if (hashes.length === 0 || !list.some((m) => m.level === l && m.index === index)) return;
        const key = `${l}/${index}`;
        const subtree = tileSubtree(this.hasher, hashes);
        partials.set(key, subtree);
        if (cacheable && (this.partials.get(key)?.width ?? -1) < subtree.width) this.partials.set(key, subtree);
      });
    }
    for (const w of wanted) {
      if (out.has(nodeKey(w.id))) continue;
      const tileKey = `${w.at.level}/${w.at.index}`;
      const part = parts.get(`${tileKey}/${w.in.part}`);
      const hash = part ? partHash(part, w.in.position) : subtreeNodeOf(partials.get(tileKey), w.at);
      if (hash) out.set(nodeKey(w.id), hash);
    }
    return out;
  }

  /** Hashes of level `level`, indices [begin, end), ascending. */
  async levelHashes(level: number, begin: number, end: number, db: Db = this.db): Promise<Uint8Array[]> {
    const ids: NodeId[] = [];
    for (let i = begin; i < end; i++) ids.push({ level, index: i });
    const found = await this.nodes(ids, db);
    const out: Uint8Array[] = [];
    for (const id of ids) {
      const h = found.get(nodeKey(id));
      if (!h) throw new LedgerError('missing_node', `level ${level} [${begin}, ${end}) has ${out.length} stored hashes`);
      out.push(h);
    }
    return out;
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
    const found = await this.nodes([leaf, ...nodesForPlan(plan)], db, size);
    const leafHash = found.get(nodeKey(leaf));
    if (!leafHash) throw new LedgerError('missing_node', `leaf ${index} is not stored`);
    return { leafHash, proof: assembleProof(this.hasher, plan, (id) => found.get(nodeKey(id))) };
  }

  /**
   * Inclusion proofs (with leaf hashes) of several leaves in the tree of `size`, in the
   * order of `indices`. One query for all of them.
   */
  async inclusionProofs(indices: readonly number[], size: number, db: Db = this.db): Promise<{ leafHash: Uint8Array; proof: Uint8Array[] }[]> {
    const plans = indices.map((index) => ({ index, plan: planInclusion(index, size) }));
    const ids = new Map<string, NodeId>();
    for (const { index, plan } of plans) for (const id of [{ level: 0, index }, ...nodesForPlan(plan)]) ids.set(nodeKey(id), id);
    const found = await this.nodes([...ids.values()], db, size);
    return plans.map(({ index, plan }) => {
      const leafHash = found.get(nodeKey({ level: 0, index }));
      if (!leafHash) throw new LedgerError('missing_node', `leaf ${index} is not stored`);
      return { leafHash, proof: assembleProof(this.hasher, plan, (id) => found.get(nodeKey(id))) };
    });
  }

  /** RFC 9162 §2.1.4.1 consistency proof between trees of size1 ≤ size2. One query. */
  async consistencyProof(size1: number, size2: number, db: Db = this.db): Promise<Uint8Array[]> {
    if (size1 === 0 || size1 === size2) return [];
    const plan = planConsistency(size1, size2);
    const found = await this.nodes(nodesForPlan(plan), db, size2);
    return assembleProof(this.hasher, plan, (id) => found.get(nodeKey(id)));
  }

  /** The right edge of the stored tree of `size` leaves (O(log n) rows). */
  async compactRange(size: number, db: Db = this.db): Promise<CompactRange> {
    const ids = compactNodeIds(size);
    const found = await this.nodes(ids, db, size);
    const hashes = ids.map((id) => {
      const h = found.get(nodeKey(id));
      if (!h) throw new LedgerError('missing_node', `node ${nodeKey(id)} of tree size ${size} is not stored`);
      return h;
    });
    return CompactRange.fromHashes(this.hasher, size, hashes);
  }
}

/** The hash of `node` from a partial tile's subtree, if it holds it. */
function subtreeNodeOf(subtree: TileSubtree | undefined, node: NodeInTile): Uint8Array | undefined {
  return subtree && subtreeNode(subtree, node);
}

function toCheckpoint(r: Record<string, unknown>): StoredCheckpoint {
  return {
    size: toNumber(r.tree_size),
    rootHash: toBytes(r.root_hash),
    note: String(r.note),
    createdAt: r.created_at instanceof Date ? r.created_at : new Date(String(r.created_at)),
  };
}

function cloneTreeState(t: TreeState): TreeState {
  return { size: t.size, rootHash: t.rootHash.slice(), edge: t.edge.map((h) => h.slice()), time: new Date(t.time.getTime()), partialTiles: t.partialTiles.slice() };
}

function toTreeState(r: Record<string, unknown> | undefined): TreeState {
  if (!r) throw new LedgerError('tree_state_corrupt', 'the tree state row is missing');
  const partialTiles = toBytes(r.partial_tiles);
  const edge = toBytes(r.right_edge);
  if (edge.length % 32 !== 0) throw new LedgerError('tree_state_corrupt', 'the right edge is not a sequence of 32-byte hashes');
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < edge.length; i += 32) hashes.push(edge.slice(i, i + 32));
  return {
    size: toNumber(r.tree_size),
    rootHash: toBytes(r.root_hash),
    edge: hashes,
    time: r.integrated_at instanceof Date ? r.integrated_at : new Date(String(r.integrated_at)),
    partialTiles,
  };
}
