/**
 * Acceptance: a process appending under load is killed with SIGKILL; after restart
 * every acknowledged index holds its entry, the tree verifies (audit clean) and the
 * log continues gap-free. Then `datadeed audit` (the CLI) is clean, and after one
 * byte is changed behind the trigger's back it exits 1 naming the index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config.ts';
import { composeSystem } from '../../src/compose.ts';
import { auditLog } from '../../src/ledger/pg/index.ts';
import { ed25519Verifier } from '../../src/ledger/index.ts';
import { toHex } from '../../src/ledger/index.ts';
import { createPostgresDatabase, usingPostgres } from '../helpers/db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
let env: Record<string, string>;
let dropDb: (() => Promise<void>) | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'datadeed-crash-'));
  env = { DATADEED_DATA_DIR: dir, DATADEED_ORIGIN: 'crash.datadeed.localhost/log', LOG_LEVEL: 'silent' };
  if (usingPostgres) {
    const pg = await createPostgresDatabase();
    env.DATABASE_URL = pg.url;
    dropDb = pg.drop;
  }
});
afterAll(async () => {
  await dropDb?.();
  rmSync(dir, { recursive: true, force: true });
});

function childEnv(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!env.DATABASE_URL) delete e.DATABASE_URL;
  return e;
}

/** Run the appender, kill it with SIGKILL after `killAfter` acknowledgements. */
function runAndKill(killAfter: number): Promise<Map<number, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/crash/appender.ts'], { cwd: ROOT, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<number, string>();
    let buf = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        const m = /^(\d+) ([0-9a-f]{64})$/.exec(line);
        if (m) acked.set(Number(m[1]), m[2]!);
        if (!killed && acked.size >= killAfter) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`appender exited ${code}: ${stderr}`));
    });
  });
}

function cli(args: string[]) {
  return spawnSync(process.execPath, ['bin/datadeed.mjs', ...args], { cwd: ROOT, env: childEnv(), encoding: 'utf8' });
}

describe('crash safety', () => {
  it('loses no acknowledged entry across SIGKILLs under load, and the tree verifies', async () => {
    const acked = new Map<number, string>();
    for (const killAfter of [400, 900]) {
      for (const [i, h] of await runAndKill(killAfter)) acked.set(i, h);
    }
    const ctx = await composeSystem(loadConfig(env));
    try {
      const cp = (await ctx.store.latestCheckpoint())!;
      const maxAcked = Math.max(...acked.keys());
      expect(cp.size).toBeGreaterThan(maxAcked);
      for (const [index, leaf] of acked) {
        const entry = await ctx.store.entry(index);
        expect(entry, `acknowledged entry ${index}`).toBeDefined();
        expect(toHex(ctx.store.hasher.hashLeaf(entry!))).toBe(leaf);
      }
      const report = await auditLog({ store: ctx.store, origin: ctx.config.origin, verifiers: [ed25519Verifier(ctx.logKey.vkey)] });
      expect(report).toMatchObject({ ok: true, treeSize: cp.size, entries: cp.size });
      // the log continues gap-free after the crash
      const next = await ctx.appendEvent({ kind: 'test.after_crash' });
      expect(next.index).toBe(cp.size);
    } finally {
      await ctx.close();
    }
  });

  it('`datadeed audit` is clean, then names the index of a byte changed behind the trigger', async () => {
    const clean = cli(['audit']);
    expect(clean.stderr).toBe('');
    expect(clean.status).toBe(0);
    expect(clean.stdout).toMatch(/^audit ok: \d+ entries/);

    const ctx = await composeSystem(loadConfig(env));
    try {
      await ctx.database.db.transaction(async (tx) => {
        await tx.execute(sql.raw('ALTER TABLE log_entries DISABLE TRIGGER USER'));
        await tx.execute(sql`UPDATE log_entries SET data = set_byte(data, 3, get_byte(data, 3) # 4) WHERE idx = 321`);
        await tx.execute(sql.raw('ALTER TABLE log_entries ENABLE TRIGGER USER'));
      });
    } finally {
      await ctx.close();
    }
    const bad = cli(['audit']);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/audit FAILED at index 321 \[entry_hash_mismatch\]/);
    const json = JSON.parse(cli(['audit', '--json']).stdout);
    expect(json.problem).toMatchObject({ code: 'entry_hash_mismatch', index: 321 });
  });
});
