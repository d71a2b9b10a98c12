/**
 * Shared helpers of the benchmarks: env knobs, statistics, number formatting,
 * fresh databases (PGlite in a temp directory, or a new PostgreSQL database per
 * run), realistic log entries and an RSS sampler.
 *
 * Every benchmark prints plain lines, one per figure, each with a ratio against a
 * baseline measured in the same run on the same database kind.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openDatabase, queryRows, toNumber, type Database } from '../src/db/index.ts';
import { sql } from 'drizzle-orm';
import { decodeEntry, encodeEntry } from '../src/ledger/index.ts';

// ---------------------------------------------------------------- env knobs

/** BENCH_QUICK=1: every size shrinks so that the whole run takes well under a minute. */
export const QUICK = /^(1|true|yes)$/i.test(process.env.BENCH_QUICK ?? '');

/** A numeric env knob: `name` if set, else the quick or the full default. */
export function knob(name: string, full: number, quick: number = full): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return QUICK ? quick : full;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${raw}: expected a non-negative number`);
  return n;
}

/** A comma-separated list knob. */
export function listKnob(name: string, full: string, quick: string = full): string[] {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? (QUICK ? quick : full) : raw;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Admin URL of the PostgreSQL server; each run creates and drops its own database there. */
export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type DbKind = 'pglite' | 'postgres';

/** Parse a list of database kinds (`pglite`, `postgres`, `both`). */
export function dbKinds(values: string[]): DbKind[] {
  const out: DbKind[] = [];
  for (const v of values) {
    if (v === 'both') out.push('pglite', 'postgres');
    else if (v === 'pglite' || v === 'postgres') out.push(v);
    else throw new Error(`unknown database kind ${JSON.stringify(v)} (pglite, postgres or both)`);
  }
  return [...new Set(out)];
}

// ---------------------------------------------------------------- statistics

export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array (p in [0, 100]). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = Float64Array.from(samples).sort();
  const arr = Array.from(sorted);
  let sum = 0;
  for (const x of arr) sum += x;
  return { n: arr.length, mean: arr.length ? sum / arr.length : NaN, p50: percentile(arr, 50), p99: percentile(arr, 99), max: arr[arr.length - 1] ?? NaN };
}

// ---------------------------------------------------------------- formatting

/** 12345.6 → "12,346". */
export function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : String(n);
}

/** Milliseconds with adaptive precision. */
export function ms(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return `${n < 1 ? n.toFixed(3) : n < 10 ? n.toFixed(2) : n.toFixed(1)} ms`;
}

/** A ratio as "0.07×". */
export function ratio(value: number, baseline: number): string {
  const r = value / baseline;
  if (!Number.isFinite(r)) return 'n/a×';
  return `${r >= 10 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toFixed(3)}×`;
}

export function mb(bytes: number): string {
  // binary megabytes, named as such: a floor in decimal megabytes (400e6 bytes) printed
  // beside figures labelled "MB" read as passed at 385.6 when it had failed
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** "[floor 2,000/s: PASS]" — the marker run.ts counts. */
export function floor(label: string, pass: boolean): string {
  return `[floor ${label}: ${pass ? 'PASS' : 'FAIL'}]`;
}

/** Print one figure line (stdout, unbuffered enough for the parent runner). */
export function line(text: string): void {
  process.stdout.write(text + '\n');
}

/** Progress and diagnostics go to stderr, so stdout holds only the figures. */
export function note(text: string): void {
  process.stderr.write(`  · ${text}\n`);
}

export const sleep = (msecs: number) => new Promise<void>((r) => setTimeout(r, msecs));

// ---------------------------------------------------------------- databases

export interface BenchDatabase extends Database {
  /** Human label: "pglite" or "postgres". */
  label: DbKind;
  /** PostgreSQL: the database's URL (for a plain client of its own, e.g. the appends baseline). */
  url?: string;
}

/** Is the PostgreSQL server reachable? (Benchmarks on it are skipped, not failed, when it is not.) */
export async function postgresReachable(): Promise<boolean> {
  const { default: postgres } = await import('postgres');
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 3 });
  try {
    await admin`SELECT 1`;
    return true;
  } catch {
    return false;
  } finally {
    await admin.end({ timeout: 1 }).catch(() => {});
  }
}

/**
 * A fresh, migrated database of `kind`: PGlite in a new temp directory (removed on
 * close), or a new PostgreSQL database `dd_bench_<pid>_<random>` (dropped on close).
 */
export async function openBenchDatabase(kind: DbKind, opts: { maxConnections?: number } = {}): Promise<BenchDatabase> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'dd-bench-pglite-'));
    let database: Database;
    try {
      database = await openDatabase({ dataDir: dir });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return {
      ...database,
      label: 'pglite',
      close: async () => {
        try {
          await database.close();
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  }
  const { default: postgres } = await import('postgres');
  const name = `dd_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const drop = async () => {
    const a = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
    try {
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await a.end();
    }
  };
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  let database: Database;
  try {
    database = await openDatabase({ url: url.toString(), maxConnections: opts.maxConnections ?? 4 });
  } catch (err) {
    await drop();
    throw err;
  }
  return {
    ...database,
    label: 'postgres',
    url: url.toString(),
    close: async () => {
      try {
        await database.close();
      } finally {
        await drop();
      }
    },
  };
}

// ---------------------------------------------------------------- entries

/**
 * Realistic log entries (~225 bytes of RFC 8785 canonical JSON, the shape of a
 * dataset-fingerprint event: an id, a 64-hex digest, a holder, a size), each one
 * distinct, made fast: one entry is encoded by `encodeEntry` as a template with
 * fixed-width placeholder fields, and entry i is the template with the decimal
 * digits of i written into the id and the tail of the digest. The patched bytes
 * stay canonical (only digits inside strings change; checked by `decodeEntry`).
 * `encodeEntry` itself costs ~12 µs per entry, which would otherwise be measured
 * as part of the append path (and add 12 s to a 1,000,000-entry build).
 */
export class EntryFactory {
  private readonly template: Uint8Array;
  private readonly idAt: number;
  private readonly digestAt: number;
  static readonly WIDTH = 12;

  constructor(salt: string = randomBytes(4).toString('hex')) {
    const W = EntryFactory.WIDTH;
    const idMark = 'I'.repeat(W);
    const digestHead = randomBytes(32).toString('hex').slice(0, 64 - W);
    const event = {
      kind: 'bench.entry',
      time: new Date().toISOString(),
      id: `ds_${salt}_${'0'.repeat(W)}`,
      digest: `${digestHead}${'0'.repeat(W)}`,
      holder: 'org_01HZX3K9Q4B7M2N8P5R6S0T1V2',
      bytes: 1_073_741_824,
      files: 1_024,
    };
    // Locate the fields through unique marker values, then encode the real template.
    const marked = Buffer.from(encodeEntry({ ...event, id: `ds_${salt}_${idMark}`, digest: `${digestHead}${'J'.repeat(W)}` }));
    this.idAt = marked.indexOf(idMark);
    this.digestAt = marked.indexOf('J'.repeat(W));
    if (this.idAt < 0 || this.digestAt < 0) throw new Error('entry template: markers not found');
    this.template = encodeEntry(event);
    if (this.template.length !== marked.length) throw new Error('entry template: length mismatch');
    for (const i of [0, 1, 12345, 10 ** W - 1]) {
      const e = this.make(i);
      const decoded = decodeEntry(e);
      if (decoded.id !== `ds_${salt}_${String(i).padStart(W, '0')}`) throw new Error('entry template: patch failed');
    }
  }

  /** Entry number i (0 ≤ i < 10^12), distinct for each i. */
  make(i: number): Uint8Array {
    const out = this.template.slice();
    let n = i;
    for (let k = EntryFactory.WIDTH - 1; k >= 0; k--) {
      const d = 48 + (n % 10);
      out[this.idAt + k] = d;
      out[this.digestAt + k] = d;
      n = Math.floor(n / 10);
    }
    return out;
  }

  get size(): number {
    return this.template.length;
  }
}

// ---------------------------------------------------------------- memory

/** Samples process RSS every `everyMs` and keeps the peak (plus the kernel's maxRSS). */
export class RssSampler {
  peak = 0;
  private timer: NodeJS.Timeout | undefined;

  start(everyMs = 50): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
    return this;
  }

  sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    return rss;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }
}

/** Peak RSS of this process as the kernel counts it (ru_maxrss), bytes. */
export function kernelMaxRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

// ---------------------------------------------------------------- CPU

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** utime + stime of a process in ms, or undefined when it is gone or /proc is not there. */
export function procCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

/**
 * CPU time spent in a measured window by this Node process (all its threads,
 * PGlite included) and — for a PostgreSQL server on this machine — by the
 * server backends of the benchmark's database. Machine load stretches wall-clock
 * figures; CPU per operation is what the code costs. `start()`/`stop()` are
 * synchronous (they may be called from the clock-driven loop); `result()` then
 * looks for backends that connected during the window (counted whole).
 */
export class CpuMeter {
  private pids = new Map<number, number>();
  private node0 = process.cpuUsage();
  private node = 0;
  private pg: number | undefined;
  private stopped = false;

  private constructor(private readonly database: Database) {}

  static async create(database: Database): Promise<CpuMeter> {
    const m = new CpuMeter(database);
    for (const pid of await m.backends()) m.pids.set(pid, 0);
    return m;
  }

  private async backends(): Promise<number[]> {
    if (this.database.kind !== 'postgres') return [];
    const rows = await queryRows<{ pid: unknown }>(this.database.db, sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
    return rows.map((r) => toNumber(r.pid));
  }

  start(): void {
    this.node0 = process.cpuUsage();
    for (const pid of this.pids.keys()) this.pids.set(pid, procCpuMs(pid) ?? NaN);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const u = process.cpuUsage(this.node0);
    this.node = (u.user + u.system) / 1000;
    if (this.database.kind !== 'postgres') return;
    let pg = 0;
    for (const [pid, before] of this.pids) {
      const after = procCpuMs(pid);
      if (after === undefined || Number.isNaN(before)) return; // not a local server (or /proc hidden)
      pg += after - before;
    }
    this.pg = pg;
  }

  /** CPU ms of the window: node, and postgres (undefined when not measurable). */
  async result(): Promise<{ nodeMs: number; pgMs: number | undefined }> {
    this.stop();
    let pg = this.pg;
    if (pg !== undefined) {
      for (const pid of await this.backends()) {
        if (!this.pids.has(pid)) pg += procCpuMs(pid) ?? 0;
      }
    }
    return { nodeMs: this.node, pgMs: pg };
  }

  /** "CPU/append node 41 µs + postgres 52 µs" for `n` operations. */
  static describe(r: { nodeMs: number; pgMs: number | undefined }, n: number, what: string): string {
    const us = (x: number) => `${Math.round((x * 1000) / n)} µs`;
    return `CPU/${what} node ${us(r.nodeMs)}${r.pgMs !== undefined ? ` + postgres ${us(r.pgMs)}` : ''}`;
  }
}

// ---------------------------------------------------------------- entry points

/** True when `importMetaUrl` is the script node was started with. */
export function isMain(importMetaUrl: string): boolean {
  const arg = process.argv[1];
  return !!arg && importMetaUrl === pathToFileURL(path.resolve(arg)).href;
}

/** Run a benchmark's main, exit non-zero on a crash. */
export function runMain(fn: () => Promise<void>): void {
  fn().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(2);
    },
  );
}

// ---------------------------------------------------------------- the compiled program

let built: Promise<string> | undefined;

/**
 * The compiled program's command (`bin/datadeed.mjs`), after building `dist/` from the
 * current sources once per benchmark process (what `npm ci` does through `prepare`), so
 * that figures never come from a stale build.
 */
export function builtProgram(): Promise<string> {
  built ??= (async () => {
    const { buildProgram } = await import('../scripts/build.ts');
    const r = await buildProgram();
    note(`built ${r.outdir} in ${(r.millis / 1000).toFixed(1)} s`);
    return fileURLToPath(new URL('../bin/datadeed.mjs', import.meta.url));
  })();
  return built;
}

/**
 * The environment of a measured child process: this one's, without NODE_OPTIONS (a
 * loader there would be measured too) and NODE_EXTRA_CA_CERTS (a machine setting: Node
 * then parses the CA bundle at every start, ~90 ms on the project's machines, which is
 * no part of the program and which a user's shell does not have).
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}
