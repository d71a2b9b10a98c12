/**
 * `npm run bench -- state`: the cost of provable status (issue 16) on PGlite, with a log of
 * BENCH_STATE_CERTS certificates (default 100,000; quick 5,000):
 *
 * 1. `state.committed` — time of one state commitment after BENCH_STATE_CHANGED (1,000)
 *    certificates changed (each cancelled by one log entry): the committer's whole append
 *    (the batch transaction, catching up the write guard, the status records, the map
 *    update in memory and the entry; the map's nodes are not stored since migration
 *    0016), BENCH_STATE_COMMITS rounds; baseline: plain SHA-256 of the same bytes the map
 *    hashed. Floor: p99 ≤ 100 ms.
 * 2. status proof — `StateCommitter.prove` of a random certificate plus the log reads of
 *    the state proof (the entry and its inclusion proof), BENCH_STATE_SAMPLES samples;
 *    baseline: the inclusion proof alone. Floor: p99 ≤ 5 ms.
 * 3. audit replay — the state audit's replay of the stored log with every committed root
 *    recomputed (the map hashed and built on its own thread, as audit does), in entries/s; baseline: reading the same entries in the same chunks (as
 *    the audit reads them) without replaying them. Floor: ≥ 50,000 entries/s.
 *
 * Entries are written straight to the log (no write guard: they carry no issuance links);
 * the replay is the lenient one of audit.
 */
import { encodeEntry, toHex, type LogEvent } from '../src/ledger/index.ts';
import { nodeRfc6962 } from '../src/ledger/node/index.ts';
import { Sequencer } from '../src/ledger/pg/index.ts';
import { LogStore } from '../src/ledger/pg/store.ts';
import { certificateKeyId, emptyState, replayChecked, StateRootChecker } from '../src/state/index.ts';
import { mapWorkerSource, nodeSha256, WorkerMapEngine } from '../src/state/map/node/index.ts';
import type { Sha256 } from '../src/state/map/index.ts';
import { LogStateGuard, StateCommitter, readEntries, replayStored } from '../src/state/pg/index.ts';
import { floor, int, isMain, knob, line, ms, note, openBenchDatabase, ratio, runMain, summarize } from './lib.ts';

const CERTS = knob('BENCH_STATE_CERTS', 100_000, 5_000);
const CHANGED = knob('BENCH_STATE_CHANGED', 1_000, 1_000);
const COMMITS = knob('BENCH_STATE_COMMITS', 10, 3);
const SAMPLES = knob('BENCH_STATE_SAMPLES', 5_000, 500);
const TIME = '2026-01-01T00:00:00.000Z';
const USCC = '91350100M000100Y43';
const KEY_ID = '1a2b3c4d';
const number = (i: number) => `DIP-2026-${String(i).padStart(6, '0')}`;
const hex = (i: number) => toHex(nodeSha256(new TextEncoder().encode(String(i))));

function ev(e: Record<string, unknown>): Uint8Array {
  return encodeEntry({ time: TIME, ...e } as LogEvent);
}

async function main(): Promise<void> {
  const database = await openBenchDatabase('pglite');
  try {
    const store = new LogStore(database.db, nodeRfc6962);
    const writer = new Sequencer({ store, maxBatch: 4096 });
    note(`writing ${int(CERTS)} certificates to the log`);
    const head = [
      ev({ kind: 'organisation.registered', orgId: '3f0c6a52-5a57-4d2e-9f51-2b7c0c1f8e11', orgKind: 'enterprise', uscc: USCC, nameHash: hex(-1) }),
      ev({ kind: 'key.added', purpose: 'certificate', keyId: KEY_ID, vkey: `bench/certificate+${KEY_ID}+AQ==`, publicKey: hex(-2) }),
    ];
    await writer.appendManyWith(async () => ({ entries: head, result: undefined }));
    const issued: { index: number; leafHash: string }[] = [];
    for (let i = 0; i < CERTS; i += 4096) {
      const entries: Uint8Array[] = [];
      for (let j = i; j < Math.min(CERTS, i + 4096); j++)
        entries.push(
          ev({
            kind: 'certificate.issued',
            number: number(j),
            version: 1,
            holderUscc: USCC,
            manifestRoot: hex(j),
            files: 1,
            bytes: 1,
            validFrom: TIME,
            validUntil: '2029-01-01T00:00:00.000Z',
            keyId: KEY_ID,
            payloadDigest: hex(j + 0.5),
          }),
        );
      const a = await writer.appendManyWith(async () => ({ entries, result: undefined }));
      a.leafHashes.forEach((h, k) => issued.push({ index: a.index + k, leafHash: toHex(h) }));
    }

    // the registry's side: the write guard replays the log, the committer commits its state
    // The committer's SHA-256 is node:crypto's with its `into` (the production path: the
    // map writes node hashes into its own arrays), and records each input for the
    // baseline by copying it into one arena — no array per input inside the timed
    // commit (a copy per input, as this benchmark once made, cost the commit more than
    // the map's own allocations, and the wrapper without `into` sent the map down its
    // allocating path).
    let recording: { bytes: Uint8Array; used: number; ends: number[] } | null = null;
    const record = (d: Uint8Array): void => {
      const r = recording;
      if (r === null) return;
      if (r.used + d.length > r.bytes.length) {
        const grown = new Uint8Array(Math.max(2 * r.bytes.length, r.used + d.length));
        grown.set(r.bytes.subarray(0, r.used));
        r.bytes = grown;
      }
      r.bytes.set(d, r.used);
      r.used += d.length;
      r.ends.push(r.used);
    };
    const sha: Sha256 = Object.assign(
      (d: Uint8Array): Uint8Array => {
        record(d);
        return nodeSha256(d);
      },
      {
        into: (d: Uint8Array, out: Uint8Array, offset: number): void => {
          record(d);
          nodeSha256.into!(d, out, offset);
        },
      },
    );
    if (nodeSha256.into === undefined) throw new Error('node:crypto SHA-256 without `into` (Node < 20.12)');
    const arena = new Uint8Array(4 << 20);
    const guard = new LogStateGuard(nodeRfc6962, false);
    await guard.load(database.db);
    const sequencer = new Sequencer({ store, guard, maxBatch: 4096 });
    const committer = new StateCommitter({ guard, appendManyWith: (e) => sequencer.appendManyWith(e), now: () => new Date(), minIntervalMs: 0, sha256: sha });
    note('first commitment (the whole state)');
    let t = performance.now();
    await committer.commit(true, false);
    note(`first commitment: ${ms(performance.now() - t)}`);

    // 1. state.committed after CHANGED certificates changed
    const wall: number[] = [];
    const base: number[] = [];
    let next = 0;
    for (let r = 0; r < COMMITS; r++) {
      const changes: Uint8Array[] = [];
      for (let k = 0; k < CHANGED; k++, next++) {
        const i = (next * 7919) % CERTS;
        changes.push(ev({ kind: 'certificate.cancelled', number: number(i), leafHash: issued[i]!.leafHash, prev: issued[i]!.index }));
      }
      await writer.appendManyWith(async () => ({ entries: changes, result: undefined }));
      recording = { bytes: arena, used: 0, ends: [] };
      t = performance.now();
      await committer.commit(false, false);
      wall.push(performance.now() - t);
      note(`commitment ${r + 1}: ${ms(wall.at(-1)!)}`);
      const { bytes, ends } = recording;
      recording = null;
      const inputs = ends.map((end, k) => bytes.subarray(k === 0 ? 0 : ends[k - 1]!, end));
      const b = performance.now();
      for (const x of inputs) nodeSha256(x);
      base.push(performance.now() - b);
    }
    const w = summarize(wall);
    const bs = summarize(base);
    line(
      `state ${int(CERTS)} certificates: state.committed after ${int(CHANGED)} changed keys (guard catch-up, records, map update, entry; PGlite): ` +
        `p50 ${ms(w.p50)} p99 ${ms(w.p99)} over ${COMMITS} (${ratio(w.p50, bs.p50)} plain SHA-256 of the same bytes, p50 ${ms(bs.p50)}) ` +
        floor('commit p99 ≤ 100 ms', w.p99 <= 100),
    );

    // 2. the state proof of /status
    const size = (await store.treeState()).size;
    const lat: number[] = [];
    const incl: number[] = [];
    for (let s = 0; s < SAMPLES; s++) {
      const i = Math.floor(Math.random() * CERTS);
      const a = performance.now();
      const [p] = await committer.prove([certificateKeyId(number(i))]);
      await Promise.all([store.inclusionProof(p!.commit.index, size), store.entry(p!.commit.index)]);
      lat.push(performance.now() - a);
      const b = performance.now();
      await store.inclusionProof(issued[i]!.index, size);
      incl.push(performance.now() - b);
    }
    const l = summarize(lat);
    const li = summarize(incl);
    line(
      `state ${int(CERTS)} certificates: status proof (record + map proof + entry + inclusion proof; PGlite): p50 ${ms(l.p50)} p99 ${ms(l.p99)} over ${int(SAMPLES)} ` +
        `(${ratio(l.p99, li.p99)} an inclusion proof alone, p99 ${ms(li.p99)}) ${floor('status proof p99 ≤ 5 ms', l.p99 <= 5)}`,
    );

    // 3. audit replay with every committed root recomputed, against reading the log
    const total = (await store.treeState()).size;
    const chunk = 4096;
    const read: { index: number; data: Uint8Array }[] = [];
    t = performance.now();
    for (let begin = 0; begin < total; begin += chunk) read.push(...(await readEntries(database.db, begin, Math.min(total, begin + chunk))));
    const readMs = performance.now() - t;
    const readRate = (total / readMs) * 1000;
    // the replay itself (what audit does with each chunk read): apply, recompute every committed root — the
    // map on its own thread, as audit keeps it (started inside the timing) — and await every check
    // the compiled program reads the map thread's script from its bundle; from the sources it is bundled once
    // per process (esbuild, a few hundred milliseconds): done here, as the build does it ahead of time
    await mapWorkerSource();
    const roots = new StateRootChecker(nodeSha256, undefined, new WorkerMapEngine());
    const s = emptyState();
    const checks: Promise<boolean>[] = [];
    t = performance.now();
    for (let at = 0; at < read.length; at += chunk) {
      replayChecked(s, read.slice(at, at + chunk), roots, checks, { hasher: nodeRfc6962 });
      // audit awaits its next chunk here (the database read): the event loop turns
      await new Promise(setImmediate);
    }
    await Promise.all(checks);
    const replayMs = performance.now() - t;
    await roots.close();
    if (roots.wrong.length > 0 || roots.checked !== COMMITS + 1) throw new Error(`audit: ${roots.checked} roots checked, ${roots.wrong.length} wrong`);
    const rate = (total / replayMs) * 1000;
    line(
      `state ${int(CERTS)} certificates: audit replay of ${int(total)} entries with ${roots.checked} roots recomputed: ${int(rate)} entries/s ` +
        `(${ratio(rate, readRate)} the log's read rate, ${int(readRate)} entries/s) ${floor('replay ≥ 50,000 entries/s', rate >= 50_000)}`,
    );
    // end to end, as \`datadeed audit\` runs it: read and replay in turn
    t = performance.now();
    const e2eRoots = new StateRootChecker(nodeSha256, undefined, new WorkerMapEngine());
    await replayStored(database.db, { chunk, hasher: nodeRfc6962, roots: e2eRoots });
    await e2eRoots.close();
    const e2e = (total / (performance.now() - t)) * 1000;
    line(`state ${int(CERTS)} certificates: audit read + replay end to end (PGlite): ${int(e2e)} entries/s (${ratio(e2e, readRate)} the log's read rate)`);
    await sequencer.close();
    await writer.close();
  } finally {
    await database.close();
  }
}

if (isMain(import.meta.url)) runMain(main);
