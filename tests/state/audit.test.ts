/**
 * `datadeed audit` replays the log and compares the state with the registry's tables (issue
 * 16), on both databases: clean on an honest registry; each tampering a database superuser
 * can do behind the registry's back — a certificate's holder changed, its status changed, a
 * pledge deleted or hidden, a deposit's digest edited — is named by table, row, field, log
 * value and table value; the command line prints the same and exits 1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { composeSystem } from '../../src/compose.ts';
import { loadConfig } from '../../src/config.ts';
import { embeddedDataDir } from '../../src/config.ts';
import { openDatabase, type Db } from '../../src/db/index.ts';
import { auditState } from '../../src/state/pg/index.ts';
import { createTestContext, TestClock, type TestContext } from '../helpers/context.ts';
import { createPostgresDatabase, seedEmbeddedDataDir, usingPostgres } from '../helpers/db.ts';
import { completeForm, makeActor, type Actor, jsonCaller } from '../helpers/registry.ts';

const DAY = 86_400_000;
const term = { start: '2026-02-01', end: '2027-02-01' };

/** A registry with a certificate, a pledged certificate and deposits. */
async function populate(ctx: TestContext) {
  const app = createApp(ctx.services);
  const call = jsonCaller(app);
  const applicant = await makeActor(ctx, 'applicant', 'enterprise');
  const other = await makeActor(ctx, 'applicant', 'enterprise');
  const reviewer = await makeActor(ctx, 'reviewer', 'registry');
  const bank = await makeActor(ctx, 'bank', 'bank');
  const issue = async () => {
    const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).id;
    await call('POST', `/v1/applications/${id}/submit`, applicant);
    await call('POST', `/v1/applications/${id}/claim`, reviewer);
    await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
    ctx.clock.advance(10 * DAY);
    return (await call('POST', `/v1/applications/${id}/approve`, reviewer)).certificate.number as string;
  };
  const plain = await issue();
  const pledged = await issue();
  const req = await call('POST', `/v1/certificates/${pledged}/pledges`, bank, { loanReference: 'L-1', amount: { value: '1000.00', currency: 'CNY' }, term });
  const pledge = await call('POST', `/v1/pledges/${req.id}/consent`, applicant);
  const deposit = (await call('POST', '/v1/evidence', other, { items: [{ digest: 'b'.repeat(64), kind: 'file', title: 'a file' }] })).items[0];
  return { applicant, other, bank, plain, pledged, pledgeId: req.id as string, pledgeNumber: pledge.pledgeNumber as string, depositId: deposit.id as string };
}

/** What a database superuser does (the registry tables have no triggers; disabled anyway, as for the log's). */
async function asSuperuser(db: Db, table: string, stmt: ReturnType<typeof sql>) {
  await db.transaction(async (tx) => {
    await tx.execute(sql.raw(`ALTER TABLE ${table} DISABLE TRIGGER USER`));
    await tx.execute(stmt);
    await tx.execute(sql.raw(`ALTER TABLE ${table} ENABLE TRIGGER USER`));
  });
}

describe('audit compares the tables with the log', () => {
  let ctx: TestContext;
  let w: Awaited<ReturnType<typeof populate>>;
  const audit = () => auditState({ db: ctx.database.db, chunk: 7 });

  beforeAll(async () => {
    ctx = await createTestContext();
    w = await populate(ctx);
    // the set-up's state commitment is appended by a publication round on a timer: it lands
    // now, not between an audit and the tree size the test compares it with
    await ctx.committer.settle();
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('is clean on an honest registry', async () => {
    const r = await audit();
    expect(r.anomalies).toEqual([]);
    expect(r.divergences).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.entries).toBe((await ctx.store.treeState()).size);
  });

  it('names a certificate whose holder was changed', async () => {
    await asSuperuser(ctx.database.db, 'certificates', sql`UPDATE certificates SET org_id = ${w.other.orgId} WHERE number = ${w.plain}`);
    const r = await audit();
    expect(r.ok).toBe(false);
    expect(r.divergences).toEqual([{ table: 'certificates', row: w.plain, field: 'holder', logValue: w.applicant.orgId, tableValue: w.other.orgId }]);
    await asSuperuser(ctx.database.db, 'certificates', sql`UPDATE certificates SET org_id = ${w.applicant.orgId} WHERE number = ${w.plain}`);
    expect((await audit()).ok).toBe(true);
  });

  it('names a certificate whose status was changed', async () => {
    await asSuperuser(ctx.database.db, 'certificates', sql`UPDATE certificates SET status = 'active' WHERE number = ${w.pledged}`);
    const r = await audit();
    expect(r.divergences).toEqual([{ table: 'certificates', row: w.pledged, field: 'status', logValue: 'pledged', tableValue: 'active' }]);
    await asSuperuser(ctx.database.db, 'certificates', sql`UPDATE certificates SET status = 'pledged' WHERE number = ${w.pledged}`);
    expect((await audit()).ok).toBe(true);
  });

  it('names a pledge hidden by marking it released, and one deleted', async () => {
    await asSuperuser(ctx.database.db, 'pledges', sql`UPDATE pledges SET state = 'released' WHERE id = ${w.pledgeId}`);
    let r = await audit();
    expect(r.divergences).toEqual(
      expect.arrayContaining([
        { table: 'certificates', row: w.pledged, field: 'pledges', logValue: [w.pledgeNumber], tableValue: [] },
        { table: 'pledges', row: w.pledgeNumber, field: 'state', logValue: 'recorded', tableValue: 'released' },
        { table: 'pledge_requests', row: w.pledgeId, field: 'state', logValue: 'recorded', tableValue: 'released' },
      ]),
    );
    expect(r.divergences).toHaveLength(3);

    await asSuperuser(ctx.database.db, 'pledges', sql`UPDATE pledges SET state = 'recorded' WHERE id = ${w.pledgeId}`);
    await asSuperuser(ctx.database.db, 'pledges', sql`CREATE TABLE pledges_saved AS SELECT * FROM pledges WHERE id = ${w.pledgeId}`);
    await asSuperuser(ctx.database.db, 'pledges', sql`DELETE FROM pledges WHERE id = ${w.pledgeId}`);
    r = await audit();
    expect(r.divergences).toEqual(
      expect.arrayContaining([
        { table: 'certificates', row: w.pledged, field: 'pledges', logValue: [w.pledgeNumber], tableValue: [] },
        { table: 'pledges', row: w.pledgeNumber, field: '(row)', logValue: 'present', tableValue: 'absent' },
        { table: 'pledge_requests', row: w.pledgeId, field: '(row)', logValue: 'present', tableValue: 'absent' },
      ]),
    );
    expect(r.divergences).toHaveLength(3);
    await asSuperuser(ctx.database.db, 'pledges', sql`INSERT INTO pledges SELECT * FROM pledges_saved`);
    await ctx.database.db.execute(sql`DROP TABLE pledges_saved`);
    expect((await audit()).ok).toBe(true);
  });

  it('names a deposit whose digest was edited', async () => {
    await asSuperuser(ctx.database.db, 'deposits', sql`UPDATE deposits SET digest = ${'c'.repeat(64)} WHERE id = ${w.depositId}`);
    const r = await audit();
    expect(r.divergences).toEqual([{ table: 'deposits', row: w.depositId, field: 'digest', logValue: 'b'.repeat(64), tableValue: 'c'.repeat(64) }]);
    await asSuperuser(ctx.database.db, 'deposits', sql`UPDATE deposits SET digest = ${'b'.repeat(64)} WHERE id = ${w.depositId}`);
    expect((await audit()).ok).toBe(true);
  });
});

describe('`datadeed audit` on the command line', () => {
  const ROOT = path.resolve(import.meta.dirname, '../..');
  let dir: string;
  let env: Record<string, string>;
  let dropDb: (() => Promise<void>) | undefined;
  const cli = (args: string[]) => {
    const e: NodeJS.ProcessEnv = { ...process.env, ...env };
    if (!env.DATABASE_URL) delete e.DATABASE_URL;
    return spawnSync(process.execPath, ['bin/datadeed.mjs', ...args], { cwd: ROOT, env: e, encoding: 'utf8' });
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'datadeed-state-audit-'));
    seedEmbeddedDataDir(dir);
    env = { DATADEED_DATA_DIR: dir, DATADEED_ORIGIN: 'audit.datadeed.localhost/log', LOG_LEVEL: 'silent', DATADEED_NOTICE_DAYS: '10', DATADEED_MAX_CLOCK_SKEW_MS: String(50 * 365 * DAY) };
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

  it('is clean on an honest registry; prints each divergence and exits 1 after a tampering', async () => {
    const clock = new TestClock();
    const system = await composeSystem(loadConfig(env), { clock });
    let w: Awaited<ReturnType<typeof populate>>;
    try {
      w = await populate({ ...system, clock } as unknown as TestContext);
    } finally {
      await system.close();
    }
    const clean = cli(['audit']);
    expect(clean.status, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/^audit ok: \d+ entries/);
    expect(clean.stdout).toMatch(/\nstate ok: \d+ entries replayed, \d+ state roots recomputed( \(resumed at entry \d+\))?, the registry's tables agree with the log\n/);

    const database = await openDatabase({ url: env.DATABASE_URL, dataDir: embeddedDataDir(loadConfig(env)) });
    try {
      await asSuperuser(database.db, 'certificates', sql`UPDATE certificates SET org_id = ${w.other.orgId} WHERE number = ${w.plain}`);
      await asSuperuser(database.db, 'deposits', sql`UPDATE deposits SET digest = ${'c'.repeat(64)} WHERE id = ${w.depositId}`);
    } finally {
      await database.close();
    }
    const bad = cli(['audit']);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^audit ok: /); // the log itself is intact
    expect(bad.stdout).toContain('state FAILED: ');
    expect(bad.stdout).toContain(`  DIVERGENCE certificates ${w.plain} holder: log "${w.applicant.orgId}", table "${w.other.orgId}"\n`);
    expect(bad.stdout).toContain(`  DIVERGENCE deposits ${w.depositId} digest: log "${'b'.repeat(64)}", table "${'c'.repeat(64)}"\n`);
    const json = JSON.parse(cli(['audit', '--json']).stdout);
    expect(json.ok).toBe(false);
    expect(json.log).toEqual({ ok: true });
    expect(json.state.divergences).toHaveLength(2);
  }, 300_000);
});
