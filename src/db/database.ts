/**
 * One code path, two drivers: embedded PGlite (default) and PostgreSQL via
 * postgres.js. Everything above this file sees a drizzle `Db` and the helpers
 * below, never the driver.
 *
 * Contract: `openDatabase` returns a migrated database; a committed transaction
 * is durable as far as the driver promises (PostgreSQL: fsync'd WAL; PGlite:
 * survives a process kill, but runs with fsync off — see README).
 */
import { fileURLToPath } from 'node:url';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { lockDirectory } from './lock.ts';
import { sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { DataDeedError } from '../errors.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** A drizzle handle or transaction over either driver. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface DatabaseOptions {
  /** postgres:// URL; when absent the embedded PGlite database is used. */
  url?: string;
  /** PGlite data directory; `memory://` (or undefined) for an in-memory database. */
  dataDir?: string;
  /** postgres.js pool size. */
  maxConnections?: number;
  /**
   * PostgreSQL: every connection's idle_in_transaction_session_timeout (ms). A process
   * frozen inside any transaction (SIGSTOP, a hung event loop) loses it, and every lock
   * it holds, within this time — not only the log's own transactions.
   */
  idleInTransactionMs?: number;
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  close(): Promise<void>;
  /**
   * Runs `fn` while holding the session-level advisory lock `key` on a connection of
   * its own (PostgreSQL only), so processes sharing the database queue; released when
   * `fn` settles. Absent on PGlite, which serves one process.
   */
  withAdvisoryLock?<T>(key: bigint, fn: () => Promise<T>): Promise<T>;
}

/** Key of the session-level advisory lock that serialises migrations ('DDmig'). */
export const MIGRATION_LOCK_KEY = 0x4444_6d69_67n;

/** Open (and migrate) the database described by `opts`. */
export async function openDatabase(opts: DatabaseOptions = {}): Promise<Database> {
  const database = opts.url ? await openPostgres(opts.url, opts.maxConnections ?? 10, opts.idleInTransactionMs) : await openPglite(opts.dataDir);
  try {
    await migrateDatabase(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

/** Database failure codes (API, never renamed): `database_busy` — another live process holds the embedded database. */
export const DATABASE_ERROR_CODES = ['database_busy'] as const;
export type DatabaseErrorCode = (typeof DATABASE_ERROR_CODES)[number];

/** The embedded database is in use by another live process. */
export class DatabaseBusyError extends DataDeedError<DatabaseErrorCode> {
  /** @param message - which data directory is locked, and by whom. */
  constructor(message: string) {
    super('database_busy', message);
    this.name = 'DatabaseBusyError';
  }
}

/**
 * PGlite serves one process: take `<dataDir>.lock` (pid inside) exclusively; a lock
 * left by a dead process (crash, SIGKILL) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  return lockDirectory(dataDir, {
    reclaimOwn: true,
    busy: (pid) =>
      new DatabaseBusyError(
        pid === undefined
          ? `cannot lock the embedded database ${dataDir}`
          : `the embedded database ${dataDir} is in use by process ${pid} (a running datadeed serve?); stop it first, or use PostgreSQL (DATABASE_URL) for several processes`,
      ),
  });
}

/**
 * PostgreSQL memory settings of the embedded database (postgresql.conf lines).
 *
 * What bounds the process's resident memory on PGlite (bench/pglite-memory.ts):
 * PostgreSQL runs in a WebAssembly heap, which starts at 128 MB (the module's minimum)
 * and grows, never shrinking, to hold its shared buffers (PGlite: 128 MB), one sort or
 * hash per query of work_mem (4 MB), index builds and VACUUM of maintenance_work_mem
 * (64 MB), temporary tables' buffers and the catalogue caches; the first start of a new
 * data directory also runs initdb in a second WebAssembly instance (~500 MB at its peak,
 * released when V8 collects it). Measured here: 340–390 MB right after reopening a
 * database with PGlite's defaults, 820–940 MB at the first start and under load.
 *
 * The shared buffers are a second cache on top of the operating system's (PGlite's
 * files are ordinary files read through Node), so a small pool costs little: 16 MB, a
 * 2 MB work_mem (sorts spill to disk beyond it), 16 MB for index builds. Batch sizes
 * bound the rest: the sequencer's batches and queries stream no unbounded result.
 */
export const PGLITE_MEMORY_SETTINGS: readonly string[] = [
  'shared_buffers = 16MB',
  'work_mem = 2MB',
  'maintenance_work_mem = 16MB',
  'temp_buffers = 4MB',
  'wal_buffers = 1MB',
];

async function openPglite(dataDir: string | undefined): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const onDisk = !!dataDir && !dataDir.startsWith('memory://');
  let unlock = () => {};
  if (onDisk) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    unlock = lockDataDir(dataDir);
  }
  try {
    const client = await PGlite.create(onDisk ? dataDir : undefined, { postgresqlconf: [...PGLITE_MEMORY_SETTINGS] });
    const db = drizzle({ client, schema }) as unknown as Db;
    return {
      kind: 'pglite',
      db,
      close: async () => {
        await client.close();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}

async function openPostgres(url: string, max: number, idleInTransactionMs?: number): Promise<Database> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: 10,
    // application_name marks our sessions: a lock waiter ends only frozen sessions of its own application (ledger/pg/timeouts.ts)
    connection: { application_name: 'datadeed', ...(idleInTransactionMs ? { idle_in_transaction_session_timeout: idleInTransactionMs } : {}) },
  });
  const db = drizzle({ client, schema }) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    close: () => client.end({ timeout: 5 }),
    // a connection outside the pool: the lock is held whatever the pool's size, and
    // dies with the connection if this process does
    async withAdvisoryLock<T>(key: bigint, fn: () => Promise<T>): Promise<T> {
      const session = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
      try {
        await session`SELECT pg_advisory_lock(${key.toString()}::bigint)`;
        try {
          return await fn();
        } finally {
          await session`SELECT pg_advisory_unlock(${key.toString()}::bigint)`;
        }
      } finally {
        await session.end({ timeout: 5 });
      }
    },
  };
}

/** Migrations in progress on a handle of this process (PGlite has no second process to queue). */
const migrating = new WeakMap<Db, Promise<void>>();

/**
 * Apply pending migrations. Several instances may start at once on one fresh
 * database; the migrator's own steps (create its schema and table, read what was
 * applied, apply the rest) race if run concurrently, so they run one at a time: on
 * PostgreSQL under the session-level advisory lock {@link MIGRATION_LOCK_KEY} (other
 * processes queue on it and then find nothing left to apply), and on one handle of
 * this process one after another.
 */
export async function migrateDatabase(database: Database): Promise<void> {
  const run = async () => {
    if (database.kind === 'pglite') {
      const { migrate } = await import('drizzle-orm/pglite/migrator');
      await migrate(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    } else {
      const { migrate } = await import('drizzle-orm/postgres-js/migrator');
      await migrate(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    }
  };
  const locked = () => (database.withAdvisoryLock ? database.withAdvisoryLock(MIGRATION_LOCK_KEY, run) : run());
  const previous = migrating.get(database.db) ?? Promise.resolve();
  const mine = previous.catch(() => {}).then(locked);
  migrating.set(database.db, mine);
  try {
    await mine;
  } finally {
    if (migrating.get(database.db) === mine) migrating.delete(database.db);
  }
}

/** Run a raw SQL statement and return its rows, whichever the driver. */
export async function queryRows<T = Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** A PostgreSQL array literal of integers, to pass as one text parameter and cast (`::bigint[]`). */
export function intArrayLiteral(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

/** Bytes of one hex text parameter of {@link byteaRows}: 32 KiB, a 64 KiB string. */
const BYTEA_CHUNK_BYTES = 32 * 1024;

/**
 * Byte strings as a subquery of rows `(n, d)`: `n` the 1-based position in `values`, `d`
 * the bytes (bytea), for `INSERT … SELECT … FROM ${byteaRows(values)} AS r`.
 *
 * The values travel as a few hex text parameters of at most 32 KiB of bytes each (several
 * values to a parameter, cut apart in SQL by offset and length) rather than one text[]
 * literal of the whole batch: a batch of 4,096 entries was a string of megabytes, built
 * twice (the join, then the braces around it), and strings that large are allocated in
 * V8's large-object space, which only a full collection frees; they drove the
 * sequencer's peak RSS. Strings of 64 KiB are young-generation garbage.
 */
export function byteaRows(values: readonly Uint8Array[]): SQL {
  const chunks: string[] = [];
  const offsets: number[] = [];
  const lengths: number[] = [];
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let offset = 1;
  const flush = (): void => {
    if (pending.length === 0) return;
    chunks.push(Buffer.concat(pending, pendingBytes).toString('hex'));
    pending = [];
    pendingBytes = 0;
  };
  for (const v of values) {
    if (pendingBytes > 0 && pendingBytes + v.byteLength > BYTEA_CHUNK_BYTES) flush();
    offsets.push(offset);
    lengths.push(v.byteLength);
    pending.push(v);
    pendingBytes += v.byteLength;
    offset += v.byteLength;
  }
  flush();
  if (chunks.length === 0) return sql`(SELECT 1::bigint AS n, ''::bytea AS d WHERE false)`;
  // The chunks are joined and decoded once, by an uncorrelated scalar subquery (an InitPlan);
  // each row is a slice of that one value (substring copies only the slice).
  const all = sql`(SELECT decode(string_agg(u.h, '' ORDER BY u.k), 'hex') FROM unnest(ARRAY[${sql.join(
    chunks.map((c) => sql`${c}`),
    sql`, `,
  )}]::text[]) WITH ORDINALITY AS u(h, k))`;
  return sql`(SELECT s.n, substring(${all} FROM s.o FOR s.l) AS d
    FROM unnest(${intArrayLiteral(offsets)}::int[], ${intArrayLiteral(lengths)}::int[]) WITH ORDINALITY AS s(o, l, n))`;
}

/** Normalise an int8 column value (number, bigint or string by driver) to a safe number. */
export function toNumber(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`not a safe integer: ${String(value)}`);
  return n;
}

/** Normalise a bytea column value to a plain Uint8Array. */
export function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string' && value.startsWith('\\x')) return Uint8Array.from(Buffer.from(value.slice(2), 'hex'));
  throw new Error('not a bytea value');
}

export { sql };

/** Migrations this program knows (the journal of `migrations/`) and how many the database has applied. */
export async function migrationStatus(db: Db): Promise<{ known: number; applied: number }> {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
  const rows = await queryRows<{ n: number | string }>(db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return { known: journal.entries.length, applied: Number(rows[0]?.n ?? 0) };
}
