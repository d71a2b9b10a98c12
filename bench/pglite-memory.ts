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
 * The child (bench/pglite-memory-child.ts) is built as the shipped program is
 * (`scripts/build.ts`) and run by plain `node`, as `npm start` runs DataDeed: under the
 * development loader (tsx) every process holds ~36 MiB more that no user's process does.
 *
 * Figures: RSS after opening, peak RSS (VmHWM) over the whole child, and plain `node -e`'s
 * RSS as the baseline of the same run. Floor: peak ≤ 400 MB after a reopen under load.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../scripts/build.ts';
import { floor, isMain, knob, line, mb, note, runMain } from './lib.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const FLOOR = 400e6;

/** The child, built as the program is (`scripts/build.ts`), run by plain `node`. */
let childProgram = '';

function runChild(args: string[]): Promise<{ opened: number; end: number; peak: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [childProgram, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`child exited ${code}`))));
  });
}

function nodeBaseline(): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', "process.stdout.write(String(Number(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'))[1])*1024))"], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.on('error', reject);
    p.on('close', () => resolve(Number(out)));
  });
}

/** Runs the benchmark; figures on stdout. */
export async function benchPgliteMemory(): Promise<void> {
  const rows = knob('BENCH_MEM_ROWS', 100_000, 20_000);
  const outdir = path.join(ROOT, '.tmp', 'bench', 'pglite-memory');
  childProgram = path.join((await buildProgram({ outdir, entry: path.join(ROOT, 'bench', 'pglite-memory-child.ts') })).outdir, 'datadeed.js');
  const base = await nodeBaseline();
  line(`pglite-memory: baseline plain node peak RSS ${mb(base)}`);
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

if (isMain(import.meta.url)) runMain(benchPgliteMemory);
