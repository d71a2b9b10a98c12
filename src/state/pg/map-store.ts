/**
 * The state map's node store on the registry's database (table `state_map_nodes`,
 * docs/state-map.md §9), with an in-memory read-through cache.
 *
 * Contract (the map's `MapNodeStore`): `getNodes` answers from the cache, then reads the
 * misses in one query and keeps them; `putNodes` fills the cache only — the durable write
 * is `writeNodes(tx, …)`, inside the transaction of the `state.committed` entry whose root
 * references the nodes (so a root is never logged without its nodes, and nodes of a
 * rolled-back commit are harmless: content-addressed, unreferenced). Writes are
 * idempotent (`ON CONFLICT DO NOTHING`). Nodes another process wrote are found on a miss.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { hexArrayLiteral, queryRows, toBytes } from '../../db/index.ts';
import { toHex } from '../../ledger/index.ts';
import { MemoryNodeStore, type MapNodeRecord, type MapNodeStore } from '../map/index.ts';

/** Rows per INSERT (bounds the statement's size). */
const WRITE_CHUNK = 4096;

export class PgMapNodeStore implements MapNodeStore {
  readonly cache = new MemoryNodeStore();

  constructor(private readonly db: Db) {}

  async getNodes(hashes: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.getNodesIn(this.db, hashes);
  }

  /**
   * The same store reading its misses in `tx` — inside a transaction, reads must use it
   * (PGlite has one connection: a read outside the open transaction would wait for it).
   */
  in(tx: Db): MapNodeStore {
    return { getNodes: (hashes) => this.getNodesIn(tx, hashes), putNodes: (nodes) => this.putNodes(nodes) };
  }

  private async getNodesIn(db: Db, hashes: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    const out = this.cache.getNodesNow(hashes);
    const missing: Uint8Array[] = [];
    for (let i = 0; i < hashes.length; i++) if (out[i] === undefined) missing.push(hashes[i]!);
    if (missing.length === 0) return out;
    const rows = await queryRows<{ hash: unknown; node: unknown }>(
      db,
      sql`SELECT hash, node FROM state_map_nodes WHERE hash IN (SELECT decode(h, 'hex') FROM unnest(${hexArrayLiteral(missing)}::text[]) AS t(h))`,
    );
    const found = new Map<string, Uint8Array>();
    const records: MapNodeRecord[] = [];
    for (const r of rows) {
      const hash = toBytes(r.hash);
      const node = toBytes(r.node);
      if (hash.length !== 32 || node.length !== 65) continue;
      found.set(toHex(hash), node);
      records.push({ hash, bytes: node });
    }
    this.cache.putNodesNow(records);
    for (let i = 0; i < hashes.length; i++) if (out[i] === undefined) out[i] = found.get(toHex(hashes[i]!));
    return out;
  }

  async putNodes(nodes: readonly MapNodeRecord[]): Promise<void> {
    this.cache.putNodesNow(nodes);
  }

  /** Stores nodes durably in `tx` (idempotent) and in the cache. */
  async writeNodes(tx: Db, nodes: readonly MapNodeRecord[]): Promise<void> {
    for (let i = 0; i < nodes.length; i += WRITE_CHUNK) {
      const chunk = nodes.slice(i, i + WRITE_CHUNK);
      await tx.execute(
        sql`INSERT INTO state_map_nodes (hash, node)
            SELECT decode(h, 'hex'), decode(n, 'hex') FROM unnest(${hexArrayLiteral(chunk.map((x) => x.hash))}::text[], ${hexArrayLiteral(chunk.map((x) => x.bytes))}::text[]) AS t(h, n)
            ON CONFLICT (hash) DO NOTHING`,
      );
    }
    this.cache.putNodesNow(nodes);
  }
}
