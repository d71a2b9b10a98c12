/**
 * The state committer's map lives in memory, derived from the log (issue 16): on both
 * databases, two committers on one log — as two processes would be, each with its own
 * write guard and sequencer — take turns. Each one's commitments carry the root that
 * the second implementation (tests/state/state_proof_ref.py, from docs/log-format.md)
 * computes from the replayed records; a committer behind another's commitment catches up
 * without logging anything when the state did not change since, proves against that
 * commitment (once it followed the log under the lock), and commits the right root once
 * the state changed. The guard's and the audit's
 * chunked reads return the stored entries exactly, odd bytes included.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEntry, fromHex, type LogEvent } from '../../src/ledger/index.ts';
import { nodeRfc6962 } from '../../src/ledger/node/index.ts';
import { LogStore, Sequencer } from '../../src/ledger/pg/index.ts';
import { allStateKeys, applyEntry, certificateKeyId, emptyState, stateMapKey, stateRecord, stateRecordValue, type CertificateStatusRecord, type RegistryState } from '../../src/state/index.ts';
import { mapProofFromBase64, verifyMapProof } from '../../src/state/map/index.ts';
import { nodeSha256 } from '../../src/state/map/node/index.ts';
import { LogStateGuard, StateCommitter, readEntries, replayStored } from '../../src/state/pg/index.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { hasPython } from './helpers.ts';

const REFERENCE = fileURLToPath(new URL('./state_proof_ref.py', import.meta.url));
const TIME = '2026-01-01T00:00:00.000Z';
const USCC = '91350100M000100Y43';
const KEY_ID = '1a2b3c4d';
const CERTS = 40;
const number = (i: number) => `DIP-2026-${String(i).padStart(6, '0')}`;
const hex = (i: number) => Buffer.from(nodeSha256(new TextEncoder().encode(String(i)))).toString('hex');
const ev = (e: Record<string, unknown>) => encodeEntry({ time: TIME, ...e } as LogEvent);

let database: TestDatabase;
let store: LogStore;
let plain: Sequencer;
const issued: { index: number; leafHash: string }[] = [];

/** One "process": its guard, sequencer and committer. */
function registry(): { guard: LogStateGuard; sequencer: Sequencer; committer: StateCommitter } {
  const guard = new LogStateGuard(nodeRfc6962, false);
  const sequencer = new Sequencer({ store, guard, maxBatch: 256 });
  const committer = new StateCommitter({ guard, appendManyWith: (e) => sequencer.appendManyWith(e), now: () => new Date(TIME), minIntervalMs: 0 });
  return { guard, sequencer, committer };
}

async function append(entries: Uint8Array[]): Promise<number> {
  return (await plain.appendManyWith(async () => ({ entries, result: undefined }))).index;
}

async function cancel(i: number): Promise<void> {
  await append([ev({ kind: 'certificate.cancelled', number: number(i), leafHash: issued[i]!.leafHash, prev: issued[i]!.index })]);
}

/** The log replayed independently of any guard: its state and its `state.committed` entries. */
async function replayed(): Promise<{ state: RegistryState; commits: { index: number; root: string; records: unknown[] }[] }> {
  const commits: { index: number; root: string; records: unknown[] }[] = [];
  const state = emptyState();
  const size = (await store.treeState()).size;
  for (const e of await readEntries(database.db, 0, size)) {
    const j = JSON.parse(new TextDecoder().decode(e.data)) as { kind: string; root?: string };
    if (j.kind === 'state.committed') commits.push({ index: e.index, root: j.root!, records: allStateKeys(state).map((id) => stateRecord(state, id)) });
    applyEntry(state, e, { hasher: nodeRfc6962 });
  }
  return { state, commits };
}

/** The root the python3 reference computes from the records of the state before each commitment. */
function referenceRoots(commits: { index: number; records: unknown[] }[]): string[] {
  const r = spawnSync('python3', [REFERENCE], { input: JSON.stringify({ maps: commits.map((c) => ({ name: String(c.index), root: '', records: c.records })) }), encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { maps: { root: string }[] }).maps.map((m) => m.root);
}

beforeAll(async () => {
  database = await openTestDatabase();
  store = new LogStore(database.db, nodeRfc6962);
  plain = new Sequencer({ store, maxBatch: 256 });
  await append([
    ev({ kind: 'organisation.registered', orgId: '3f0c6a52-5a57-4d2e-9f51-2b7c0c1f8e11', orgKind: 'enterprise', uscc: USCC, nameHash: hex(-1) }),
    ev({ kind: 'key.added', purpose: 'certificate', keyId: KEY_ID, vkey: `test/certificate+${KEY_ID}+AQ==`, publicKey: hex(-2) }),
  ]);
  for (let i = 0; i < CERTS; i++) {
    const data = ev({
      kind: 'certificate.issued',
      number: number(i),
      version: 1,
      holderUscc: USCC,
      manifestRoot: hex(i),
      files: 1,
      bytes: 1,
      validFrom: TIME,
      validUntil: '2029-01-01T00:00:00.000Z',
      keyId: KEY_ID,
      payloadDigest: hex(i + 0.5),
    });
    const index = await append([data]);
    issued.push({ index, leafHash: Buffer.from(nodeRfc6962.hashLeaf(data)).toString('hex') });
  }
}, 120_000);

afterAll(async () => {
  await plain?.close();
  await database?.close();
});

describe('two committers on one log', () => {
  it('take turns; each commitment has the reference root, a committer behind catches up silently, and proofs verify', async () => {
    const a = registry();
    const b = registry();
    await a.guard.load(database.db);
    await b.guard.load(database.db);
    const entries = async () => (await store.treeState()).size;

    await a.committer.commit(true, false); // A: the first commitment (its map built from the whole state)
    expect(a.committer.commits).toBe(1);

    for (const i of [1, 2, 3]) await cancel(i);
    await b.committer.commit(false, false); // B: its map built at its first commitment, after A's
    expect(b.committer.commits).toBe(1);

    // A follows the log under its lock (its next batch): behind B's commitment, its map
    // catches up with B's keys and it logs nothing, the state being B's
    const before = await entries();
    await a.committer.commit(false, false);
    expect(a.committer.commits).toBe(1);
    const [p2] = await a.committer.prove([certificateKeyId(number(2))]);
    expect(await entries()).toBe(before);
    const commits = (await replayed()).commits;
    expect(p2!.commit.index).toBe(commits.at(-1)!.index);
    const key = stateMapKey(certificateKeyId(number(2)));
    expect((p2!.record as CertificateStatusRecord).status).toBe('cancelled');
    expect(verifyMapProof(fromHex(p2!.commit.root), key, stateRecordValue(p2!.record!, nodeSha256), mapProofFromBase64(p2!.proof), nodeSha256)).toBe(true);

    // more changes; A commits them over B's commitment, then B over A's, each a changed root
    for (const i of [5, 7, 11]) await cancel(i);
    await a.committer.commit(false, false);
    expect(a.committer.commits).toBe(2);
    await cancel(13);
    await b.committer.commit(false, false);
    expect(b.committer.commits).toBe(2);

    // every logged root is the reference's root of the records before it
    const { state, commits: all } = await replayed();
    expect(all).toHaveLength(4);
    if (hasPython) expect(referenceRoots(all)).toEqual(all.map((c) => c.root));
    expect(new Set(all.map((c) => c.root)).size).toBe(4);

    // both prove every key against the newest commitment, present and absent alike
    for (const r of [a, b]) {
      const commits = r.committer.commits;
      await r.committer.commit(false, false); // A follows B's last commitment (nothing to log)
      expect(r.committer.commits).toBe(commits);
      const ids = [...allStateKeys(state), certificateKeyId('DIP-2026-999999')];
      const proven = await r.committer.prove(ids);
      for (const p of proven) {
        expect(p.commit.index).toBe(all.at(-1)!.index);
        const value = p.record === null ? null : stateRecordValue(p.record, nodeSha256);
        expect(verifyMapProof(fromHex(p.commit.root), stateMapKey(p.id), value, mapProofFromBase64(p.proof), nodeSha256)).toBe(true);
      }
      expect(proven.at(-1)!.record).toBeNull();
    }
    expect(await entries()).toBe(all.at(-1)!.index + 1);
    await a.sequencer.close();
    await b.sequencer.close();
  }, 120_000);

  it('a restarted committer (a new guard and map) proves at once, logging nothing when nothing changed', async () => {
    const c = registry();
    await c.guard.load(database.db);
    const size = (await store.treeState()).size;
    const [p] = await c.committer.prove([certificateKeyId(number(13))]);
    expect((await store.treeState()).size).toBe(size);
    expect((p!.record as CertificateStatusRecord).status).toBe('cancelled');
    expect(verifyMapProof(fromHex(p!.commit.root), stateMapKey(p!.id), stateRecordValue(p!.record!, nodeSha256), mapProofFromBase64(p!.proof), nodeSha256)).toBe(true);
    expect(c.committer.commits).toBe(0);
    await c.sequencer.close();
  }, 60_000);
});

describe('chunked entry reads', () => {
  it('return the stored bytes exactly, in order, non-UTF-8 and non-JSON entries included, and stop at the end', async () => {
    const odd = [new Uint8Array([0x20]), new Uint8Array([0xff, 0x00, 0x7b, 0xfe]), new TextEncoder().encode('{"kind":"x"}'), new Uint8Array([0x7b])];
    const first = await append(odd);
    const size = (await store.treeState()).size;
    const got = await readEntries(database.db, first - 1, size + 5);
    expect(got.map((e) => e.index)).toEqual(Array.from({ length: size - first + 1 }, (_, i) => first - 1 + i));
    expect(got.slice(1).map((e) => Buffer.from(e.data).toString('hex'))).toEqual(odd.map((d) => Buffer.from(d).toString('hex')));
    expect(await readEntries(database.db, size, size + 10)).toEqual([]);
    // the audit's replay reads the same log to the same state, whatever the chunk
    const whole = await replayStored(database.db, { hasher: nodeRfc6962 });
    const chunked = await replayStored(database.db, { hasher: nodeRfc6962, chunk: 7 });
    expect(chunked.size).toBe(size);
    expect(chunked.anomalies).toEqual(whole.anomalies);
    expect([...chunked.certificates.entries()]).toEqual([...whole.certificates.entries()]);
  }, 60_000);
});
