/**
 * A fresh, migrated database for one test file: with DATABASE_URL, a new
 * PostgreSQL database created for the file and dropped afterwards; otherwise an
 * in-memory PGlite loaded from the migrated template made by global-setup.
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, migrateDatabase, PGLITE_MEMORY_SETTINGS, type Database } from '../../src/db/database.ts';
import * as schema from '../../src/db/schema.ts';
import type { Db } from '../../src/db/index.ts';

export const usingPostgres = !!process.env.DATABASE_URL;
export const PGLITE_TEMPLATE = new URL('../../.tmp/pglite-template.tar.gz', import.meta.url);
/** The same data directory before any migration (global-setup). */
export const PGLITE_EMPTY_TEMPLATE = new URL('../../.tmp/pglite-empty-template.tar.gz', import.meta.url);

export interface TestDatabase extends Database {
  /** Connection URL of this test's own database (PostgreSQL only). */
  url?: string;
}

/**
 * The migrated PostgreSQL database of this test run (global-setup makes it and names it
 * in this variable): a test file's database is a copy of it (`CREATE DATABASE … TEMPLATE`,
 * a file copy), not a new database migrated from scratch (~0.65 s of PostgreSQL's time
 * each, one or more per file).
 */
export const PG_TEMPLATE_VAR = 'DATADEED_TEST_PG_TEMPLATE';

/** Create an empty PostgreSQL database (or, with `template`, a copy of that one) and return its URL. */
export async function createPostgresDatabase(opts: { template?: string } = {}): Promise<{ url: string; drop: () => Promise<void> }> {
  const { default: postgres } = await import('postgres');
  const base = new URL(process.env.DATABASE_URL!);
  const name = `dd_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(base.toString(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}${opts.template ? ` TEMPLATE ${opts.template}` : ''}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = postgres(base.toString(), { max: 1, onnotice: () => {} });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export async function openTestDatabase(opts: { maxConnections?: number } = {}): Promise<TestDatabase> {
  if (usingPostgres) {
    const template = process.env[PG_TEMPLATE_VAR];
    const { url, drop } = await createPostgresDatabase(template && /^dd_template_\w+$/.test(template) ? { template } : {});
    const database = await openDatabase({ url, maxConnections: opts.maxConnections ?? 10 });
    return {
      ...database,
      url,
      close: async () => {
        await database.close();
        await drop();
      },
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const template = existsSync(PGLITE_TEMPLATE) ? new Blob([readFileSync(PGLITE_TEMPLATE)]) : undefined;
  // the product's memory settings (src/db/database.ts): PGlite's own 128 MB of shared buffers cost ~1 s of CPU at every start
  const client = await PGlite.create({ ...(template ? { loadDataDir: template } : {}), postgresqlconf: [...PGLITE_MEMORY_SETTINGS] });
  const database: Database = { kind: 'pglite', db: drizzle({ client, schema }) as unknown as Db, close: () => client.close() };
  await migrateDatabase(database); // no-op when loaded from the template
  return database;
}

/**
 * An in-memory PGlite without any migration (for the tests of the migrations): loaded from
 * global-setup's empty template, which saves the ~5 s of CPU of PGlite's initdb; a fresh
 * one without it.
 */
export async function openEmptyPglite(): Promise<import('@electric-sql/pglite').PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  const template = existsSync(PGLITE_EMPTY_TEMPLATE) ? new Blob([readFileSync(PGLITE_EMPTY_TEMPLATE)]) : undefined;
  return PGlite.create({ ...(template ? { loadDataDir: template } : {}), postgresqlconf: [...PGLITE_MEMORY_SETTINGS] });
}

/**
 * Makes `dataDir`'s embedded database (`<dataDir>/pglite`, src/config.ts
 * `embeddedDataDir`) the migrated template of global-setup, unpacked with tar, so that
 * a program started on `dataDir` does not spend ~10 s in PGlite's initdb (measured here:
 * a new data directory 8–15 s, this ~0.4 s). For tests about something else than a first
 * start; with DATABASE_URL (or without a template) it does nothing.
 */
export function seedEmbeddedDataDir(dataDir: string): void {
  seedPgliteDirectory(path.join(dataDir, 'pglite'));
}

/** {@link seedEmbeddedDataDir} for a PGlite data directory given whole (`datadeed monitor`'s `<data dir>/db`). */
export function seedPgliteDirectory(target: string): void {
  if (usingPostgres || !existsSync(PGLITE_TEMPLATE)) return;
  mkdirSync(target, { recursive: true, mode: 0o700 });
  if (readdirSync(target).length > 0) throw new Error(`${target} is not empty`);
  // the dump's member names start with '/', which tar strips (and says so on stderr)
  const r = spawnSync('tar', ['-xzf', fileURLToPath(PGLITE_TEMPLATE), '-C', target], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`unpacking the PGlite template failed: ${r.stderr}`);
}
