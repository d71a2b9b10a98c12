/**
 * Several sequencers on one database (on PostgreSQL: separate connection pools, as
 * separate processes would have) interleave batches under the tree state row lock:
 * indices stay gap-free and unique, every acknowledged entry is where its ack says,
 * the stored tree verifies. When one sequencer stops, another continues from the
 * committed state. On PostgreSQL, a holder of the lock that hangs (SIGSTOP) loses it
 * to the server's idle-in-transaction timeout and another instance takes over; the
 * hung one, resumed, is not acknowledged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/index.ts';
import { openDatabase, type Database } from '../../src/db/index.ts';
import { auditLog } from '../../src/ledger/pg/index.ts';
import { generateSignerKey, logKeyFromString } from '../../src/keys/node/log-key.ts';
import { nodeRfc6962 } from '../../src/ledger/node/index.ts';
import { ed25519Verifier } from '../../src/ledger/index.ts';
import { Publisher, Sequencer } from '../../src/ledger/pg/index.ts';
import { LogStore } from '../../src/ledger/pg/index.ts';
import { toHex, utf8 } from '../../src/ledger/index.ts';
import { openTestDatabase, usingPostgres, type TestDatabase } from '../helpers/db.ts';

const ORIGIN = 'takeover.datadeed.localhost/log';
const key = logKeyFromString(generateSignerKey(ORIGIN));
let primary: TestDatabase;
const extra: Database[] = [];

beforeAll(async () => {
  primary = await openTestDatabase();
});
afterAll(async () => {
  for (const d of extra) await d.close();
  await primary?.close();
});

async function second(): Promise<Database> {
  if (!primary.url) return primary; // PGlite: one process, one client
  const d = await openDatabase({ url: primary.url, maxConnections: 4 });
  extra.push(d);
  return d;
}

describe('several sequencers on one database', () => {
  it('interleave without gaps or duplicates, and one takes over when the other stops', async () => {
    const dbs = [primary, await second(), await second()];
    const seqs = dbs.map((d) => new Sequencer({ store: new LogStore(d.db, nodeRfc6962), maxBatch: 64 }));
    const acks = await Promise.all(
      seqs.flatMap((s, si) => Array.from({ length: 150 }, (_, i) => s.append(utf8(`{"s":${si},"i":${i}}`)).then((a) => ({ ...a, si, i })))),
    );
    const indices = acks.map((a) => a.index).sort((a, b) => a - b);
    expect(indices).toEqual(Array.from({ length: 450 }, (_, i) => i));
    const store = new LogStore(primary.db, nodeRfc6962);
    for (const a of acks) expect(new TextDecoder().decode((await store.entry(a.index))!)).toBe(`{"s":${a.si},"i":${a.i}}`);

    // the first sequencer stops; the others continue from the committed state
    await seqs[0]!.close();
    const more = await Promise.all(Array.from({ length: 40 }, (_, i) => seqs[1 + (i % 2)]!.append(utf8(`{"after":${i}}`))));
    expect(more.map((a) => a.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => 450 + i));
    await expect(seqs[0]!.append(utf8('{}'))).rejects.toMatchObject({ code: 'sequencer_stopped' });

    // a publisher (on another pool) signs a checkpoint of the tree the three integrated
    const publisher = await Publisher.open({ store: new LogStore(dbs[1]!.db, nodeRfc6962), origin: ORIGIN, signer: key.signer, verifier: ed25519Verifier(key.vkey), intervalMs: 0 });
    expect((await publisher.publish())!.size).toBe(490);
    await publisher.close();
    const report = await auditLog({ store, origin: ORIGIN, verifiers: [ed25519Verifier(key.vkey)] });
    expect(report).toMatchObject({ ok: true, treeSize: 490, checkpoints: 1 });
    const last = (await store.latestCheckpoint())!;
    expect(last.size).toBe(490);
    expect(toHex(last.rootHash)).toBe(toHex((await store.compactRange(490)).root()));
    expect(toHex((await store.treeState()).rootHash)).toBe(toHex(last.rootHash));
    for (const s of seqs) await s.close();
  });

  it.runIf(usingPostgres)('a holder that hangs inside its transaction loses the lock within the idle timeout; another instance takes over', async () => {
    const IDLE_MS = 1000;
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/ledger/hung-holder.ts'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, DATABASE_URL: primary.url!, HUNG_IDLE_MS: String(IDLE_MS) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const lines = new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('locked\n')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`hung holder exited ${code}: ${out}`)));
    });
    await lines;
    child.kill('SIGSTOP');
    try {
      // the lock is held by a stopped process: without the server's timeouts this waits forever
      const other = new Sequencer({
        store: new LogStore((await second()).db, nodeRfc6962),
        timeouts: { lockMs: 5 * IDLE_MS, statementMs: 10 * IDLE_MS, idleInTransactionMs: IDLE_MS },
      });
      const before = (await new LogStore(primary.db, nodeRfc6962).treeState()).size;
      const ack = await other.append(utf8('{"kind":"test.took_over"}'));
      expect(ack.index).toBe(before);
      await other.close();
    } finally {
      child.kill('SIGCONT');
    }
    const exited = new Promise((r) => child.once('exit', r));
    await exited;
    // the resumed holder finds its session ended: its append was never acknowledged nor stored
    expect(out).toMatch(/^locked\nrejected /);
    const hung = await queryRows(primary.db, sql`SELECT idx FROM log_entries WHERE data = convert_to('{"kind":"test.hung"}', 'UTF8')`);
    expect(hung).toEqual([]);
    const report = await auditLog({ store: new LogStore(primary.db, nodeRfc6962), origin: ORIGIN, verifiers: [ed25519Verifier(key.vkey)] });
    expect(report.ok).toBe(true);
  }, 120_000);
});
