/**
 * `datadeed monitor <registry URL>` as a bank runs it (issue 16), on both databases: a
 * registry served by `datadeed serve` (a child process, over HTTP) and the monitor as a
 * second child process that knows nothing but the registry's URL and its log key (taken
 * from the server's own start-up line). The monitor follows the tiles, checks every state
 * root, and serves statuses and digest lookups whose records equal the registry's, with
 * proofs that the pure verifier accepts under the log key alone: an active certificate, a
 * pledged one naming its pledgee, the earliest deposit of a digest, and a digest never
 * deposited. `--once` checks one round and exits 0.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { verifyStateProof } from '../../src/certificates/index.ts';
import { nodeEd25519 } from '../../src/certificates/node/index.ts';
import { composeSystem } from '../../src/compose.ts';
import { loadConfig } from '../../src/config.ts';
import { TestClock, type TestContext } from '../helpers/context.ts';
import { createPostgresDatabase, seedEmbeddedDataDir, seedPgliteDirectory, usingPostgres } from '../helpers/db.ts';
import { completeForm, makeActor, type Actor, jsonCaller } from '../helpers/registry.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DAY = 86_400_000;
const DEPOSITED = 'b'.repeat(64);
const NEVER = 'e'.repeat(64);

const dir = mkdtempSync(path.join(tmpdir(), 'datadeed-monitor-cli-'));
const children: ChildProcess[] = [];
let env: Record<string, string>;
let dropDb: (() => Promise<void>) | undefined;
let registry: { base: string; vkey: string };
let monitorBase: string;
let monitorErr = '';
let plain: string;
let pledged: string;
let bankOrgId: string;

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (!extra.DATABASE_URL) delete e.DATABASE_URL;
  delete e.NODE_OPTIONS;
  return e;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function until(what: string, f: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

beforeAll(async () => {
  env = {
    DATADEED_DATA_DIR: path.join(dir, 'registry'),
    DATADEED_ORIGIN: 'monitor-cli.datadeed.localhost/log',
    LOG_LEVEL: 'info',
    DATADEED_NOTICE_DAYS: '10',
    DATADEED_STATE_COMMIT_INTERVAL_MS: '0',
  };
  if (usingPostgres) {
    const pg = await createPostgresDatabase();
    env.DATABASE_URL = pg.url;
    dropDb = pg.drop;
  }
  seedEmbeddedDataDir(env.DATADEED_DATA_DIR!);
  // the registry's history, written by the registry itself with a test clock (the notice period passes)
  const clock = new TestClock();
  const system = await composeSystem(loadConfig(env), { clock });
  try {
    const ctx = { ...system, clock } as unknown as TestContext;
    const app = createApp(system.services);
    const call = jsonCaller(app);
    const applicant = await makeActor(ctx, 'applicant', 'enterprise');
    const reviewer = await makeActor(ctx, 'reviewer', 'registry');
    const bank = await makeActor(ctx, 'bank', 'bank');
    bankOrgId = bank.orgId!;
    const issue = async () => {
      const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).id;
      await call('POST', `/v1/applications/${id}/submit`, applicant);
      await call('POST', `/v1/applications/${id}/claim`, reviewer);
      await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
      clock.advance(10 * DAY);
      return (await call('POST', `/v1/applications/${id}/approve`, reviewer)).certificate.number as string;
    };
    plain = await issue();
    pledged = await issue();
    const req = await call('POST', `/v1/certificates/${pledged}/pledges`, bank, { loanReference: 'L-1', amount: { value: '1000.00', currency: 'CNY' }, term: { start: '2026-02-01', end: '2027-02-01' } });
    await call('POST', `/v1/pledges/${req.id}/consent`, applicant);
    await call('POST', '/v1/evidence', applicant, { items: [{ digest: DEPOSITED, kind: 'file', title: 'a file' }] });
  } finally {
    await system.close();
  }

  // the registry, served over HTTP by the compiled program
  const serve = spawn(process.execPath, ['bin/datadeed.mjs', 'serve'], {
    cwd: ROOT,
    env: childEnv({ ...env, PORT: '0', HOST: '127.0.0.1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(serve);
  let out = '';
  let err = '';
  serve.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  serve.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  await until('datadeed serve', () => {
    if (serve.exitCode !== null) throw new Error(`serve exited ${serve.exitCode}: ${err}`);
    return /serving on (http:\/\/127\.0\.0\.1:\d+) .*verifier key (\S+)\)/.test(out);
  });
  const m = /serving on (http:\/\/127\.0\.0\.1:\d+) .*verifier key (\S+)\)/.exec(out)!;
  registry = { base: m[1]!, vkey: m[2]! };
  // asking for the statuses makes the registry commit its state; wait until a published checkpoint includes that commitment
  for (const n of [plain, pledged]) expect((await getJson(`${registry.base}/v1/certificates/${n}/status`)).status).toBe(200);
  await until('a checkpoint including the state commitment', async () => {
    const s = (await getJson(`${registry.base}/v1/certificates/${pledged}/status`)).body;
    return (await verifyStateProof(s.stateProof, { certificate: pledged }, [registry.vkey], nodeEd25519)).ok;
  });

  // the monitor: the registry's URL and its log key, nothing else
  const port = await freePort();
  monitorBase = `http://127.0.0.1:${port}`;
  seedPgliteDirectory(path.join(dir, 'monitor', 'db'));
  const mon = spawn(process.execPath, ['bin/datadeed.mjs', 'monitor', registry.base, '--data-dir', path.join(dir, 'monitor'), '--key', registry.vkey, '--port', String(port), '--interval', '200'], {
    cwd: ROOT,
    env: childEnv({ LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(mon);
  mon.stderr!.setEncoding('utf8').on('data', (d: string) => (monitorErr += d));
  mon.stdout!.resume();
  await until('the monitor to check the log', () => {
    if (mon.exitCode !== null) throw new Error(`monitor exited ${mon.exitCode}: ${monitorErr}`);
    return /\d+ entries checked, every state root right/.test(monitorErr);
  });
}, 300_000);

afterAll(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    }
  }
  await dropDb?.();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('datadeed monitor (child processes over HTTP)', { timeout: 300_000 }, () => {
  it('serves the registry’s statuses, with proofs that verify under the log key alone', async () => {
    for (const n of [plain, pledged]) {
      const ours = (await getJson(`${registry.base}/v1/certificates/${n}/status`)).body;
      let theirs = await getJson(`${monitorBase}/v1/certificates/${n}/status`);
      // the registry may have committed again since the monitor's last round: wait for the monitor to follow
      await until(`the monitor at the registry's commitment for ${n}`, async () => {
        theirs = await getJson(`${monitorBase}/v1/certificates/${n}/status`);
        return theirs.status === 200 && JSON.stringify(theirs.body.stateProof.record) === JSON.stringify(ours.stateProof.record);
      });
      const r = await verifyStateProof(theirs.body.stateProof, { certificate: n }, [registry.vkey], nodeEd25519);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(r.ok && r.record).toEqual(ours.stateProof.record);
      expect(theirs.body.status).toBe(ours.status);
    }
    const p = (await getJson(`${monitorBase}/v1/certificates/${pledged}/status`)).body;
    expect(p.status).toBe('pledged');
    expect(JSON.stringify(p.stateProof.record.pledges)).toContain(bankOrgId);
    expect((await getJson(`${monitorBase}/v1/certificates/${plain}/status`)).body.status).toBe('active');
  });

  it('proves the earliest deposit of a digest and that another was never deposited, as the registry does', async () => {
    const yes = (await getJson(`${monitorBase}/v1/evidence?digest=${DEPOSITED}`)).body;
    expect(yes.deposited).toBe(true);
    const r1 = await verifyStateProof(yes.stateProof, { digest: DEPOSITED }, [registry.vkey], nodeEd25519);
    expect(r1.ok).toBe(true);
    const theirs = (await getJson(`${registry.base}/v1/evidence?digest=${DEPOSITED}`)).body;
    expect(r1.ok && r1.record).toMatchObject({ digest: DEPOSITED, depositId: theirs.earliest.id, index: theirs.earliest.logIndex });
    const no = (await getJson(`${monitorBase}/v1/evidence?digest=${NEVER}`)).body;
    expect(no.deposited).toBe(false);
    const r2 = await verifyStateProof(no.stateProof, { digest: NEVER }, [registry.vkey], nodeEd25519);
    expect(r2.ok).toBe(true);
    expect(r2.ok && r2.record).toBeNull();
    // an absence proof does not pass for the digest that was deposited
    expect((await verifyStateProof(no.stateProof, { digest: DEPOSITED }, [registry.vkey], nodeEd25519)).ok).toBe(false);
    // a certificate the registry never issued: 404 with a proof of absence
    const missing = await getJson(`${monitorBase}/v1/certificates/20990112009999999/status`);
    expect(missing.status).toBe(404);
    const r3 = await verifyStateProof(missing.body.stateProof, { certificate: '20990112009999999' }, [registry.vkey], nodeEd25519);
    expect(r3.ok && r3.record).toBeNull();
  });

  it('--once: one round against the live registry, exit 0', () => {
    seedPgliteDirectory(path.join(dir, 'monitor-once', 'db'));
    const r = spawnSync(process.execPath, ['bin/datadeed.mjs', 'monitor', registry.base, '--data-dir', path.join(dir, 'monitor-once'), '--key', registry.vkey, '--once'], {
      cwd: ROOT,
      env: childEnv({ LOG_LEVEL: 'info' }),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/datadeed monitor: \d+ entries checked, every state root right/);
    expect(r.stderr).not.toContain('ALERT');
  });
});
