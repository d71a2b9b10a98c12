/**
 * Migrations 0015 (log_nodes → log_tiles) and 0017 (each full tile → 17 parts holding
 * its hashes and the nodes folded from them): a log written by the node-per-row schema,
 * migrated, serves the same tree. The old rows are written as that schema's sequencer
 * wrote them (every perfect node, one row each); after 0015 (and 0016) the full tiles and
 * the partial tiles, after 0017 every part, the tiles served, inclusion and consistency
 * proofs and the audit are checked against the independent RFC 9162 code of
 * tests/helpers/tlog-client.ts.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byteaRows, queryRows, type Database, type Db } from '../../src/db/index.ts';
import * as schema from '../../src/db/schema.ts';
import { nodeRfc6962 } from '../../src/ledger/node/index.ts';
import { auditLog, LogStore } from '../../src/ledger/pg/index.ts';
import { CompactRange, splitPartialTiles } from '../../src/ledger/index.ts';
import * as ref from '../helpers/tlog-client.ts';
import { createPostgresDatabase, openEmptyPglite, usingPostgres } from '../helpers/db.ts';

const MIGRATIONS = path.resolve(import.meta.dirname, '../../migrations');
const N = 66_000; // past 65,536: a full tile at level 1 and a partial one at level 2

let database: Database;
let drop = async () => {};
const dirs: string[] = [];
/** log_tiles and the partial tiles as migration 0015 (and 0016) left them, before 0017. */
let tilesAfter0015: { level: number; idx: unknown; hashes: Uint8Array }[];
let partialsAfter0015: Uint8Array;
const entries = Array.from({ length: N }, (_, i) => new TextEncoder().encode(`{"kind":"test.old","i":${i}}`));
const leaves = entries.map((e) => ref.leafHash(e));

async function migrateFrom(folder: string): Promise<void> {
  if (database.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(database.db as never, { migrationsFolder: folder });
  } else {
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    await migrate(database.db as never, { migrationsFolder: folder });
  }
}

beforeAll(async () => {
  // a database without migrations (openDatabase would apply them all)
  if (usingPostgres) {
    const created = await createPostgresDatabase();
    drop = created.drop;
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const client = postgres(created.url, { max: 4, onnotice: () => {} });
    database = { kind: 'postgres', db: drizzle({ client, schema }) as unknown as Db, close: () => client.end() };
  } else {
    const { drizzle } = await import('drizzle-orm/pglite');
    const client = await openEmptyPglite();
    database = { kind: 'pglite', db: drizzle({ client, schema }) as unknown as Db, close: () => client.close() };
  }
  // the migrations before 0015 (a later one applied first would make the migrator skip 0015)
  await migrateFrom(migrationsBefore(15));

  // the log as the node-per-row sequencer stored it
  const range = CompactRange.empty(nodeRfc6962);
  const nodes: { level: number; idx: number; hash: Uint8Array }[] = [];
  for (const l of leaves) range.append(l, (id, hash) => nodes.push({ level: id.level, idx: id.index, hash }));
  for (let i = 0; i < N; i += 5000) {
    const part = entries.slice(i, i + 5000);
    await database.db.execute(
      sql`INSERT INTO log_entries (idx, data) SELECT ${i}::bigint + r.n - 1, r.d FROM ${byteaRows(part)} AS r`,
    );
  }
  for (let i = 0; i < nodes.length; i += 5000) {
    const part = nodes.slice(i, i + 5000);
    await database.db.execute(
      sql`INSERT INTO log_nodes (level, idx, hash) SELECT t.l, t.i, r.d FROM unnest(${`{${part.map((n) => n.level).join(',')}}`}::smallint[], ${`{${part.map((n) => n.idx).join(',')}}`}::bigint[]) WITH ORDINALITY AS t(l, i, n) JOIN ${byteaRows(part.map((n) => n.hash))} AS r ON r.n = t.n`,
    );
  }
  await database.db.execute(
    sql`UPDATE log_tree_state SET tree_size = ${N}, root_hash = decode(${ref.hex(range.root())}, 'hex'), right_edge = decode(${range.hashes().map(ref.hex).join('')}, 'hex'), integrated_at = now()`,
  );
  // 0015 and 0016: the tiles as one row each
  await migrateFrom(migrationsBefore(17));
  tilesAfter0015 = await queryRows<{ level: number; idx: unknown; hashes: Uint8Array }>(database.db, sql`SELECT level, idx, hashes FROM log_tiles ORDER BY level, idx`);
  partialsAfter0015 = (await new LogStore(database.db, nodeRfc6962).treeState()).partialTiles;
  // 0017 and any later one
  await migrateFrom(MIGRATIONS);
}, 300_000);

/** A copy of the migrations folder with only the migrations before number `n`. */
function migrationsBefore(n: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dd-mig-'));
  dirs.push(dir);
  cpSync(MIGRATIONS, dir, { recursive: true });
  const journal = JSON.parse(readFileSync(path.join(dir, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };
  for (const e of journal.entries) if (e.idx >= n) rmSync(path.join(dir, `${e.tag}.sql`));
  journal.entries = journal.entries.filter((e) => e.idx < n);
  writeFileSync(path.join(dir, 'meta/_journal.json'), JSON.stringify(journal));
  return dir;
}

/** The Merkle tree hash of the node at tree `level`, index `index` (independent code). */
const refNode = (level: number, index: number) => ref.mth(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level));

afterAll(async () => {
  await database?.close();
  await drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('migrations 0015 and 0017: the node rows become tiles, the tiles their parts', () => {
  it('moves every full tile and the partial tiles; log_nodes is gone', async () => {
    const tiles = tilesAfter0015;
    // 66,000 leaves: 257 full tiles at level 0, 1 at level 1
    expect(tiles.map((t) => `${t.level}/${Number(t.idx)}`)).toEqual([...Array.from({ length: 257 }, (_, i) => `0/${i}`), '1/0']);
    for (const t of tiles) {
      const span = 256 ** t.level;
      const want = Buffer.concat(Array.from({ length: 256 }, (_, k) => Buffer.from(ref.mth(leaves.slice((Number(t.idx) * 256 + k) * span, (Number(t.idx) * 256 + k + 1) * span)))));
      expect(Buffer.from(t.hashes).equals(want), `tile ${t.level}/${Number(t.idx)}`).toBe(true);
    }
    const [p0, p1, p2] = splitPartialTiles(N, partialsAfter0015);
    // level 0: 66,000 − 257·256 = 208 hashes; level 1: ⌊66,000/256⌋ = 257 → 1; level 2: 1
    expect([p0!.length, p1!.length, p2!.length]).toEqual([208 * 32, 32, 32]);
    expect(ref.hex(p2!)).toBe(ref.hex(ref.mth(leaves.slice(0, 65_536))));
    const gone = await queryRows<{ n: unknown }>(database.db, sql`SELECT count(*) AS n FROM pg_tables WHERE tablename = 'log_nodes'`);
    expect(Number(gone[0]!.n)).toBe(0);
  });

  it('0017: every full tile becomes its 17 parts, holding its hashes and every node folded from them', async () => {
    const parts = await queryRows<{ level: number; idx: unknown; part: number; hashes: Uint8Array }>(
      database.db,
      sql`SELECT level, idx, part, hashes FROM log_tiles ORDER BY level, idx, part`,
    );
    expect(parts.length).toBe(258 * 17);
    for (const p of parts) {
      const level = Number(p.level);
      const idx = Number(p.idx);
      const part = Number(p.part);
      // part < 16: tile levels 0–3 below stripe `part`; part 16: tile levels 4–7 of the whole tile
      const want: Uint8Array[] = [];
      for (let k = 0; k < 4; k++) {
        const sub = part < 16 ? k : k + 4;
        const n = 16 >> k;
        const first = idx * (256 >> sub) + (part < 16 ? part * n : 0);
        for (let j = first; j < first + n; j++) want.push(refNode(8 * level + sub, j));
      }
      expect(Buffer.from(p.hashes).equals(Buffer.concat(want)), `tile ${level}/${idx} part ${part}`).toBe(true);
    }
    // the partial tiles are unchanged, the tiles served are the tiles of 0015, byte for byte
    const store = new LogStore(database.db, nodeRfc6962);
    expect(Buffer.from((await store.treeState()).partialTiles).equals(Buffer.from(partialsAfter0015))).toBe(true);
    for (const t of tilesAfter0015) {
      const begin = Number(t.idx) * 256;
      const served = Buffer.concat(await store.levelHashes(8 * t.level, begin, begin + 256));
      expect(served.equals(Buffer.from(t.hashes)), `tile ${t.level}/${Number(t.idx)}`).toBe(true);
    }
  }, 120_000);

  it('serves proofs from them that the reference verifies, and the audit passes', async () => {
    const store = new LogStore(database.db, nodeRfc6962);
    for (const index of [0, 255, 256, 40_000, 65_535, 65_536, 65_999]) {
      for (const size of [index + 1, 65_536 + (index % 7), N].filter((s) => s > index)) {
        const { leafHash, proof } = await store.inclusionProof(index, size);
        expect(ref.hex(leafHash)).toBe(ref.hex(leaves[index]!));
        expect(ref.hex(ref.rootFromPath(index, size, leafHash, proof))).toBe(ref.hex(ref.mth(leaves.slice(0, size))));
      }
    }
    for (const [a, b] of [[1, N], [256, 65_537], [65_536, N], [1000, 1001]] as const)
      expect((await store.consistencyProof(a, b)).map(ref.hex)).toEqual(ref.consistency(a, leaves.slice(0, b)).map(ref.hex));
    const report = await auditLog({ store, origin: 'migrated.example/log', verifiers: [] });
    expect(report).toMatchObject({ ok: true, treeSize: N, entries: N });
  }, 120_000);
});
