/**
 * The child process of bench/pglite-memory.ts: opens (and loads) one database, prints
 * one JSON line `{opened, end, peak}` (bytes). Built by the benchmark with the program's
 * build and run by plain `node`: `node <built> <dir> datadeed|pglite open|load <rows>`.
 */
import { readFileSync } from 'node:fs';

function status(): { rss: number; hwm: number } {
  const s = readFileSync('/proc/self/status', 'utf8');
  return { rss: Number(/VmRSS:\s+(\d+)/.exec(s)![1]) * 1024, hwm: Number(/VmHWM:\s+(\d+)/.exec(s)![1]) * 1024 };
}

/** The child: open (and load) one database, print one JSON line. */
async function child(dir: string, settings: 'datadeed' | 'pglite', load: boolean, rows: number): Promise<void> {
  const { openDatabase } = await import('../src/db/index.ts');
  const db = settings === 'datadeed' ? await openDatabase({ dataDir: dir }) : await openDefaults(dir);
  const opened = status();
  if (load) {
    const { sql } = await import('drizzle-orm');
    await db.db.execute(sql.raw('CREATE TABLE IF NOT EXISTS bench_mem (id bigserial primary key, data bytea not null, h bytea not null)'));
    const data = new Uint8Array(400).fill(7);
    for (let b = 0; b < rows / 500; b++) {
      await db.db.transaction(async (tx) => {
        for (let i = 0; i < 500; i++) await tx.execute(sql`INSERT INTO bench_mem (data, h) VALUES (${data}, ${new Uint8Array(32).fill(b % 256)})`);
      });
    }
    await db.db.execute(sql.raw('CREATE INDEX IF NOT EXISTS bench_mem_h ON bench_mem (h)'));
    await db.db.execute(sql.raw('SELECT h, count(*) FROM bench_mem GROUP BY h ORDER BY 2 DESC'));
    await db.db.execute(sql.raw('SELECT id FROM bench_mem ORDER BY data, h LIMIT 10'));
  }
  const end = status();
  await db.close();
  process.stdout.write(`${JSON.stringify({ opened: opened.rss, end: end.rss, peak: end.hwm })}\n`);
}

/** PGlite with its own defaults, migrated like openDatabase does (for comparison only). */
async function openDefaults(dir: string) {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrateDatabase } = await import('../src/db/database.ts');
  const client = await PGlite.create(dir);
  const database = { kind: 'pglite' as const, db: drizzle({ client }) as never, close: () => client.close() };
  await migrateDatabase(database as never);
  return database as unknown as { db: import('../src/db/index.ts').Db; close(): Promise<void> };
}

const [dirArg, settingsArg, modeArg, rowsArg] = process.argv.slice(2);
if (dirArg && (settingsArg === 'datadeed' || settingsArg === 'pglite')) {
  child(dirArg, settingsArg, modeArg === 'load', Number(rowsArg)).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
} else {
  console.error('usage: <dir> datadeed|pglite open|load <rows>');
  process.exit(2);
}
