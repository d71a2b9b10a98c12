/**
 * Several sequencers on one database (on PostgreSQL: separate connection pools, as
 * separate processes would have) interleave batches under the advisory lock: indices
 * stay gap-free and unique, every acknowledged entry is where its ack says, the
 * stored tree verifies. When one sequencer stops, another continues from the
 * committed state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { auditLog } from '../../src/ledger/audit.ts';
import { generateSignerKey, logKeyFromString } from '../../src/ledger/keyfile.ts';
import { nodeRfc6962 } from '../../src/ledger/node-hasher.ts';
import { ed25519Verifier } from '../../src/ledger/note.ts';
import { Sequencer } from '../../src/ledger/sequencer.ts';
import { LogStore } from '../../src/ledger/store.ts';
import { toHex, utf8 } from '../../src/ledger/bytes.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/db.ts';

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
    const seqs = dbs.map((d) => new Sequencer({ store: new LogStore(d.db, nodeRfc6962), origin: ORIGIN, signer: key.signer, maxBatch: 64 }));
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

    const report = await auditLog({ store, origin: ORIGIN, verifiers: [ed25519Verifier(key.vkey)] });
    expect(report).toMatchObject({ ok: true, treeSize: 490 });
    const last = (await store.latestCheckpoint())!;
    expect(toHex(last.rootHash)).toBe(toHex((await store.compactRange(490)).root()));
    for (const s of seqs) await s.close();
  });
});
