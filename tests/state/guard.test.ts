/**
 * The server refuses a write that the log's state forbids, even when the tables were
 * altered behind its back (issue 16), on both databases: a certificate pledged in the log
 * whose pledge row was deleted (and status reset) cannot be transferred; a certificate
 * whose holder was changed in the table cannot be cancelled by the new "holder"; a
 * revoked certificate set active again takes no licence. Each refusal is 409
 * `state_diverged` and writes nothing; once the tables are restored, the same writes pass.
 * The guard follows entries another writer appended to the same database.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { queryRows } from '../../src/db/index.ts';
import { encodeEntry } from '../../src/ledger/index.ts';
import { LogStore, Sequencer } from '../../src/ledger/pg/index.ts';
import { nodeRfc6962 } from '../../src/ledger/node/index.ts';
import { auditState } from '../../src/state/pg/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { entriesWritten } from '../helpers/log.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let buyer: Actor;
let reviewer: Actor;
let bank: Actor;
const DAY = 86_400_000;
const term = { start: '2026-02-01', end: '2027-02-01' };

async function call(method: string, path: string, who: Actor | null, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { ...(who ? who.auth : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function issue(): Promise<string> {
  const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).body.id;
  await call('POST', `/v1/applications/${id}/submit`, applicant);
  await call('POST', `/v1/applications/${id}/claim`, reviewer);
  await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
  ctx.clock.advance(10 * DAY);
  const r = await call('POST', `/v1/applications/${id}/approve`, reviewer);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.certificate.number;
}

const logSize = async () => (await ctx.store.treeState()).size;
/** Entries requests wrote (not the state commitments a publication round adds on its own timer). */
const written = () => entriesWritten(ctx.database.db);
const tamper = (stmt: ReturnType<typeof sql>) => ctx.database.db.execute(stmt);
const row = async (number: string) => (await queryRows(ctx.database.db, sql`SELECT status, org_id, superseded_by FROM certificates WHERE number = ${number}`))[0];

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  applicant = await makeActor(ctx, 'applicant', 'enterprise');
  buyer = await makeActor(ctx, 'applicant', 'enterprise');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
  bank = await makeActor(ctx, 'bank', 'bank');
});
afterAll(async () => {
  await ctx?.close();
});

describe('the write guard', () => {
  it('a certificate pledged in the log whose pledge row was deleted cannot be transferred', async () => {
    const number = await issue();
    const req = await call('POST', `/v1/certificates/${number}/pledges`, bank, { loanReference: 'L-1', amount: { value: '9.00', currency: 'CNY' }, term });
    expect((await call('POST', `/v1/pledges/${req.body.id}/consent`, applicant)).status).toBe(200);
    // without the guard the tables alone would refuse (status pledged): the superuser hides that too
    await tamper(sql`CREATE TABLE hidden_pledge AS SELECT * FROM pledges WHERE id = ${req.body.id}`);
    await tamper(sql`DELETE FROM pledges WHERE id = ${req.body.id}`);
    await tamper(sql`UPDATE certificates SET status = 'active' WHERE number = ${number}`);

    const before = await written();
    const tr = await call('POST', `/v1/certificates/${number}/transfer`, applicant, { toOrgId: buyer.orgId });
    expect(tr.status).toBe(409);
    expect(tr.body.code).toBe('state_diverged');
    expect(tr.body.detail ?? tr.body.title).toBeTruthy();
    expect(JSON.stringify(tr.body)).toMatch(/pledged/);
    expect(await written()).toBe(before);
    expect(await row(number)).toMatchObject({ status: 'active', superseded_by: null }); // nothing written

    // restored, the registry refuses it on its own rule; released, the transfer goes through
    await tamper(sql`INSERT INTO pledges SELECT * FROM hidden_pledge`);
    await tamper(sql`DROP TABLE hidden_pledge`);
    await tamper(sql`UPDATE certificates SET status = 'pledged' WHERE number = ${number}`);
    expect((await call('POST', `/v1/certificates/${number}/transfer`, applicant, { toOrgId: buyer.orgId })).body.code).toBe('pledgee_consent_required');
    expect((await call('POST', `/v1/pledges/${req.body.id}/release`, bank)).status).toBe(200);
    expect((await call('POST', `/v1/certificates/${number}/transfer`, applicant, { toOrgId: buyer.orgId })).status).toBe(200);
  });

  it('a certificate whose holder was changed in the table cannot be cancelled by the new “holder”', async () => {
    const number = await issue();
    await tamper(sql`UPDATE certificates SET org_id = ${buyer.orgId} WHERE number = ${number}`);
    const before = await written();
    const r = await call('POST', `/v1/certificates/${number}/cancel`, buyer);
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('state_diverged');
    expect(JSON.stringify(r.body)).toContain(`certificates ${number}, holder`);
    expect(JSON.stringify(r.body)).not.toContain(buyer.orgId); // never a table's value
    expect(await written()).toBe(before);
    expect(await row(number)).toMatchObject({ status: 'active' });
    await tamper(sql`UPDATE certificates SET org_id = ${applicant.orgId} WHERE number = ${number}`);
    expect((await call('POST', `/v1/certificates/${number}/cancel`, applicant)).status).toBe(200);
  });

  it('a revoked certificate set active again in the table takes no licence', async () => {
    const number = await issue();
    expect((await call('POST', `/v1/certificates/${number}/revoke`, reviewer, { reason: 'Fraud.' })).status).toBe(200);
    await tamper(sql`UPDATE certificates SET status = 'active' WHERE number = ${number}`);
    const before = await written();
    const r = await call('POST', `/v1/certificates/${number}/licences`, applicant, { licensee: 'Acme', scope: 'all', term, exclusive: false });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('state_diverged');
    expect(JSON.stringify(r.body)).toMatch(/revoked/);
    expect(await written()).toBe(before);
    await tamper(sql`UPDATE certificates SET status = 'revoked' WHERE number = ${number}`);
    expect((await call('POST', `/v1/certificates/${number}/licences`, applicant, { licensee: 'Acme', scope: 'all', term, exclusive: false })).body.code).toBe('certificate_not_active');
  });

  it('follows what another writer appended to the same log, and the audit is clean afterwards', async () => {
    // the earlier tests' state commitment lands now, not between the size read below and the guard's
    await ctx.committer.settle();
    const other = new Sequencer({ store: new LogStore(ctx.database.db, nodeRfc6962) });
    const future = new Date(ctx.clock.now().getTime() + 3 * DAY).toISOString();
    const ack = await other.append(encodeEntry({ kind: 'test.other_writer', time: future }));
    await other.close();
    const later = await makeActor(ctx, 'bank', 'bank'); // organisation.registered, stamped no earlier than the other writer's entry
    const size = await logSize();
    const times = (await ctx.store.entries(ack.index, size)).map((e) => JSON.parse(new TextDecoder().decode(e)).time as string);
    expect(times[0]).toBe(future);
    for (const t of times) expect(Date.parse(t)).toBeGreaterThanOrEqual(Date.parse(future));
    expect(ctx.guard.state!.size).toBe(size);
    expect(ctx.guard.state!.organisations.get(later.orgId)!.kind).toBe('bank');
    const audit = await auditState({ db: ctx.database.db });
    expect(audit.anomalies).toEqual([]);
    expect(audit.divergences).toEqual([]);
  });
});
