/** Once per test run: build a migrated PGlite data directory to load per test file (saves ~3 s each). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { PGLITE_TEMPLATE } from './db.ts';

export default async function setup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrateDatabase } = await import('../../src/db/database.ts');
  const schema = await import('../../src/db/schema.ts');
  const client = await PGlite.create();
  await migrateDatabase({ kind: 'pglite', db: drizzle({ client, schema }) as never, close: () => client.close() });
  const dump = await client.dumpDataDir('gzip');
  mkdirSync(new URL('.', PGLITE_TEMPLATE), { recursive: true });
  writeFileSync(PGLITE_TEMPLATE, Buffer.from(await dump.arrayBuffer()));
  await client.close();
}
