/** Once per test run: build a migrated PGlite data directory to load per test file (saves ~3 s each), and an empty one (initdb only). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { PG_TEMPLATE_VAR, PGLITE_EMPTY_TEMPLATE, PGLITE_TEMPLATE, createPostgresDatabase } from './db.ts';

export default async function setup(): Promise<(() => Promise<void>) | void> {
  if (process.env.DATABASE_URL) return postgresTemplate();
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrateDatabase, PGLITE_MEMORY_SETTINGS } = await import('../../src/db/database.ts');
  const schema = await import('../../src/db/schema.ts');
  const client = await PGlite.create({ postgresqlconf: [...PGLITE_MEMORY_SETTINGS] });
  // Only the database the tests use: initdb's template0 and template1 (7 MB of files each) are loaded with every
  // data directory made from these templates and serve no test (nothing here creates a database on PGlite);
  // without them a test file's database starts with ~25–40% less CPU (1.24–1.85 s → 0.93–1.04 s, measured under load).
  for (const t of ['template0', 'template1']) for (const q of [`ALTER DATABASE ${t} IS_TEMPLATE false`, `DROP DATABASE ${t}`]) await client.exec(q);
  await client.exec('CHECKPOINT');
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

/**
 * With DATABASE_URL: one migrated database for the run, which every test file's database
 * copies (tests/helpers/db.ts); dropped at the end. Its name reaches the test workers
 * through the environment, which they inherit.
 */
async function postgresTemplate(): Promise<() => Promise<void>> {
  const { openDatabase } = await import('../../src/db/database.ts');
  const { default: postgres } = await import('postgres');
  const created = await createPostgresDatabase();
  const name = new URL(created.url).pathname.slice(1);
  const template = name.replace(/^dd_test_/, 'dd_template_');
  const database = await openDatabase({ url: created.url, maxConnections: 1 }); // migrates it
  await database.close();
  // renamed once nobody is connected: a template copied while in use fails ("is being accessed by other users")
  const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`ALTER DATABASE ${name} RENAME TO ${template}`);
  } finally {
    await admin.end();
  }
  process.env[PG_TEMPLATE_VAR] = template;
  return async () => {
    const a = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      await a.unsafe(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    } finally {
      await a.end();
    }
  };
}
