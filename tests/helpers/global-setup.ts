/** Once per test run: build a migrated PGlite data directory to load per test file (saves ~3 s each), and an empty one (initdb only). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { PGLITE_EMPTY_TEMPLATE, PGLITE_TEMPLATE } from './db.ts';

export default async function setup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrateDatabase, PGLITE_MEMORY_SETTINGS } = await import('../../src/db/database.ts');
  const schema = await import('../../src/db/schema.ts');
  const client = await PGlite.create({ postgresqlconf: [...PGLITE_MEMORY_SETTINGS] });
  // the same database before any migration, for the tests of the migrations themselves (initdb once, not per test)
  const empty = await client.dumpDataDir('gzip');
  mkdirSync(new URL('.', PGLITE_EMPTY_TEMPLATE), { recursive: true });
  writeFileSync(PGLITE_EMPTY_TEMPLATE, Buffer.from(await empty.arrayBuffer()));
  await migrateDatabase({ kind: 'pglite', db: drizzle({ client, schema }) as never, close: () => client.close() });
  const dump = await client.dumpDataDir('gzip');
  mkdirSync(new URL('.', PGLITE_TEMPLATE), { recursive: true });
  writeFileSync(PGLITE_TEMPLATE, Buffer.from(await dump.arrayBuffer()));
  await client.close();
}
