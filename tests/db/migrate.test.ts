/**
 * Several instances starting at once on a fresh database must not race their
 * migrations: they run under an advisory lock (PostgreSQL: separate connection pools,
 * as separate processes have), so every one of them succeeds and each migration is
 * applied exactly once. On PGlite (one process per database) the same holds for
 * concurrent migrations on one handle.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { migrateDatabase, MIGRATIONS_FOLDER, openDatabase, queryRows, sql, type Database } from '../../src/db/database.ts';
import * as schema from '../../src/db/schema.ts';
import { createPostgresDatabase, openEmptyPglite, usingPostgres } from '../helpers/db.ts';

const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as { entries: { tag: string }[] };
const opened: Database[] = [];
let drop: (() => Promise<void>) | undefined;
afterAll(async () => {
  for (const d of opened) await d.close();
  await drop?.();
});

async function applied(database: Database): Promise<number> {
  const [r] = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
  return Number(r!.n);
}

describe('migrations', () => {
  it('three instances migrating a fresh database at once all succeed, and each migration is applied once', async () => {
    if (usingPostgres) {
      const fresh = await createPostgresDatabase();
      drop = fresh.drop;
      const results = await Promise.allSettled([0, 1, 2].map(() => openDatabase({ url: fresh.url, maxConnections: 2 })));
      for (const r of results) if (r.status === 'fulfilled') opened.push(r.value);
      expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
      expect(await applied(opened[0]!)).toBe(journal.entries.length);
    } else {
      const { drizzle } = await import('drizzle-orm/pglite');
      const client = await openEmptyPglite();
      const database: Database = { kind: 'pglite', db: drizzle({ client, schema }) as never, close: () => client.close() };
      opened.push(database);
      const results = await Promise.allSettled([0, 1, 2].map(() => migrateDatabase(database)));
      expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
      expect(await applied(database)).toBe(journal.entries.length);
    }
    // the schema is complete: the newest migration's tables exist
    const [t] = await queryRows<{ n: number }>(opened[0]!.db, sql`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'deposits'`);
    expect(Number(t!.n)).toBe(1);
  }, 180_000); // a fresh PGlite migrates in seconds, but the CI machine is shared
});
