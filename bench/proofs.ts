/**
 * proofs: build a large log through the sequencer (default 1,000,000 entries on
 * PostgreSQL), then measure inclusion-proof latency (`LogStore.inclusionProof`,
 * one query of O(log n) node rows) for random leaves against the newest tree size,
 * and the process RSS after the build and its peak during it.
 *
 * Baselines, same run, same database: the build rate against sequential raw
 * batched INSERTs of the same entries (rows per statement = the sequencer's
 * maxBatch; measured last, so that it does not count in the RSS); proof latency
 * against a single-row primary-key SELECT on log_entries (the two interleaved in
 * random order); RSS against RSS before the build (right after opening the
 * database — for PGlite that includes its WebAssembly heap). Proofs are measured
 * right after the build and again after CHECKPOINT + VACUUM (ANALYZE). Every
 * measured proof is verified against the tree state root (outside the timing).
 *
 * Knobs: BENCH_PROOF_DB (postgres | pglite | both; default postgres),
 * BENCH_PROOF_ENTRIES (1,000,000), BENCH_PROOF_SAMPLES (2,000),
 * BENCH_PROOF_BATCH (maxBatch while building, 4096), BENCH_PROOF_APPENDERS
 * (2 × batch), BENCH_PROOF_SETTLE (1: measure proofs again after CHECKPOINT +
 * VACUUM ANALYZE; 0: only right after the build), BENCH_PHASES=1, BENCH_QUICK=1.
 */
import { sql } from 'drizzle-orm';
import { loadavg } from 'node:os';
import { queryRows, toBytes, type Db } from '../src/db/index.ts';
import { bytesEqual } from '../src/ledger/index.ts';
import { nodeRfc6962 } from '../src/ledger/node/index.ts';
import { verifyInclusion } from '../src/ledger/index.ts';
import { Sequencer } from '../src/ledger/pg/index.ts';
import { LogStore } from '../src/ledger/pg/store.ts';
import type { TreeHead } from '../src/ledger/index.ts';
import { rawBatchedInsert } from './appends.ts';
import { PhaseTimes, TimedLogStore } from './instrument.ts';
import {
  CpuMeter,
  dbKinds,
  EntryFactory,
  floor,
  int,
  isMain,
  kernelMaxRss,
  knob,
  line,
  listKnob,
  mb,
  ms,
  note,
  openBenchDatabase,
  postgresReachable,
  ratio,
  RssSampler,
  runMain,
  summarize,
  type DbKind,
} from './lib.ts';

const FLOOR_P99_MS = 5;
const FLOOR_RSS = 300 * 1024 * 1024;

export async function run(): Promise<void> {
  const kinds = dbKinds(listKnob('BENCH_PROOF_DB', 'postgres'));
  const target = knob('BENCH_PROOF_ENTRIES', 1_000_000, 30_000);
  const samples = knob('BENCH_PROOF_SAMPLES', 2_000, 300);
  const maxBatch = knob('BENCH_PROOF_BATCH', 4096);
  const appenders = knob('BENCH_PROOF_APPENDERS', 2 * maxBatch);
  const phases = knob('BENCH_PHASES', 0) > 0;
  const baselineSeconds = knob('BENCH_BASELINE_SECONDS', 3, 1);
  const settle = knob('BENCH_PROOF_SETTLE', 1) > 0;
  if (kinds.length > 1) note('proofs: several database kinds in one process — the RSS figures of the later ones include the earlier ones');

  for (const kind of kinds) {
    if (kind === 'postgres' && !(await postgresReachable())) {
      line(`proofs postgres: SKIPPED (PostgreSQL not reachable)`);
      continue;
    }
    await runOne(kind, { target, samples, maxBatch, appenders, phases, baselineSeconds, settle });
  }
}

async function runOne(
  kind: DbKind,
  o: { target: number; samples: number; maxBatch: number; appenders: number; phases: boolean; baselineSeconds: number; settle: boolean },
): Promise<void> {
  const rss = new RssSampler().start(50);
  const database = await openBenchDatabase(kind, { maxConnections: 4 });
  try {
    const factory = new EntryFactory();
    global.gc?.();
    const rssBefore = rss.sample();
    rss.peak = rssBefore;

    // ---- build
    const times = new PhaseTimes();
    const store = o.phases ? new TimedLogStore(database.db, nodeRfc6962, times) : new LogStore(database.db, nodeRfc6962);
    const plainStore = new LogStore(database.db, nodeRfc6962);
    const sequencer = new Sequencer({ store, maxBatch: o.maxBatch });
    note(`${kind}: building ${int(o.target)} entries (maxBatch ${o.maxBatch}, ${o.appenders} closed-loop appenders)`);
    let issued = 0;
    let done = 0;
    let lastReport = performance.now();
    const cpu = await CpuMeter.create(database);
    cpu.start();
    const t0 = performance.now();
    const worker = async () => {
      while (issued < o.target) {
        const i = issued++;
        await sequencer.append(factory.make(i));
        done++;
        // Progress (stderr), and an RSS sample even if timers are starved (PGlite).
        if ((done & 0x3fff) === 0) {
          rss.sample();
          const now = performance.now();
          if (now - lastReport > 10_000) {
            lastReport = now;
            const m = process.memoryUsage();
            note(`${int(done)} entries, ${int(done / ((now - t0) / 1000))}/s, RSS ${mb(m.rss)} (JS heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, external ${mb(m.external)})`);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.appenders, o.target) }, worker));
    const buildSeconds = (performance.now() - t0) / 1000;
    await sequencer.close();
    const cpuUse = await cpu.result();
    const rate = o.target / buildSeconds;
    if (o.phases) note(`${kind} build: ${times.describe()}`);
    const rssAfter = rss.sample();
    const peak = rss.peak;
    rss.stop();
    line(
      `proofs ${kind} memory: RSS ${mb(rssAfter)} after building ${int(o.target)} entries, peak ${mb(peak)} while building ` +
        `(${ratio(peak, rssBefore)} RSS before building ${mb(rssBefore)}; kernel maxRSS ${mb(kernelMaxRss())}) ${floor(mb(FLOOR_RSS), Math.max(peak, rssAfter) <= FLOOR_RSS)}`,
    );

    // ---- proofs: right after the build, then after CHECKPOINT + VACUUM (ANALYZE)
    // (what autovacuum does to insert-only tables; it is off on some servers).
    // the head the build integrated (no checkpoint is signed: that is the publisher's work)
    const cp = await plainStore.treeState();
    if (cp.size !== o.target) throw new Error(`the tree has ${cp.size} entries after building ${o.target}`);
    await measureProofs(kind, database.db, plainStore, cp, o.samples, 'right after the build');
    if (o.settle) {
      const t = performance.now();
      await database.db.execute(sql`CHECKPOINT`);
      await database.db.execute(sql`VACUUM (ANALYZE) log_entries, log_tiles, log_tree_state, log_checkpoints`);
      note(`${kind}: CHECKPOINT + VACUUM (ANALYZE) in ${ms(performance.now() - t)}`);
      await measureProofs(kind, database.db, plainStore, cp, o.samples, 'after CHECKPOINT + VACUUM ANALYZE');
    } else {
      await database.db.execute(sql`CHECKPOINT`);
    }

    // ---- the build's baseline, measured last so that it does not count in the RSS
    // figures (its table is new and empty, the build's dirty pages are checkpointed).
    const baseline = await rawBatchedInsert(database, factory, o.baselineSeconds, o.maxBatch);
    line(
      `proofs ${kind} build: ${int(o.target)} entries in ${buildSeconds.toFixed(1)} s = ${int(rate)} appends/s ` +
        `(${ratio(rate, baseline)} raw batched INSERT ${int(baseline)} rows/s, ${o.maxBatch} rows per statement; maxBatch ${o.maxBatch}, ${int(o.appenders)} appenders), ${CpuMeter.describe(cpuUse, o.target, 'entry')}`,
    );
  } finally {
    rss.stop();
    await database.close();
  }
}

/**
 * Inclusion proofs of `samples` random leaves against the tree of `cp`, each
 * interleaved (random order) with a single-row primary-key SELECT of the same leaf's
 * entry, after a short warm-up. Every proof is checked, untimed.
 */
async function measureProofs(kind: DbKind, db: Db, store: LogStore, cp: TreeHead, samples: number, when: string): Promise<void> {
  const size = cp.size;
  const warm = Math.min(200, Math.ceil(samples / 5));
  const proofLat: number[] = [];
  const selectLat: number[] = [];
  let proofLen = 0;
  for (let k = 0; k < warm + samples; k++) {
    const index = Math.floor(Math.random() * size);
    let proof: Awaited<ReturnType<LogStore['inclusionProof']>> | undefined;
    let entry: Uint8Array | undefined;
    for (const which of Math.random() < 0.5 ? ['proof', 'select'] : ['select', 'proof']) {
      const s = performance.now();
      if (which === 'proof') {
        proof = await store.inclusionProof(index, size);
        if (k >= warm) proofLat.push(performance.now() - s);
      } else {
        const rows = await queryRows<{ data: unknown }>(db, sql`SELECT data FROM log_entries WHERE idx = ${index}`);
        if (k >= warm) selectLat.push(performance.now() - s);
        entry = rows[0] ? toBytes(rows[0].data) : undefined;
      }
    }
    // Correctness, untimed: the proof verifies against the tree root and its leaf is the stored entry.
    if (!proof || !entry) throw new Error(`leaf ${index}: no proof or entry`);
    verifyInclusion(nodeRfc6962, index, size, proof.leafHash, proof.proof, cp.rootHash);
    if (!bytesEqual(proof.leafHash, nodeRfc6962.hashLeaf(entry))) throw new Error(`leaf ${index}: leaf hash is not the entry's`);
    proofLen = proof.proof.length;
  }
  const p = summarize(proofLat);
  const b = summarize(selectLat);
  line(
    `proofs ${kind} inclusion n=${int(size)} ${when}: p50 ${ms(p.p50)} p99 ${ms(p.p99)} ` +
      `(${ratio(p.p50, b.p50)} / ${ratio(p.p99, b.p99)} single-row PK SELECT p50 ${ms(b.p50)} p99 ${ms(b.p99)}), ` +
      `${int(p.n)} random leaves, ${proofLen}-hash proofs, all verified, load ${loadavg()[0]!.toFixed(2)} ${floor(`p99 ${FLOOR_P99_MS} ms`, p.p99 <= FLOOR_P99_MS)}`,
  );
}

if (isMain(import.meta.url)) runMain(run);
