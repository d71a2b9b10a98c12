/**
 * The registry as the rules are written (issue 19), over HTTP on both databases: a notice
 * counted in working days across the 2026 Spring Festival (the 2025 National Day case:
 * tests/registry/calendar.test.ts); national certificate
 * numbers and the 登记号 (its check character recomputed here from ISO 7064's definition);
 * validity capped by the data-source agreement; a database started before keeps DIP-…
 * numbers; bank-grade pledges and the pledgee's consent as its own log entry, required for
 * licences and transfers of a pledged certificate; objectors who must state an interest;
 * the objection decision deadline; search of the register and notices; reminders; audit
 * clean throughout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { composeSystem } from '../../src/compose.ts';
import { loadConfig } from '../../src/config.ts';
import { meta } from '../../src/db/index.ts';
import { auditState } from '../../src/state/pg/index.ts';
import { createTestContext, TestClock, type TestContext } from '../helpers/context.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { entriesWritten } from '../helpers/log.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';

const DAY = 86_400_000;
const ALPHA = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** ISO/IEC 7064 MOD 37,36 check, from the standard's recursion (independent of src/registry/numbering.ts). */
function mod3736Passes(s: string): boolean {
  let p = 36;
  for (const ch of s.slice(0, -1)) p = ((((p + ALPHA.indexOf(ch)) % 36 || 36) * 2) % 37);
  return (p + ALPHA.indexOf(s.at(-1)!)) % 36 === 1;
}

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let reviewer: Actor;
let bank: Actor;
let other: Actor;

async function call(method: string, p: string, who?: Actor | null, body?: unknown) {
  const res = await app.request(p, {
    method,
    headers: { ...(who ? who.auth : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function toNotice(form: Record<string, unknown>): Promise<string> {
  const id = (await call('POST', '/v1/applications', applicant, form)).body.id;
  expect((await call('POST', `/v1/applications/${id}/submit`, applicant)).status).toBe(200);
  await call('POST', `/v1/applications/${id}/claim`, reviewer);
  const opened = await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
  expect(opened.status, JSON.stringify(opened.body)).toBe(200);
  return id;
}

beforeAll(async () => {
  // the working-day notice (the default), on a clock at 10:00 Beijing time on Friday 2026-02-13
  ctx = await createTestContext({ DATADEED_NOTICE_WORKING_DAYS: '10', DATADEED_OBJECTORS: 'interested', DATADEED_REMINDER_DAYS: '90' });
  ctx.clock.t = new Date('2026-02-13T02:00:00.000Z');
  app = createApp(ctx.services);
  applicant = await makeActor(ctx, 'applicant', 'enterprise');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
  bank = await makeActor(ctx, 'bank', 'bank');
  other = await makeActor(ctx, 'applicant', 'enterprise');
});
afterAll(async () => {
  await ctx?.close();
});

describe('issue 19 rules', () => {
  let number: string;

  it('a notice opened on Friday 2026-02-13 ends with the 10th working day, 2026-03-05 (Beijing; Spring Festival 15–23 Feb off, Sat 14 and 28 Feb worked)', async () => {
    const id = await toNotice(completeForm(applicant.uscc!, { dataSourceType: 'own', sourceAgreementEnd: '2027-06-30', industry: 'I65' }));
    const a = await call('GET', `/v1/applications/${id}`, applicant);
    expect(a.body.noticeEndsAt).toBe('2026-03-05T16:00:00.000Z');
    // the notices list is searchable: by industry prefix, holder USCC, name, date
    expect((await call('GET', '/v1/notices?industry=I', null)).body.items.map((x: { applicationId: string }) => x.applicationId)).toContain(id);
    expect((await call('GET', '/v1/notices?industry=B', null)).body.items).toEqual([]);
    expect((await call('GET', `/v1/notices?uscc=${applicant.uscc}&name=ordos&from=2026-02-13&to=2026-02-13`, null)).body.items).toHaveLength(1);
    expect((await call('GET', '/v1/notices?from=2026-02-14', null)).body.items).toEqual([]);
    const bad = await call('GET', '/v1/notices?from=2025-02-30', null);
    expect(bad.status).toBe(422);
    expect(bad.body.errors?.[0]?.path ?? bad.body.details?.[0]?.path).toBeDefined();

    // only interested parties may object here: without a stated interest, refused at the field, nothing written
    const before = await entriesWritten(ctx.database.db);
    const o1 = await call('POST', `/v1/notices/${id}/objections`, null, { name: '李四', contact: 'li@example.com', grounds: 'We collected these records ourselves.' });
    expect(o1.status).toBe(422);
    expect(o1.body.code).toBe('objector_interest_required');
    expect(await entriesWritten(ctx.database.db)).toBe(before);
    const o2 = await call('POST', `/v1/notices/${id}/objections`, null, {
      name: '李四',
      contact: 'li@example.com',
      grounds: 'We collected these records ourselves.',
      interest: 'We hold the drilling contract for these wells.',
    });
    expect(o2.status, JSON.stringify(o2.body)).toBe(201);
    const entry = JSON.parse(new TextDecoder().decode((await ctx.store.entry(o2.body.logIndex))!));
    expect(entry.interestHash).toMatch(/^[0-9a-f]{64}$/);
    const withObj = await call('GET', `/v1/applications/${id}`, reviewer);
    const filed = withObj.body.objections[0];
    expect(Date.parse(filed.decideBy) - Date.parse(filed.filedAt)).toBe(60 * DAY);
    ctx.clock.advance(DAY);
    expect((await call('POST', `/v1/objections/${o2.body.id}/dismiss`, reviewer, { reason: 'The contract does not cover the data.' })).status).toBe(200);
    // restarted on Saturday 2026-02-14 (a worked day): 24–27 Feb, Sat 28 Feb, 2–6 Mar → Friday 2026-03-06 (24:00)
    expect((await call('GET', `/v1/applications/${id}`, applicant)).body.noticeEndsAt).toBe('2026-03-06T16:00:00.000Z');
    ctx.clock.t = new Date('2026-03-06T15:00:00.000Z');
    expect((await call('POST', `/v1/applications/${id}/approve`, reviewer)).body.code).toBe('notice_not_elapsed');
    ctx.clock.t = new Date('2026-03-06T16:00:00.000Z');
    const approved = await call('POST', `/v1/applications/${id}/approve`, reviewer);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    number = approved.body.certificate.number;
  });

  it('numbers the certificate nationally (17 digits) with a 登记号 in its issuance entry', async () => {
    // issued 2026-03-07 00:00 Beijing: year 2026, month 03, registry code 1200, serial 1
    expect(number).toBe('20260312000000001');
    const cert = await call('GET', `/v1/certificates/${number}`, null);
    const idx = cert.body.log.index;
    const entry = JSON.parse(new TextDecoder().decode((await ctx.store.entry(idx))!));
    expect(entry.registrationNumber).toMatch(/^2026[1][1]\d{9}[0-9A-Z]$/); // own data (1), enterprise (1)
    expect(mod3736Passes(entry.registrationNumber)).toBe(true);
    // validity: 3 years from the 登记公告 date, capped by the agreement ending 2027-06-30 (24:00 Beijing)
    expect(cert.body.validUntil).toBe('2027-06-30T16:00:00.000Z');
    // the bundle (links include the 登记号) still verifies
    expect((await app.request(`/v1/certificates/${number}/bundle`)).status).toBe(200);
    // the register is searchable
    expect((await call('GET', `/v1/certificates?holder=ENTERPRISE&uscc=${applicant.uscc}&industry=I65`, null)).body.items.map((c: { number: string }) => c.number)).toEqual([number]);
    expect((await call('GET', '/v1/certificates?industry=I64', null)).body.items).toEqual([]);
    expect((await call('GET', '/v1/certificates?from=2026-03-08', null)).body.items).toEqual([]);
    expect((await call('GET', '/v1/certificates?from=2026-03-07&to=2026-03-07', null)).body.items).toHaveLength(1);
  });

  it('a pledged certificate: valuation report and 中登网 number logged; licence and transfer need the pledgee’s recorded consent', async () => {
    const req = await call('POST', `/v1/certificates/${number}/pledges`, bank, {
      loanReference: 'LOAN-1',
      amount: { value: '3000000.00', currency: 'CNY' },
      term: { start: '2026-04-01', end: '2027-03-31' },
      valuationReportHash: 'b'.repeat(64),
      zhongdengNumber: '06123456000123456789',
    });
    expect(req.status, JSON.stringify(req.body)).toBe(201);
    const bad = await call('POST', `/v1/certificates/${number}/pledges`, bank, { loanReference: 'X', amount: { value: '1.00', currency: 'CNY' }, term: { start: '2026-04-01', end: '2027-03-31' }, zhongdengNumber: 'no!' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('zhongdengNumber');
    const rec = await call('POST', `/v1/pledges/${req.body.id}/consent`, applicant);
    expect(rec.status).toBe(200);
    const e = JSON.parse(new TextDecoder().decode((await ctx.store.entry(rec.body.logIndex))!));
    expect(e).toMatchObject({ kind: 'pledge.recorded', valuationReportHash: 'b'.repeat(64), zhongdengNumber: '06123456000123456789' });

    const licence = { licensee: 'Acme', scope: 'Model training', term: { start: '2026-04-01', end: '2027-03-31' }, exclusive: false };
    const before = await entriesWritten(ctx.database.db);
    const refused = await call('POST', `/v1/certificates/${number}/licences`, applicant, licence);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('pledgee_consent_required');
    expect(await entriesWritten(ctx.database.db)).toBe(before);
    // only the pledgee consents; a bad action is refused at the field
    expect((await call('POST', `/v1/pledges/${req.body.id}/consents`, applicant, { action: 'licence' })).status).toBe(403);
    expect((await call('POST', `/v1/pledges/${req.body.id}/consents`, bank, { action: 'sell' })).status).toBe(400);
    const consent = await call('POST', `/v1/pledges/${req.body.id}/consents`, bank, { action: 'licence' });
    expect(consent.status, JSON.stringify(consent.body)).toBe(201);
    const ce = JSON.parse(new TextDecoder().decode((await ctx.store.entry(consent.body.logIndex))!));
    expect(ce).toMatchObject({ kind: 'pledge.consent_recorded', action: 'licence', number, pledgeNumber: rec.body.pledgeNumber });
    expect((await call('POST', `/v1/certificates/${number}/licences`, applicant, licence)).status).toBe(201);
    // a consent is used once
    expect((await call('POST', `/v1/certificates/${number}/licences`, applicant, { ...licence, licensee: 'Beta' })).body.code).toBe('pledgee_consent_required');

    // transfer: refused without consent, allowed with it; the pledge follows the asset
    expect((await call('POST', `/v1/certificates/${number}/transfer`, applicant, { toOrgId: other.orgId })).body.code).toBe('pledgee_consent_required');
    expect((await call('POST', `/v1/pledges/${req.body.id}/consents`, bank, { action: 'transfer' })).status).toBe(201);
    const t = await call('POST', `/v1/certificates/${number}/transfer`, applicant, { toOrgId: other.orgId });
    expect(t.status, JSON.stringify(t.body)).toBe(200);
    const next = t.body.certificate.number;
    expect((await call('GET', `/v1/certificates/${next}/status`, bank)).body.status).toBe('pledged');
    expect((await call('GET', `/v1/pledges/${req.body.id}`, bank)).body.certificateNumber).toBe(next);
  });

  it('reminds the holder of certificates expiring within 90 days', async () => {
    expect((await call('GET', '/v1/reminders', other)).body.items).toEqual([]);
    ctx.clock.t = new Date('2027-05-01T00:00:00.000Z');
    const r = await call('GET', '/v1/reminders', other);
    expect(r.body.items).toHaveLength(1);
    expect(r.body.items[0]).toMatchObject({ kind: 'expiry', validUntil: '2027-06-30T16:00:00.000Z', renewalOpen: true });
    expect((await call('GET', '/v1/reminders', bank)).status).toBe(403);
  });

  it('the log and the tables agree (audit)', async () => {
    const r = await auditState({ db: ctx.database.db });
    expect(r.anomalies).toEqual([]);
    expect(r.divergences).toEqual([]);
  });
});

describe('numbering format fixed at first start', () => {
  it('a database started before national numbers keeps DIP-…; a new one is national even if later configured legacy', async () => {
    const db = await openTestDatabase();
    const dirs: string[] = [];
    const start = async (env: Record<string, string>) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'datadeed-fmt-'));
      dirs.push(dir);
      const config = loadConfig({ DATADEED_DATA_DIR: dir, DATADEED_ORIGIN: 'fmt.datadeed.localhost/log', DATADEED_RATE_LIMIT: 'off', DATADEED_MAX_CLOCK_SKEW_MS: String(365 * DAY), ...env });
      return composeSystem(config, { database: db, clock: new TestClock(), keys: 'rotate' });
    };
    try {
      const first = await start({});
      expect(first.registry.deps.settings.numberFormat).toBe('national');
      const keyDir = first.config.dataDir;
      await first.close();
      // configured legacy later: the database keeps the format it started with
      const again = await start({ DATADEED_NUMBER_FORMAT: 'legacy', DATADEED_DATA_DIR: keyDir });
      expect(again.registry.deps.settings.numberFormat).toBe('national');
      await again.close();
      // a database from before (no recorded format) is legacy
      await db.db.delete(meta).where(eq(meta.key, 'number_format'));
      const old = await start({ DATADEED_DATA_DIR: keyDir });
      expect(old.registry.deps.settings.numberFormat).toBe('legacy');
      await old.close();
    } finally {
      await db.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
