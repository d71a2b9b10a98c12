/**
 * appends: acknowledged appends per second through the sequencer with 1, 16 and
 * 256 concurrent closed-loop appenders (each awaits its acknowledgement — i.e. the
 * batch COMMIT — then appends again), on PGlite and on PostgreSQL, with p50/p99
 * acknowledgement latency.
 *
 * Baseline, same run, same database kind: the plain INSERT — sequential multi-row
 * `INSERT … VALUES ($1,$2),…` statements of the same entry bytes as bytea into a plain
 * table, 256 rows per statement (one transaction each), by the database's own client
 * with no code of ours in between: postgres.js on one connection for PostgreSQL, the
 * PGlite instance's `query` for the embedded database. (An earlier baseline pushed the
 * rows through our own encoding path — hex text arrays through drizzle — which made it
 * 2–4× slower than this and flattered the ratio.)
 *
 * Each line also gives the CPU time per acknowledged append of this Node process
 * and (local PostgreSQL) of the server backends: wall-clock rates depend on
 * what else runs on the machine, CPU per append much less.
 *
 * Knobs: BENCH_APPEND_DBS (pglite,postgres), BENCH_APPEND_CONCURRENCY (1,16,256),
 * BENCH_APPEND_SECONDS (5), BENCH_WARMUP_SECONDS (1), BENCH_BASELINE_SECONDS (3),
 * BENCH_MAX_BATCH (1024, the server default), BENCH_MAX_WAIT_MS (0, the server
 * default), BENCH_PHASES=1 (per-batch phase timing on stderr), BENCH_QUICK=1.
 */
import { sql } from 'drizzle-orm';
import { intArrayLiteral } from '../src/db/index.ts';
import { nodeRfc6962 } from '../src/ledger/node/index.ts';
import { Sequencer } from '../src/ledger/pg/index.ts';
import { LogStore } from '../src/ledger/pg/index.ts';
import { PhaseTimes, TimedLogStore } from './instrument.ts';
import {
  CpuMeter,
  dbKinds,
  EntryFactory,
  floor,
  int,
  isMain,
  knob,
  line,
  listKnob,
  ms,
  note,
  openBenchDatabase,
  postgresReachable,
  ratio,
  runMain,
  summarize,
  type BenchDatabase,
  type DbKind,
} from './lib.ts';

/** A PostgreSQL text[] literal of hex strings (no quoting needed for [0-9a-f]): the plain way to send a batch of byte strings. */
function hexArrayLiteral(values: readonly Uint8Array[]): string {
  return `{${values.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')).join(',')}}`;
}

/** Acceptance floors of the issue, checked at c=256. */
const FLOORS: Record<DbKind, { rate: number; p99?: number }> = {
  postgres: { rate: 10_000, p99: 250 },
  pglite: { rate: 2_000 },
};
const FLOOR_CONCURRENCY = 256;
/** Issue #20's goal: acknowledged appends at 256 appenders ≥ 0.3× the plain INSERT. */
const GOAL_RATIO = 0.3;

/**
 * The plain INSERT baseline (see the header): sequential 256-row multi-row VALUES of
 * (bigint, bytea) for `seconds` after a short warm-up, by the database's own client.
 */
export async function plainInsert(database: BenchDatabase, factory: EntryFactory, seconds: number, ROWS = 256): Promise<number> {
  const placeholders = Array.from({ length: ROWS }, (_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ');
  const text = `INSERT INTO bench_plain (idx, data) VALUES ${placeholders}`;
  let run: (params: (number | Uint8Array)[]) => Promise<unknown>;
  let done: () => Promise<void>;
  if (database.kind === 'postgres') {
    const { default: postgres } = await import('postgres');
    const client = postgres(database.url!, { max: 1, onnotice: () => {} });
    await client.unsafe('CREATE TABLE bench_plain (idx bigint PRIMARY KEY, data bytea NOT NULL)');
    run = (params) => client.unsafe(text, params.map((p) => (typeof p === 'number' ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength))) as never[], { prepare: true });
    done = async () => {
      await client.unsafe('DROP TABLE bench_plain');
      await client.end();
    };
  } else {
    // drizzle's handle on the PGlite instance itself
    const pg = (database.db as unknown as { $client?: { query: (q: string, p?: unknown[]) => Promise<unknown>; exec: (q: string) => Promise<unknown> } }).$client;
    if (!pg) throw new Error('drizzle does not expose the PGlite instance ($client)');
    await pg.exec('CREATE TABLE bench_plain (idx bigint PRIMARY KEY, data bytea NOT NULL)');
    run = (params) => pg.query(text, params);
    done = async () => void (await pg.exec('DROP TABLE bench_plain'));
  }
  let idx = 0;
  const insert = () => {
    const params: (number | Uint8Array)[] = [];
    for (let i = 0; i < ROWS; i++) {
      params.push(idx, factory.make(idx));
      idx++;
    }
    return run(params);
  };
  try {
    for (let i = 0; i < 5; i++) await insert();
    const start = performance.now();
    let rows = 0;
    while (performance.now() - start < seconds * 1000) {
      await insert();
      rows += ROWS;
    }
    return rows / ((performance.now() - start) / 1000);
  } finally {
    await done();
  }
}

export async function run(): Promise<void> {
  const kinds = dbKinds(listKnob('BENCH_APPEND_DBS', 'pglite,postgres'));
  const concurrencies = listKnob('BENCH_APPEND_CONCURRENCY', '1,16,256').map(Number);
  const seconds = knob('BENCH_APPEND_SECONDS', 5, 1.5);
  const warmup = knob('BENCH_WARMUP_SECONDS', 1, 0.3);
  const baselineSeconds = knob('BENCH_BASELINE_SECONDS', 3, 1);
  const maxBatch = knob('BENCH_MAX_BATCH', 1024);
  const maxWaitMs = knob('BENCH_MAX_WAIT_MS', 0);
  const phases = knob('BENCH_PHASES', 0) > 0;
  note(`appends: ${seconds} s per configuration after ${warmup} s warm-up; maxBatch ${maxBatch}, maxWaitMs ${maxWaitMs}`);

  for (const kind of kinds) {
    if (kind === 'postgres' && !(await postgresReachable())) {
      line(`appends postgres: SKIPPED (PostgreSQL not reachable)`);
      continue;
    }
    const t0 = performance.now();
    const database = await openBenchDatabase(kind, { maxConnections: 4 });
    note(`${kind}: fresh database open in ${ms(performance.now() - t0)}`);
    try {
      const factory = new EntryFactory();
      const baseline = await plainInsert(database, factory, baselineSeconds);
      line(`appends ${kind} baseline: plain INSERT ${int(baseline)} rows/s (${kind === 'postgres' ? 'postgres.js, one connection' : "PGlite's own query"}, 256-row VALUES of bytea per statement, ${factory.size}-byte entries)`);

      let next = 0;
      for (const c of concurrencies) {
        const times = new PhaseTimes();
        const store = phases ? new TimedLogStore(database.db, nodeRfc6962, times) : new LogStore(database.db, nodeRfc6962);
        const sequencer = new Sequencer({ store, maxBatch, maxWaitMs });
        const cpu = await CpuMeter.create(database);
        const r = await closedLoop(
          sequencer,
          c,
          warmup,
          seconds,
          () => factory.make(next++),
          () => {
            times.reset();
            cpu.start();
          },
          () => cpu.stop(),
        );
        await sequencer.close();
        const cpuUse = await cpu.result();
        const f = FLOORS[kind];
        let verdict = '';
        if (c === FLOOR_CONCURRENCY) {
          verdict = ' ' + floor(`${int(f.rate)}/s`, r.rate >= f.rate) + ' ' + floor(`≥${GOAL_RATIO}× plain INSERT`, r.rate >= GOAL_RATIO * baseline);
          if (f.p99 !== undefined) verdict += ' ' + floor(`p99 ${f.p99} ms`, r.lat.p99 <= f.p99);
        }
        line(
          `appends ${kind} c=${c}: ${int(r.rate)}/s (${ratio(r.rate, baseline)} plain INSERT ${int(baseline)} rows/s) ` +
            `p50 ${ms(r.lat.p50)} p99 ${ms(r.lat.p99)}, ${r.batchSize.toFixed(1)} entries/batch, ${CpuMeter.describe(cpuUse, r.count, 'append')}${verdict}`,
        );
        if (phases) note(`${kind} c=${c}: ${times.describe()}`);
      }
    } finally {
      await database.close();
    }
  }
}

/**
 * Sequential 256-row (`ROWS`) INSERT statements (autocommit: one transaction each) of the
 * factory's entries into a plain table, for `seconds` after a short warm-up.
 */
export async function rawBatchedInsert(database: BenchDatabase, factory: EntryFactory, seconds: number, ROWS = 256): Promise<number> {
  const db = database.db;
  await db.execute(sql`CREATE TABLE bench_plain (idx bigint PRIMARY KEY, data bytea NOT NULL)`);
  let idx = 0;
  const insert = async () => {
    const idxs: number[] = [];
    const entries: Uint8Array[] = [];
    for (let i = 0; i < ROWS; i++) {
      idxs.push(idx);
      entries.push(factory.make(idx++));
    }
    await db.execute(
      sql`INSERT INTO bench_plain (idx, data) SELECT i, decode(d, 'hex') FROM unnest(${intArrayLiteral(idxs)}::bigint[], ${hexArrayLiteral(entries)}::text[]) AS t(i, d)`,
    );
  };
  for (let i = 0; i < 5; i++) await insert();
  const start = performance.now();
  let rows = 0;
  while (performance.now() - start < seconds * 1000) {
    await insert();
    rows += ROWS;
  }
  const elapsed = (performance.now() - start) / 1000;
  await db.execute(sql`DROP TABLE bench_plain`);
  return rows / elapsed;
}

interface LoopResult {
  /** Acknowledgements in the window. */
  count: number;
  rate: number;
  lat: ReturnType<typeof summarize>;
  batchSize: number;
}

/**
 * `c` closed-loop appenders. Acknowledgements arriving in the measured window
 * [start, end] are counted and their latencies (append call → ack) sampled.
 */
export async function closedLoop(
  sequencer: Sequencer,
  c: number,
  warmupSeconds: number,
  seconds: number,
  nextEntry: () => Uint8Array,
  onMeasureStart: () => void = () => {},
  onMeasureEnd: () => void = () => {},
): Promise<LoopResult> {
  // Phases are driven by the clock, not by timers: on PGlite an append resolves
  // through promise jobs only (the WebAssembly database does synchronous file
  // I/O), so a closed loop never yields to the timer queue.
  const begin = performance.now();
  const start = begin + warmupSeconds * 1000;
  const end = start + seconds * 1000;
  let measureStarted = false;
  const latencies: number[] = [];
  const sizes = new Set<number>();
  let failures = 0;
  let firstError: unknown;

  const worker = async () => {
    for (;;) {
      const s = performance.now();
      if (s >= end) {
        onMeasureEnd();
        return;
      }
      if (s >= start && !measureStarted) {
        measureStarted = true;
        onMeasureStart();
      }
      try {
        const ack = await sequencer.append(nextEntry());
        const e = performance.now();
        if (e >= start && e <= end) {
          latencies.push(e - s);
          sizes.add(ack.treeSize);
        }
      } catch (err) {
        failures++;
        firstError ??= err;
        if (failures > 10) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: c }, worker));
  if (failures) note(`${failures} appends failed; first: ${(firstError as Error)?.message ?? String(firstError)}`);
  const elapsed = (end - start) / 1000;
  return { count: latencies.length, rate: latencies.length / elapsed, lat: summarize(latencies), batchSize: sizes.size ? latencies.length / sizes.size : 0 };
}

if (isMain(import.meta.url)) runMain(run);
