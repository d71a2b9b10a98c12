/**
 * `audit` on a real database: clean on an honest log; after an attacker disables the
 * append-only trigger and changes one byte (of an entry, a node, a checkpoint), audit
 * names the index or checkpoint.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { auditLog } from '../../src/ledger/audit.ts';
import { ed25519Verifier } from '../../src/ledger/note.ts';
import { generateSignerKey, logKeyFromString } from '../../src/ledger/keyfile.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import type { Db } from '../../src/db/database.ts';

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
    expect(report.treeSize).toBe(2 + 50 + 57 + 64 + 71 + 78 + 85); // 2 key.added entries
    expect(report.checkpoints).toBeGreaterThanOrEqual(7);
  });

  it('names the entry whose byte was changed', async () => {
    await asAttacker(ctx.database.db, 'log_entries', sql`UPDATE log_entries SET data = set_byte(data, 10, get_byte(data, 10) # 1) WHERE idx = 137`);
    const report = await audit();
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ code: 'entry_hash_mismatch', index: 137 });
  });

  it('names a changed interior node', async () => {
    await asAttacker(ctx.database.db, 'log_nodes', sql`UPDATE log_nodes SET hash = set_byte(hash, 0, get_byte(hash, 0) # 128) WHERE level = 3 AND idx = 5`);
    const report = await audit();
    expect(report.problem).toMatchObject({ code: 'node_hash_mismatch', index: 40 });
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

  it('rejects checkpoints when only another key of the same name is trusted', async () => {
    const other = logKeyFromString(generateSignerKey(ctx.config.origin));
    const report = await auditLog({ store: ctx.store, origin: ctx.config.origin, verifiers: [ed25519Verifier(other.vkey)] });
    expect(report.problem).toMatchObject({ code: 'checkpoint_signature_invalid', checkpoint: 1 });
  });
});
