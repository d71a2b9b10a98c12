/**
 * The sequencer and log store on a real database (PGlite, or PostgreSQL with
 * DATABASE_URL): gap-free indices, acknowledged = committed, effects atomic with
 * their entry, proofs from storage verify, the tables are append-only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { queryRows } from '../../src/db/index.ts';
import { meta } from '../../src/db/index.ts';
import { merkleTreeHash } from '../../src/ledger/index.ts';
import { rfc6962 } from '../../src/ledger/index.ts';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/index.ts';
import { openNote, ed25519Verifier } from '../../src/ledger/index.ts';
import { parseCheckpoint } from '../../src/ledger/index.ts';
import { utf8, toHex } from '../../src/ledger/index.ts';
import { LedgerError } from '../../src/ledger/index.ts';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx?.close();
});

/** Independent RFC 6962 root: node:crypto directly, recursive definition. */
function independentRoot(entries: Uint8Array[]): string {
  const h = (...parts: Uint8Array[]) => {
    const x = createHash('sha256');
    for (const p of parts) x.update(p);
    return new Uint8Array(x.digest());
  };
  const mth = (d: Uint8Array[]): Uint8Array => {
    if (d.length === 0) return h();
    if (d.length === 1) return h(Uint8Array.of(0), d[0]!);
    let k = 1;
    while (k * 2 < d.length) k *= 2;
    return h(Uint8Array.of(1), mth(d.slice(0, k)), mth(d.slice(k)));
  };
  return toHex(mth(entries));
}

async function allEntries(): Promise<Uint8Array[]> {
  const cp = await ctx.store.latestCheckpoint();
  return ctx.store.entries(0, cp!.size);
}

describe('sequencer', () => {
  it('publishes the log key as entry 0 with a verifiable checkpoint', async () => {
    const cp = await ctx.store.latestCheckpoint();
    expect(cp!.size).toBeGreaterThanOrEqual(1);
    const opened = await openNote(cp!.note, [ed25519Verifier(ctx.logKey.vkey)]);
    const body = parseCheckpoint(opened.text);
    expect(body.origin).toBe('test.datadeed.localhost/log');
    const first = JSON.parse(new TextDecoder().decode((await ctx.store.entry(0))!));
    expect(first.kind).toBe('key.added');
    expect(first.vkey).toBe(ctx.logKey.vkey);
  });

  it('acknowledges concurrent appends with gap-free indices, after commit, in one or few batches', async () => {
    const before = (await ctx.store.latestCheckpoint())!.size;
    const entries = Array.from({ length: 300 }, (_, i) => utf8(JSON.stringify({ n: i, pad: 'x'.repeat(i % 17) })));
    const acks = await Promise.all(entries.map((e) => ctx.sequencer.append(e)));
    const indices = acks.map((a) => a.index).sort((a, b) => a - b);
    expect(indices).toEqual(Array.from({ length: 300 }, (_, i) => before + i));
    for (const [i, a] of acks.entries()) {
      expect(toHex(a.leafHash)).toBe(toHex(rfc6962.hashLeaf(entries[i]!)));
      // the acknowledged checkpoint covers the entry and is committed
      expect(a.checkpoint.size).toBeGreaterThan(a.index);
      const stored = await ctx.store.checkpointAt(a.checkpoint.size);
      expect(stored?.note).toBe(a.checkpoint.note);
    }
    // every entry is stored where its ack says
    for (const [i, a] of acks.entries()) expect(toHex((await ctx.store.entry(a.index))!)).toBe(toHex(entries[i]!));
    const batches = new Set(acks.map((a) => a.checkpoint.size));
    expect(batches.size).toBeLessThan(300);
  });

  it('the newest checkpoint root equals an independently computed RFC 6962 root of all entries', async () => {
    const entries = await allEntries();
    const cp = (await ctx.store.latestCheckpoint())!;
    expect(toHex(cp.rootHash)).toBe(independentRoot(entries));
    expect(toHex(merkleTreeHash(rfc6962, entries.map((e) => rfc6962.hashLeaf(e))))).toBe(toHex(cp.rootHash));
  });

  it('serves inclusion proofs from storage that verify for every leaf, and consistency proofs between every published checkpoint', async () => {
    const cp = (await ctx.store.latestCheckpoint())!;
    for (let i = 0; i < cp.size; i++) {
      const { leafHash, proof } = await ctx.store.inclusionProof(i, cp.size);
      verifyInclusion(rfc6962, i, cp.size, leafHash, proof, cp.rootHash);
    }
    const cps = await ctx.store.checkpointsAfter(0, 10_000);
    for (let j = 1; j < cps.length; j++) {
      const a = cps[j - 1]!;
      const b = cps[j]!;
      verifyConsistency(rfc6962, a.size, b.size, await ctx.store.consistencyProof(a.size, b.size), a.rootHash, b.rootHash);
      verifyConsistency(rfc6962, cps[0]!.size, b.size, await ctx.store.consistencyProof(cps[0]!.size, b.size), cps[0]!.rootHash, b.rootHash);
    }
  });

  it('runs effects in the batch transaction: a failing effect fails alone and writes nothing', async () => {
    const before = (await ctx.store.latestCheckpoint())!.size;
    const results = await Promise.allSettled([
      ctx.sequencer.appendWith(async (tx, index) => {
        await tx.insert(meta).values({ key: `effect-ok-${index}`, value: 'a' });
        return { entry: utf8(`{"ok":${index}}`), result: index };
      }),
      ctx.sequencer.appendWith(async (tx, index) => {
        await tx.insert(meta).values({ key: `effect-bad-${index}`, value: 'b' });
        throw new Error('domain refusal');
      }),
      ctx.sequencer.appendWith(async (tx) => {
        // a SQL error inside an effect is contained by its savepoint
        await tx.execute(sql`SELECT 1/0`);
        return { entry: utf8('{}'), result: -1 };
      }),
      ctx.sequencer.append(utf8('{"plain":true}')),
    ]);
    expect(results[0]!.status).toBe('fulfilled');
    expect(results[1]!.status).toBe('rejected');
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('domain refusal');
    expect(results[2]!.status).toBe('rejected');
    expect(results[3]!.status).toBe('fulfilled');
    const ok = (results[0] as PromiseFulfilledResult<{ index: number; result: number }>).value;
    expect(ok.result).toBe(ok.index);
    const rows = await queryRows<{ key: string }>(ctx.database.db, sql`SELECT key FROM datadeed_meta WHERE key LIKE 'effect-%'`);
    expect(rows.map((r) => r.key)).toEqual([`effect-ok-${ok.index}`]);
    const after = (await ctx.store.latestCheckpoint())!.size;
    expect(after - before).toBe(2);
  });

  it('rejects an entry over 65,535 bytes without writing', async () => {
    const before = (await ctx.store.latestCheckpoint())!.size;
    await expect(ctx.sequencer.append(new Uint8Array(65536))).rejects.toMatchObject({ code: 'entry_too_large' });
    await expect(ctx.sequencer.append(new Uint8Array(65535).fill(0x20))).resolves.toMatchObject({ index: before });
  });

  it('the log tables are append-only in the database', async () => {
    for (const stmt of [
      sql`UPDATE log_entries SET data = '\\x00'::bytea WHERE idx = 0`,
      sql`DELETE FROM log_entries WHERE idx = 0`,
      sql`TRUNCATE log_entries`,
      sql`UPDATE log_tiles SET hashes = hashes`,
      sql`DELETE FROM log_tiles`,
      sql`TRUNCATE log_tiles`,
      sql`UPDATE log_checkpoints SET note = 'x'`,
      sql`DELETE FROM log_checkpoints`,
      sql`TRUNCATE log_checkpoints`,
    ]) {
      const err = await ctx.database.db.execute(stmt).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err, 'statement must be rejected').toBeInstanceOf(Error);
      expect(String((err as Error & { cause?: Error }).cause?.message ?? err!.message)).toMatch(/append-only/);
    }
    expect((await ctx.store.entry(0))!.length).toBeGreaterThan(1);
  });

  it('refuses proofs for indices or sizes outside the tree', async () => {
    const size = (await ctx.store.latestCheckpoint())!.size;
    await expect(ctx.store.inclusionProof(size, size)).rejects.toBeInstanceOf(LedgerError);
    await expect(ctx.store.inclusionProof(0, size + 10)).rejects.toBeInstanceOf(LedgerError);
  });
});
