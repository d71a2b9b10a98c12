/**
 * `audit` on a real database: clean on an honest log; after an attacker disables the
 * append-only trigger and changes one byte (of an entry, a node, a checkpoint, the
 * tree state), audit names the index or checkpoint; a checkpoint saved outside the
 * database must be extended by the log.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { auditLog } from '../../src/ledger/pg/index.ts';
import { ed25519Verifier, formatCheckpoint, signNote } from '../../src/ledger/index.ts';
import { generateSignerKey, logKeyFromString } from '../../src/keys/node/log-key.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import type { Db } from '../../src/db/index.ts';

let ctx: TestContext;

beforeEach(async () => {
  ctx = await createTestContext();
  // several batches, so there are several checkpoints to check against each other
  for (let b = 0; b < 6; b++) await Promise.all(Array.from({ length: 50 + b * 7 }, (_, i) => ctx.appendEvent({ kind: 'test.audit', b, i })));
});
afterEach(async () => {
  await ctx?.close();
});

const audit = () =>
  auditLog({ store: ctx.store, origin: ctx.config.origin, verifiers: [ed25519Verifier(ctx.logKey.vkey)], chunk: 64 });

const auditTrusted = (trusted: string) =>
  auditLog({ store: ctx.store, origin: ctx.config.origin, verifiers: [ed25519Verifier(ctx.logKey.vkey)], chunk: 64, trusted });

/** What an attacker with database superuser rights does. */
async function asAttacker(db: Db, table: string, stmt: ReturnType<typeof sql>) {
  await db.transaction(async (tx) => {
    await tx.execute(sql.raw(`ALTER TABLE ${table} DISABLE TRIGGER USER`));
    await tx.execute(stmt);
    await tx.execute(sql.raw(`ALTER TABLE ${table} ENABLE TRIGGER USER`));
  });
}

describe('audit', () => {
  it('passes on an honest log and counts everything', async () => {
    const report = await audit();
    expect(report.ok).toBe(true);
    expect(report.entries).toBe(report.treeSize);
    expect(report.treeSize).toBe(3 + 50 + 57 + 64 + 71 + 78 + 85); // 3 key.added entries (log, certificate, document)
    expect(report.checkpoints).toBeGreaterThanOrEqual(7);
  });

  /** Flips bits `mask` of byte `at` of part `part` of tile 0/000, as a database superuser would. */
  const flipTileByte = (part: number, at: number, mask: number) =>
    asAttacker(ctx.database.db, 'log_tiles', sql`UPDATE log_tiles SET hashes = set_byte(hashes, ${at}, get_byte(hashes, ${at}) # ${mask}) WHERE level = 0 AND idx = 0 AND part = ${part}`);

  it('names the entry whose byte was changed', async () => {
    await asAttacker(ctx.database.db, 'log_entries', sql`UPDATE log_entries SET data = set_byte(data, 10, get_byte(data, 10) # 1) WHERE idx = 137`);
    const report = await audit();
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ code: 'entry_hash_mismatch', index: 137 });
  });

  it('names a changed leaf hash of a full tile', async () => {
    // tile 0/000 holds the leaf hashes of entries 0–255, 16 to a part: hash 40 is hash 8 of part 2, at byte 8·32
    await flipTileByte(2, 8 * 32, 128);
    const report = await audit();
    expect(report.problem).toMatchObject({ code: 'entry_hash_mismatch', index: 40 });
  });

  it('names a changed interior node stored in a full tile (the level-7 hash of leaves 128–255)', async () => {
    // part 16 of tile 0/000 ends with its two level-7 nodes (leaves 0–127, 128–255): the last at byte 29·32
    await flipTileByte(16, 29 * 32, 1);
    const report = await audit();
    expect(report.problem).toMatchObject({ code: 'node_hash_mismatch', index: 128 });
  });

  it('names a changed stripe node stored in a full tile (the level-1 hash of leaves 34–35)', async () => {
    // part 2 holds leaves 32–47, then its 8 level-1 nodes from byte 16·32: leaves 34–35 are the second
    await flipTileByte(2, 17 * 32 + 5, 4);
    const report = await audit();
    expect(report.problem).toMatchObject({ code: 'node_hash_mismatch', index: 34 });
  });

  it('names a changed interior node (the level-8 hash of leaves 0–255, in the partial tile of level 1)', async () => {
    // the tree of 408 leaves: level 0's partial tile holds 152 hashes, then level 1's holds one — the last 32 bytes
    await asAttacker(
      ctx.database.db,
      'log_tree_state',
      sql`UPDATE log_tree_state SET partial_tiles = set_byte(partial_tiles, octet_length(partial_tiles) - 32, get_byte(partial_tiles, octet_length(partial_tiles) - 32) # 128)`,
    );
    const report = await audit();
    expect(report.problem).toMatchObject({ code: 'node_hash_mismatch', index: 0 });
  });

  it('names a checkpoint whose signed note was altered', async () => {
    const [cp] = await ctx.store.checkpointsAfter(100, 1);
    await asAttacker(
      ctx.database.db,
      'log_checkpoints',
      sql`UPDATE log_checkpoints SET note = replace(note, ${`\n${cp!.size}\n`}, ${`\n${cp!.size + 1}\n`}) WHERE tree_size = ${cp!.size}`,
    );
    const report = await audit();
    expect(report.problem).toMatchObject({ code: 'checkpoint_signature_invalid', checkpoint: cp!.size });
  });

  it('names a deleted entry and rows appended behind the sequencer', async () => {
    await asAttacker(ctx.database.db, 'log_entries', sql`DELETE FROM log_entries WHERE idx = 200`);
    expect((await audit()).problem).toMatchObject({ code: 'missing_entry', index: 200 });
  });

  it('finds entries stored beyond the newest checkpoint', async () => {
    const size = (await ctx.store.latestCheckpoint())!.size;
    await ctx.database.db.execute(sql`INSERT INTO log_entries (idx, data) VALUES (${size}, '\\x7b7d'::bytea)`);
    expect((await audit()).problem).toMatchObject({ code: 'rows_beyond_tree', index: size });
  });

  it('names a tree state row that is not the head of the stored entries', async () => {
    await asAttacker(ctx.database.db, 'log_tree_state', sql`UPDATE log_tree_state SET right_edge = set_byte(right_edge, 0, get_byte(right_edge, 0) # 1)`);
    expect((await audit()).problem).toMatchObject({ code: 'tree_state_mismatch' });
  });

  it('checks a checkpoint saved outside the database: extended, rolled back, forked, or not this log', async () => {
    const [early] = await ctx.store.checkpointsAfter(0, 1);
    const newest = (await ctx.store.latestCheckpoint())!;
    expect(await auditLog({ store: ctx.store, origin: ctx.config.origin, verifiers: [ed25519Verifier(ctx.logKey.vkey)], trusted: early!.note })).toMatchObject({
      ok: true,
      trustedSize: early!.size,
    });
    // a checkpoint of a larger tree, signed by the log key, that this database does not reach
    const ahead = await signNote(formatCheckpoint({ origin: ctx.config.origin, size: newest.size + 5, rootHash: newest.rootHash, extensions: [] }), [ctx.logKey.signer]);
    expect((await auditTrusted(ahead)).problem).toMatchObject({ code: 'log_rolled_back', checkpoint: newest.size + 5 });
    // another root for a size the log has
    const other = await signNote(formatCheckpoint({ origin: ctx.config.origin, size: 100, rootHash: newest.rootHash, extensions: [] }), [ctx.logKey.signer]);
    expect((await auditTrusted(other)).problem).toMatchObject({ code: 'log_forked', checkpoint: 100 });
    // signed by another key, or not a note at all
    const stranger = logKeyFromString(generateSignerKey(ctx.config.origin));
    const foreign = await signNote(formatCheckpoint({ origin: ctx.config.origin, size: 1, rootHash: newest.rootHash, extensions: [] }), [stranger.signer]);
    expect((await auditTrusted(foreign)).problem).toMatchObject({ code: 'trusted_checkpoint_invalid' });
    expect((await auditTrusted('junk\n')).problem).toMatchObject({ code: 'trusted_checkpoint_invalid' });
  });

  it('rejects checkpoints when only another key of the same name is trusted', async () => {
    const other = logKeyFromString(generateSignerKey(ctx.config.origin));
    const report = await auditLog({ store: ctx.store, origin: ctx.config.origin, verifiers: [ed25519Verifier(other.vkey)] });
    // the first checkpoint (the first start publishes the log and certificate keys in one batch)
    const [first] = await ctx.store.checkpointsAfter(0, 1);
    expect(report.problem).toMatchObject({ code: 'checkpoint_signature_invalid', checkpoint: first!.size });
  });
});
