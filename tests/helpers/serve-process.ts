/**
 * The real server as a child process: `node bin/datadeed.mjs serve` (the compiled program, built by tests/helpers/build-setup.ts) on a
 * temporary data directory (and its own PostgreSQL database with DATABASE_URL), on a free
 * port. Its stdout and stderr are kept for the test to read.
 */
import { loadConfig } from '../../src/config.ts';
import { composeSystem, type System } from '../../src/compose.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Database } from '../../src/db/index.ts';
import { createPostgresDatabase, usingPostgres } from './db.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServedProcess {
  /** `http://127.0.0.1:<port>` */
  base: string;
  port: number;
  /** The log's verifier key, as the server printed it. */
  vkey: string;
  dataDir: string;
  stdout(): string;
  stderr(): string;
  /** SIGTERM and wait for the exit; the database and data directory stay until `cleanup`. */
  stop(): Promise<void>;
  /** Open the server's database (after `stop` with the embedded one: one process at a time). */
  openDatabase(): Promise<Database>;
  /** Drop the database and remove the data directory (after `stop`). */
  cleanup(): Promise<void>;
}

export interface ServeOptions {
  env?: Record<string, string>;
  args?: string[];
  /**
   * Runs on the whole system (the composition root, on the server's database and data
   * directory: the same keys) before the server starts — e.g. to create accounts, whose
   * registration is a log entry.
   */
  prepare?: (system: System) => Promise<void>;
}

export async function startServe(opts: ServeOptions = {}): Promise<ServedProcess> {
  const { env = {}, args = [] } = opts;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'datadeed-serve-'));
  const pg = usingPostgres ? await createPostgresDatabase() : undefined;
  const open = () => openDatabase({ url: pg?.url, dataDir: path.join(dataDir, 'pglite') });
  if (opts.prepare) {
    const system = await composeSystem(
      loadConfig({ DATADEED_DATA_DIR: dataDir, DATADEED_ORIGIN: 'serve.datadeed.localhost/log', ...(pg ? { DATABASE_URL: pg.url } : {}), ...env }),
    );
    try {
      await opts.prepare(system);
    } finally {
      await system.close();
    }
  }
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATADEED_DATA_DIR: dataDir,
    DATADEED_ORIGIN: 'serve.datadeed.localhost/log',
    LOG_LEVEL: 'info',
    ...(pg ? { DATABASE_URL: pg.url } : {}),
    ...env,
  };
  if (!pg) delete childEnv.DATABASE_URL;
  delete childEnv.NODE_OPTIONS;
  const child = spawn(process.execPath, ['bin/datadeed.mjs', 'serve', ...args], { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const cleanup = async () => {
    await pg?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let m: RegExpExecArray;
  try {
    m = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setInterval(() => {
        const found = /serving on (http:\/\/127\.0\.0\.1:(\d+)) .*verifier key (\S+)\)/.exec(stdout);
        if (found) {
          clearInterval(timer);
          resolve(found);
        }
      }, 50);
      void exited.then((code) => {
        clearInterval(timer);
        reject(new Error(`serve exited ${code}: ${stderr}`));
      });
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    base: m[1]!,
    port: Number(m[2]),
    vkey: m[3]!,
    dataDir,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    openDatabase: open,
    cleanup,
  };
}
