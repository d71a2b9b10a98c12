/**
 * pglite-memory: what bounds the embedded database's resident memory, and the bound
 * DataDeed sets (src/db/database.ts `PGLITE_MEMORY_SETTINGS`) against PGlite's own
 * defaults, each in a fresh child process (RSS never shrinks: WebAssembly memory only
 * grows):
 *
 * - first start: `openDatabase` on a new data directory (initdb, migrations);
 * - reopen + load: `openDatabase` on that directory, then a write-and-read load —
 *   BENCH_MEM_ROWS (100,000; quick 20,000) rows of 400 + 32 bytes inserted in
 *   transactions of 500, an index built over them, a GROUP BY and a sort over them.
 *
 * Figures: RSS after opening, peak RSS (VmHWM) over the whole child, and `node -e 0`'s
 * RSS as the baseline of the same run. Floor: peak ≤ 400 MB after a reopen under load.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { floor, isMain, knob, line, mb, note, runMain } from './lib.ts';

const FLOOR = 400e6;

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

function runChild(args: string[]): Promise<{ opened: number; end: number; peak: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`child exited ${code}`))));
  });
}

function nodeBaseline(): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, '-e', "process.stdout.write(String(Number(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'))[1])*1024))"], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.on('error', reject);
    p.on('close', () => resolve(Number(out)));
  });
}

/** Runs the benchmark; figures on stdout. */
export async function benchPgliteMemory(): Promise<void> {
  const rows = knob('BENCH_MEM_ROWS', 100_000, 20_000);
  const base = await nodeBaseline();
  line(`pglite-memory: baseline node (same loader) peak RSS ${mb(base)}`);
  for (const settings of ['pglite', 'datadeed'] as const) {
    const dir = mkdtempSync(path.join(tmpdir(), 'dd-bench-mem-'));
    try {
      note(`${settings}: first start`);
      const first = await runChild([dir, settings, 'open', String(rows)]);
      note(`${settings}: reopen + ${rows} rows`);
      const again = await runChild([dir, settings, 'load', String(rows)]);
      const label = settings === 'datadeed' ? 'DataDeed settings (shared_buffers 16MB, work_mem 2MB, maintenance_work_mem 16MB)' : "PGlite's defaults (shared_buffers 128MB, work_mem 4MB, maintenance_work_mem 64MB)";
      line(`pglite-memory ${label}: first start (initdb + migrations) RSS ${mb(first.opened)}, peak ${mb(first.peak)}`);
      line(
        `pglite-memory ${label}: reopen RSS ${mb(again.opened)}; after ${rows.toLocaleString('en-US')} rows, index, sort: RSS ${mb(again.end)}, peak ${mb(again.peak)}` +
          (settings === 'datadeed' ? ` ${floor('peak ≤400 MB (381.5 MiB) after a reopen under load', again.peak <= FLOOR)}` : ''),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
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
} else if (isMain(import.meta.url)) runMain(benchPgliteMemory);
