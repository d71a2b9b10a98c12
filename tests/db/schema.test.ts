/** The migrated schema: every table and column carries a comment (STYLE: migrations are documented SQL). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../../src/db/database.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

describe('schema', () => {
  it('comments every table and column', async () => {
    const missing = await queryRows<{ table_name: string; column_name: string | null }>(
      db.db,
      sql`SELECT c.relname AS table_name, a.attname AS column_name
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
          WHERE n.nspname = 'public' AND c.relkind = 'r' AND col_description(c.oid, a.attnum) IS NULL
          UNION ALL
          SELECT c.relname, NULL FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind = 'r' AND obj_description(c.oid, 'pg_class') IS NULL`,
    );
    expect(missing).toEqual([]);
  });
});
