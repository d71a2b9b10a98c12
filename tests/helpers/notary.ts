/**
 * A registry with witnesses, for the notary tests: a log key made before the first
 * start (so the witnesses can trust it), witnesses in this process
 * (`startWitnessServer`) and as child processes (`datadeed witness serve`), a C2SP
 * tlog-policy file naming them, and the composition root started on it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.ts';
import { composeSystem, type ComposeOptions, type System } from '../../src/compose.ts';
import { createLogKey, type LogKey } from '../../src/keys/node/index.ts';
import { initWitness, openWitness, startWitnessServer, type RunningWitness } from '../../src/witness/node/index.ts';
import { openTestDatabase, type TestDatabase } from './db.ts';
import { TestClock } from './context.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const NOTARY_ORIGIN = 'notary.datadeed.localhost/log';

/** A temporary directory with a log key for NOTARY_ORIGIN (created before any start). */
export function registryDir(): { dir: string; logKey: LogKey; keyFile: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'datadeed-notary-'));
  const keyFile = path.join(dir, 'keys', 'log.key');
  return { dir, keyFile, logKey: createLogKey(keyFile, NOTARY_ORIGIN) };
}

/** Initialises a witness data directory named `name` that trusts the registry's log. */
export async function initTrustingWitness(dataDir: string, name: string, logVkey: string): Promise<string> {
  const key = await initWitness(dataDir, name);
  const { store } = await openWitness(dataDir);
  try {
    await store.addTrustedLog(NOTARY_ORIGIN, logVkey);
  } finally {
    await store.close();
  }
  return key.vkey;
}

/** An in-process witness on a free port. */
export function inProcessWitness(dataDir: string): Promise<RunningWitness> {
  return startWitnessServer({ dataDir, port: 0, host: '127.0.0.1', logError: () => {} });
}

/** `datadeed witness serve` as a child process; resolves once it prints its URL. */
export function childWitness(dataDir: string, port = 0): Promise<{ child: ChildProcess; url: string; port: number }> {
  const child = spawn(process.execPath, ['bin/datadeed.mjs', 'witness', 'serve', '--data-dir', dataDir, '--port', String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m) resolve({ child, url: m[1]!, port: Number(m[2]) });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`witness serve exited ${code}: ${err}`)));
  });
}

/** Stops a child witness with SIGTERM (it finishes its requests and closes its database). */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export interface NotaryRegistry extends System {
  testDb: TestDatabase;
  clock: TestClock;
}

/** Starts the registry in `dir` on a fresh test database, with `env` on top of the defaults (no interval publication). */
export async function startRegistry(dir: string, env: Record<string, string>, opts: ComposeOptions = {}): Promise<NotaryRegistry> {
  const testDb = await openTestDatabase();
  const config = loadConfig({
    DATADEED_DATA_DIR: dir,
    DATADEED_ORIGIN: NOTARY_ORIGIN,
    DATADEED_CHECKPOINT_INTERVAL_MS: '3600000',
    DATADEED_MAX_CLOCK_SKEW_MS: String(50 * 365 * 86_400_000),
    // these tests move the clock by calendar days (the working-day notice has its own tests)
    DATADEED_NOTICE_DAYS: '10',
    ...env,
  });
  const clock = new TestClock(new Date());
  const sys = await composeSystem(config, { database: testDb, clock, witnessRetry: { minMs: 50, maxMs: 200 }, ...opts });
  return {
    ...sys,
    testDb,
    clock,
    close: async () => {
      await sys.close();
      await testDb.close();
    },
  };
}

/** Writes a policy file into `dir` and returns its path. */
export function writePolicy(dir: string, text: string, name = 'witnesses.policy'): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Polls `cond` every 20 ms until it holds, failing after `ms` (a bound on waiting, not a timed assertion). */
export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
