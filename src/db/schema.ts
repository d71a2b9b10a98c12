/**
 * Drizzle schema of DataDeed. Every table and column is commented in the SQL
 * migrations (migrations/), which are generated from this file by drizzle-kit
 * and extended by hand-written custom migrations (triggers, comments).
 */
import { sql } from 'drizzle-orm';
import { bigint, customType, pgTable, primaryKey, smallint, text, timestamp, check } from 'drizzle-orm/pg-core';

/** PostgreSQL bytea, read as Uint8Array (PGlite) or Buffer (postgres.js, a Uint8Array subclass). */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType() {
    return 'bytea';
  },
  toDriver(value: Uint8Array): Uint8Array {
    return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  },
});

/** Key/value facts about this database: log origin, creation time. */
export const meta = pgTable('datadeed_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** The log's entries, by index. Append-only (trigger). */
export const logEntries = pgTable(
  'log_entries',
  {
    idx: bigint('idx', { mode: 'number' }).primaryKey(),
    data: bytea('data').notNull(),
  },
  (t) => [check('log_entries_idx_nonneg', sql`${t.idx} >= 0`), check('log_entries_data_size', sql`octet_length(${t.data}) <= 65535`)],
);

/**
 * Every complete node of the Merkle tree: level 0 = leaf hashes, level l index i
 * covers leaves [i·2^l, (i+1)·2^l). Complete nodes never change. Append-only.
 */
export const logNodes = pgTable(
  'log_nodes',
  {
    level: smallint('level').notNull(),
    idx: bigint('idx', { mode: 'number' }).notNull(),
    hash: bytea('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.idx] }), check('log_nodes_hash_len', sql`octet_length(${t.hash}) = 32`)],
);

/** Every signed checkpoint the log ever published, one per committed batch. Append-only. */
export const logCheckpoints = pgTable(
  'log_checkpoints',
  {
    treeSize: bigint('tree_size', { mode: 'number' }).primaryKey(),
    rootHash: bytea('root_hash').notNull(),
    note: text('note').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [check('log_checkpoints_root_len', sql`octet_length(${t.rootHash}) = 32`)],
);

/** Public verifier keys (log and certificate signing) and their validity windows. */
export const signingKeys = pgTable('signing_keys', {
  keyId: text('key_id').primaryKey(),
  name: text('name').notNull(),
  purpose: text('purpose').notNull(),
  vkey: text('vkey').notNull(),
  validFrom: timestamp('valid_from', { withTimezone: true, mode: 'date' }).notNull(),
  validUntil: timestamp('valid_until', { withTimezone: true, mode: 'date' }),
  logIndex: bigint('log_index', { mode: 'number' }),
});
