/**
 * Reliability (issue 20): a single instance appending under load is killed with
 * SIGKILL ten times at random moments, on the embedded database and on PostgreSQL.
 * After each restart every acknowledged entry is at its index exactly once (its leaf
 * hash is the one acknowledged), and at the end the log audits clean and continues
 * gap-free. Figures go to .tmp/reliability/sigkill-<db>.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { composeSystem } from '../../src/compose.ts';
import { auditLog } from '../../src/ledger/pg/index.ts';
import { ed25519Verifier, toHex } from '../../src/ledger/index.ts';
import { createPostgresDatabase } from '../helpers/db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const KILLS = Number(process.env.RELIABILITY_KILLS ?? 10);
const OUT = path.join(ROOT, '.tmp/reliability');

/** Runs the appender until it has acknowledged `killAfter` entries, then SIGKILLs it. */
function runAndKill(env: NodeJS.ProcessEnv, killAfter: number): Promise<Map<number, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/crash/appender.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`appender exited ${code}: ${stderr}`))));
  });
}

describe.each(['pglite', 'postgres'] as const)(`%s: ${KILLS} SIGKILLs under load`, (db) => {
  it(`loses and duplicates no acknowledged entry across ${KILLS} SIGKILLs`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dd-kill-'));
    const pg = db === 'postgres' ? await createPostgresDatabase() : undefined;
    const env: Record<string, string> = { DATADEED_DATA_DIR: dir, DATADEED_ORIGIN: 'kill.datadeed.localhost/log', LOG_LEVEL: 'silent' };
    if (pg) env.DATABASE_URL = pg.url;
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
    if (!pg) delete childEnv.DATABASE_URL;
    try {
      const acked = new Map<number, string>();
      let conflicting = 0;
      for (let k = 0; k < KILLS; k++) {
        // a random moment: after 20 to 600 acknowledgements
        const after = 20 + Math.floor(Math.random() * 580);
        for (const [i, h] of await runAndKill(childEnv, after)) {
          if (acked.has(i) && acked.get(i) !== h) conflicting++;
          acked.set(i, h);
        }
      }
      const ctx = await composeSystem(loadConfig(env));
      let lost = 0;
      try {
        const cp = (await ctx.store.latestCheckpoint())!;
        for (const [index, leaf] of acked) {
          const entry = await ctx.store.entry(index);
          if (!entry || toHex(ctx.store.hasher.hashLeaf(entry)) !== leaf) lost++;
        }
        const report = await auditLog({ store: ctx.store, origin: ctx.config.origin, verifiers: [ed25519Verifier(ctx.logKey.vkey)] });
        const next = await ctx.appendEvent({ kind: 'test.after_kills' });
        const summary = { db, kills: KILLS, acknowledged: acked.size, lost, duplicated: conflicting, treeSize: cp.size, audit: report.ok };
        mkdirSync(OUT, { recursive: true });
        writeFileSync(path.join(OUT, `sigkill-${db}.json`), JSON.stringify(summary, null, 2) + '\n');
        console.log(`reliability sigkill ${db}: ${KILLS} kills, ${acked.size} appends acknowledged, ${lost} lost, ${conflicting} duplicated (one index acknowledged twice with different entries); audit ${report.ok ? 'ok' : 'FAILED'}`);
        expect(lost).toBe(0);
        expect(conflicting).toBe(0);
        expect(report).toMatchObject({ ok: true, treeSize: cp.size });
        expect(next.index).toBeGreaterThanOrEqual(cp.size);
      } finally {
        await ctx.close();
      }
    } finally {
      await pg?.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
