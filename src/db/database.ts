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
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
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
}

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Db;
  close(): Promise<void>;
}

/** Open (and migrate) the database described by `opts`. */
export async function openDatabase(opts: DatabaseOptions = {}): Promise<Database> {
  const database = opts.url ? await openPostgres(opts.url, opts.maxConnections ?? 10) : await openPglite(opts.dataDir);
  try {
    await migrateDatabase(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}

/** The embedded database is in use by another live process. */
export class DatabaseBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseBusyError';
  }
}

/**
 * PGlite serves one process: take `<dataDir>.lock` (pid inside) exclusively; a lock
 * left by a dead process (crash, SIGKILL) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const file = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      let alive = false;
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
        try {
          process.kill(pid, 0);
          alive = true;
        } catch (e) {
          alive = (e as NodeJS.ErrnoException).code === 'EPERM';
        }
      }
      if (alive)
        throw new DatabaseBusyError(
          `the embedded database ${dataDir} is in use by process ${pid} (a running datadeed serve?); stop it first, or use PostgreSQL (DATABASE_URL) for several processes`,
        );
      rmSync(file, { force: true });
    }
  }
  throw new DatabaseBusyError(`cannot lock the embedded database ${dataDir}`);
}

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
    const client = await PGlite.create(onDisk ? dataDir : undefined);
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

async function openPostgres(url: string, max: number): Promise<Database> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const client = postgres(url, { max, onnotice: () => {}, connect_timeout: 10 });
  const db = drizzle({ client, schema }) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * Apply pending migrations. On PostgreSQL several processes may start at once:
 * the migration runs under a transaction-scoped advisory lock so they queue.
 */
export async function migrateDatabase(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  } else {
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    await migrate(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
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

/** A PostgreSQL text[] literal of hex strings (no quoting needed for [0-9a-f]). */
export function hexArrayLiteral(values: readonly Uint8Array[]): string {
  return `{${values.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')).join(',')}}`;
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
