/**
 * Checkpoints published apart from integration (PGlite, or PostgreSQL with
 * DATABASE_URL): batches write no checkpoints; the publisher signs one per round
 * when the tree grew, on demand and on its interval; a quiet log publishes nothing;
 * its record of the newest signed checkpoint is written before the checkpoint is
 * stored; cosignatures are additions; the tree state row only grows and is replaced
 * by compare-and-swap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/index.ts';
import { ed25519Verifier, formatCheckpoint, LedgerError, openNote, parseCheckpoint, signNote, toHex, utf8 } from '../../src/ledger/index.ts';
import { CheckpointFile, nodeRfc6962 } from '../../src/ledger/node/index.ts';
import { auditLog, LogStore, Publisher, Sequencer, type SignedCheckpointStore } from '../../src/ledger/pg/index.ts';
import { generateSignerKey, logKeyFromString } from '../../src/keys/node/log-key.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/db.ts';
import * as ref from '../helpers/tlog-client.ts';
import { assertCodes } from '../helpers/assert-code.ts';

const { expectCodeAsync } = assertCodes(LedgerError);

const ORIGIN = 'publisher.datadeed.localhost/log';
const key = logKeyFromString(generateSignerKey(ORIGIN));
let database: TestDatabase;
let store: LogStore;
let dir: string;

beforeAll(async () => {
  database = await openTestDatabase();
  store = new LogStore(database.db, nodeRfc6962);
  dir = mkdtempSync(path.join(tmpdir(), 'datadeed-publisher-'));
});
afterAll(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

const countCheckpoints = async () => Number((await queryRows<{ n: unknown }>(database.db, sql`SELECT count(*) AS n FROM log_checkpoints`))[0]!.n);
const open = (saved?: SignedCheckpointStore, intervalMs = 0) =>
  Publisher.open({ store, origin: ORIGIN, signer: key.signer, verifier: ed25519Verifier(key.vkey), saved, intervalMs });

describe('publisher', () => {
  it('batches write no checkpoint; one publication covers them all and is recorded beside the key first', async () => {
    const sequencer = new Sequencer({ store, maxBatch: 16 });
    const acks = await Promise.all(Array.from({ length: 100 }, (_, i) => sequencer.append(utf8(`{"n":${i}}`))));
    expect(new Set(acks.map((a) => a.treeSize)).size).toBeGreaterThan(1); // several batches
    expect(await countCheckpoints()).toBe(0);
    expect((await store.treeState()).size).toBe(100);

    const file = new CheckpointFile(path.join(dir, 'keys', 'log.checkpoint'));
    const publisher = await open(file);
    const cp = (await publisher.publish())!;
    expect(cp.size).toBe(100);
    const entries = await store.entries(0, 100);
    expect(ref.hex(cp.rootHash)).toBe(ref.hex(ref.mth(entries.map(ref.leafHash))));
    expect(ref.verifyCheckpoint(cp.note, ref.parseVkey(key.vkey)).size).toBe(100);
    expect(await countCheckpoints()).toBe(1);
    expect(readFileSync(file.file, 'utf8')).toBe(cp.note);
    expect(publisher.newestSigned()!.size).toBe(100);

    // a quiet log publishes nothing new, and audit checks one checkpoint, not one per batch
    expect((await publisher.publish())!.size).toBe(100);
    expect(await countCheckpoints()).toBe(1);
    expect(await auditLog({ store, origin: ORIGIN, verifiers: [ed25519Verifier(key.vkey)] })).toMatchObject({ ok: true, treeSize: 100, checkpoints: 1 });
    await publisher.close();
    await sequencer.close();
  });

  it('publishes on demand for a receipt, answering concurrent waiters with one checkpoint', async () => {
    const sequencer = new Sequencer({ store, maxBatch: 1024 });
    const publisher = await open(new CheckpointFile(path.join(dir, 'keys', 'log.checkpoint')));
    const before = await countCheckpoints();
    const acks = await Promise.all(Array.from({ length: 40 }, (_, i) => sequencer.append(utf8(`{"w":${i}}`))));
    const cps = await Promise.all(acks.map((a) => publisher.waitForCheckpoint(a.treeSize)));
    for (const [i, cp] of cps.entries()) expect(cp.size).toBeGreaterThan(acks[i]!.index);
    expect(await countCheckpoints()).toBeLessThanOrEqual(before + 2);
    // an entry already covered is answered from the newest checkpoint without a round
    expect((await publisher.waitForCheckpoint(1)).size).toBe(cps.at(-1)!.size);
    await publisher.close();
    await sequencer.close();
  });

  it('publishes on its interval when the tree grew, and only then', async () => {
    const sequencer = new Sequencer({ store });
    const publisher = await open(new CheckpointFile(path.join(dir, 'keys', 'log.checkpoint')), 50);
    publisher.start();
    const ack = await sequencer.append(utf8('{"interval":1}'));
    const deadline = Date.now() + 20_000;
    while (((await store.latestCheckpoint())?.size ?? 0) < ack.treeSize && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    expect((await store.latestCheckpoint())!.size).toBe(ack.treeSize);
    const n = await countCheckpoints();
    await new Promise((r) => setTimeout(r, 300)); // several quiet intervals
    expect(await countCheckpoints()).toBe(n);
    await publisher.close();
    await sequencer.close();
  });

  it('serves nothing it could not record first: a failed record write publishes no checkpoint', async () => {
    const sequencer = new Sequencer({ store });
    await sequencer.append(utf8('{"unrecorded":1}'));
    const before = (await store.latestCheckpoint())!;
    const failing: SignedCheckpointStore = { read: async () => before.note, write: async () => Promise.reject(new Error('disk full')) };
    const publisher = await open(failing);
    await expect(publisher.publish()).rejects.toThrow('disk full');
    expect((await store.latestCheckpoint())!.size).toBe(before.size);
    expect(publisher.fatal).toBeUndefined(); // a disk error is not a rollback
    await publisher.close();
    await sequencer.close();
  });

  it('re-publishes the note it recorded when a crash came between the record and COMMIT', async () => {
    const tree = await store.treeState();
    expect((await store.latestCheckpoint())!.size).toBeLessThan(tree.size);
    const note = await signNote(formatCheckpoint({ origin: ORIGIN, size: tree.size, rootHash: tree.rootHash, extensions: [] }), [key.signer]);
    let writes = 0;
    const saved: SignedCheckpointStore = { read: async () => note, write: async () => void writes++ };
    const publisher = await open(saved);
    const cp = (await publisher.publish())!;
    expect(cp.note).toBe(note);
    expect(writes).toBe(0);
    await publisher.close();
  });

  it('refuses a saved record that is not this log signed by this key', async () => {
    const other = logKeyFromString(generateSignerKey(ORIGIN));
    const foreign = await signNote(formatCheckpoint({ origin: ORIGIN, size: 1, rootHash: new Uint8Array(32), extensions: [] }), [other.signer]);
    await expectCodeAsync(() => open({ read: async () => foreign, write: async () => {} }), 'note_unverified');
    const otherLog = await signNote(formatCheckpoint({ origin: 'elsewhere', size: 1, rootHash: new Uint8Array(32), extensions: [] }), [key.signer]);
    await expect(open({ read: async () => otherLog, write: async () => {} })).rejects.toThrow();
  });

  it('serves cosignatures added later as further signature lines; they are append-only', async () => {
    const cp = (await store.latestCheckpoint())!;
    const witness = logKeyFromString(generateSignerKey('witness.example/w1'));
    const cosigned = await signNote(cp.note.slice(0, cp.note.indexOf('\n\n') + 1), [witness.signer]);
    const line = cosigned.slice(cosigned.indexOf('\n\n') + 2).trimEnd();
    expect(await store.addCosignature(cp.size, { name: witness.name, keyId: witness.keyId.toString(16).padStart(8, '0') }, line, new Date())).toBe(true);
    expect(await store.addCosignature(cp.size + 1000, { name: witness.name, keyId: 'abcdef01' }, line, new Date())).toBe(false);
    const served = (await store.latestCheckpoint())!.note;
    expect(served).toBe(`${cp.note}${line}\n`);
    expect(parseCheckpoint((await openNote(served, [ed25519Verifier(key.vkey)])).text).size).toBe(cp.size);
    expect((await openNote(served, [ed25519Verifier(witness.vkey)])).text).toBe(cp.note.slice(0, cp.note.indexOf('\n\n') + 1));
    for (const stmt of [sql`UPDATE log_cosignatures SET line = line`, sql`DELETE FROM log_cosignatures`, sql`TRUNCATE log_cosignatures`]) {
      const err = await database.db.execute(stmt).then(() => undefined, (e: Error) => e);
      expect(String((err as Error & { cause?: Error })?.cause?.message ?? err?.message)).toMatch(/append-only/);
    }
    const report = await auditLog({ store, origin: ORIGIN, verifiers: [ed25519Verifier(key.vkey)] });
    expect(report).toMatchObject({ ok: true });
  });
});

describe('tree state row', () => {
  it('only grows: the database refuses a smaller tree, another root for a size, an earlier time, deletion', async () => {
    const s = await store.treeState();
    for (const stmt of [
      sql`UPDATE log_tree_state SET tree_size = tree_size - 1`,
      sql`UPDATE log_tree_state SET root_hash = sha256(root_hash)`,
      sql`UPDATE log_tree_state SET integrated_at = integrated_at - interval '1 second'`,
      sql`DELETE FROM log_tree_state`,
      sql`TRUNCATE log_tree_state`,
      sql`INSERT INTO log_tree_state (id, tree_size, root_hash, right_edge, integrated_at) VALUES (false, 0, sha256(''::bytea), ''::bytea, now())`,
    ]) {
      const err = await database.db.execute(stmt).then(() => undefined, (e: Error) => e);
      expect(err, 'statement must be rejected').toBeInstanceOf(Error);
    }
    expect(toHex((await store.treeState()).rootHash)).toBe(toHex(s.rootHash));
  });

  it('is replaced by compare-and-swap: a write on top of a stale head is refused and leaves nothing', async () => {
    const stale = await store.treeState();
    const sequencer = new Sequencer({ store });
    await sequencer.append(utf8('{"moves":"the head"}'));
    await sequencer.close();
    const next = { ...stale, size: stale.size + 1 };
    await expectCodeAsync(() => database.db.transaction((tx) => store.writeIntegration(tx, { previous: stale, next, entries: [], tiles: [] })), 'tree_state_conflict');
    // with the stale head's entry: its index is taken, the statement fails as a whole
    await expect(database.db.transaction((tx) => store.writeIntegration(tx, { previous: stale, next, entries: [utf8('{}')], tiles: [] }))).rejects.toThrow();
    expect((await store.treeState()).size).toBe(stale.size + 1);
    expect(await store.entry(stale.size)).toEqual(utf8('{"moves":"the head"}'));
  });

  it('a sequencer whose clock reads far behind the stored time stops writing', async () => {
    const sequencer = new Sequencer({ store, now: () => new Date('2001-01-01T00:00:00Z'), maxClockSkewMs: 1000 });
    const fatal: Error[] = [];
    const s2 = new Sequencer({ store, now: () => new Date('2001-01-01T00:00:00Z'), onFatal: (e) => fatal.push(e) });
    await expectCodeAsync(() => sequencer.append(utf8('{"late":1}')), 'clock_went_back');
    await expect(sequencer.append(utf8('{"late":2}'))).rejects.toMatchObject({ code: 'sequencer_fatal' });
    await expectCodeAsync(() => s2.append(utf8('{"late":3}')), 'clock_went_back');
    expect(fatal.map((e) => (e as { code?: string }).code)).toEqual(['clock_went_back']);
    await sequencer.close();
    await s2.close();
  });
});
