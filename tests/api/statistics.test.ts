/**
 * Registry statistics (issue 19) on both databases: the endpoint's figures at a named
 * checkpoint equal the pure replay's over the same entries read back from the store, and
 * an independent count of the entries by kind; the amounts are the registry's signed
 * statement (verified offline with the log's key alone); the page in both languages with
 * errors at the field; the PDF report passes poppler's checks (pdftotext with an empty
 * fontconfig, pdffonts, pdfdetach).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { verifySignedJson } from '../../src/certificates/index.ts';
import { nodeCrypto } from '../../src/certificates/node/index.ts';
import { computeStatistics } from '../../src/statistics/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';

const DAY = 86_400_000;
const tool = (name: string) => spawnSync(name, ['-v']).error === undefined;
const HAS_POPPLER = tool('pdftotext') && tool('pdffonts') && tool('pdfdetach');

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let reviewer: Actor;
let bank: Actor;
let insurer: Actor;
let other: Actor;
const dir = mkdtempSync(path.join(tmpdir(), 'dd-stat-'));

async function call(method: string, p: string, who?: Actor | null, body?: unknown) {
  const res = await app.request(p, {
    method,
    headers: { ...(who ? who.auth : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // a page
  }
  return { status: res.status, body: parsed as never as Record<string, any> };
}

async function issue(overrides: Record<string, unknown> = {}): Promise<string> {
  const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!, overrides))).body.id;
  await call('POST', `/v1/applications/${id}/submit`, applicant);
  await call('POST', `/v1/applications/${id}/claim`, reviewer);
  await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
  ctx.clock.advance(10 * DAY);
  const r = await call('POST', `/v1/applications/${id}/approve`, reviewer);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.certificate.number;
}

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  applicant = await makeActor(ctx, 'applicant', 'enterprise');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
  bank = await makeActor(ctx, 'bank', 'bank');
  insurer = await makeActor(ctx, 'insurer', 'insurer');
  other = await makeActor(ctx, 'applicant', 'enterprise');
  const a = await issue(); // B07 (mining), January
  ctx.clock.advance(20 * DAY); // into February
  const b = await issue({ industry: 'I65' });
  const term = { start: '2026-03-01', end: '2027-02-28' };
  const pl = await call('POST', `/v1/certificates/${a}/pledges`, bank, { loanReference: 'L-1', amount: { value: '5000000.00', currency: 'CNY' }, term });
  await call('POST', `/v1/pledges/${pl.body.id}/consent`, applicant);
  const pl2 = await call('POST', `/v1/certificates/${b}/pledges`, bank, { loanReference: 'L-2', amount: { value: '1200000.50', currency: 'CNY' }, term });
  await call('POST', `/v1/pledges/${pl2.body.id}/consent`, applicant);
  await call('POST', `/v1/pledges/${pl2.body.id}/release`, bank);
  expect((await call('POST', `/v1/certificates/${b}/licences`, applicant, { licensee: 'Acme', scope: 'Training', term, exclusive: true })).status).toBe(201);
  expect((await call('POST', `/v1/certificates/${a}/policies`, insurer, { policyNumber: 'P-1', insuredAmount: { value: '2000000.00', currency: 'CNY' }, term, coverageType: 'infringement' })).status).toBe(201);
  expect((await call('POST', `/v1/certificates/${b}/transfer`, applicant, { toOrgId: other.orgId })).status).toBe(200);
  // an application left in review
  const open = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).body.id;
  await call('POST', `/v1/applications/${open}/submit`, applicant);
});
afterAll(async () => {
  await ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('statistics', () => {
  it('the endpoint’s figures at a named checkpoint are the replay’s, and match a count of the entries', async () => {
    const cp = await ctx.services.log.checkpointIncluding((await ctx.store.treeState()).size - 1);
    const r = await call('GET', `/v1/statistics?at=${cp.size}`, null);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // the replay in the test, over the entries read back from the store
    const data = await ctx.services.log.entries(0, cp.size);
    const mine = computeStatistics(
      data.map((d, index) => ({ index, data: d })),
      { timeZone: 'Asia/Shanghai' },
    );
    expect(r.body.statistics).toEqual(JSON.parse(JSON.stringify(mine)));
    // an independent count of the entries by kind
    const kinds = data.map((d) => JSON.parse(new TextDecoder().decode(d)) as { kind: string; basis?: string; version?: number });
    const count = (k: string, f: (e: (typeof kinds)[number]) => boolean = () => true) => kinds.filter((e) => e.kind === k && f(e)).length;
    const s = r.body.statistics;
    expect(s.treeSize).toBe(cp.size);
    expect(s.certificates.issued).toBe(count('certificate.issued'));
    expect(s.certificates.transfers).toBe(count('certificate.issued', (e) => e.basis === 'transfer'));
    expect(s.pledges.recorded).toBe(count('pledge.recorded'));
    expect(s.pledges.released).toBe(count('pledge.released'));
    expect(s.licences.recorded).toBe(count('licence.recorded'));
    expect(s.applications.submitted).toBe(count('application.submitted', (e) => e.version === 1));
    expect(s).toMatchObject({
      certificates: { issued: 3, initial: 2, transfers: 1, inForce: 2, superseded: 1, revoked: 0 },
      pledges: { recorded: 2, released: 1, current: 1, pledgedFirms: 1 },
      licences: { recorded: 1, exclusive: 1 },
      insurance: { policies: 1, insuredFirms: 1 },
    });
    expect(s.applications.byState).toMatchObject({ approved: 2, submitted: 1 });
    expect(s.byMonth.map((m: { month: string }) => m.month)).toEqual(['2026-01', '2026-02']);
    expect(s.byIndustry.find((x: { section: string }) => x.section === 'B').certificates).toBe(1);
    expect(s.byIndustry.find((x: { section: string }) => x.section === 'I')).toMatchObject({ certificates: 1, transfers: 1, licences: 1 });
    expect(s.byRegion).toEqual([expect.objectContaining({ province: '11', certificates: 2, transfers: 1 })]);
    // the amounts: the registry's statement, marked so, signed with the document key
    expect(r.body.amounts).toEqual({
      basis: 'registry_statement',
      pledgedAmounts: [{ currency: 'CNY', total: '5000000.00', count: 1 }],
      insuredAmounts: [{ currency: 'CNY', total: '2000000.00', count: 1 }],
    });
    const doc = (await verifySignedJson(r.body.signed, [ctx.logKey.vkey], ctx.config.origin, nodeCrypto)) as { amounts: unknown; statistics: unknown };
    expect(doc.amounts).toEqual(r.body.amounts);
    expect(doc.statistics).toEqual(r.body.statistics);
    const tampered = { ...r.body.signed, document: r.body.signed.document.replace('5000000.00', '9000000.00') };
    await expect(verifySignedJson(tampered, [ctx.logKey.vkey], ctx.config.origin, nodeCrypto)).rejects.toMatchObject({ code: 'pdf_digest_mismatch' });
  });

  it('a period counts only its entries; bad parameters are refused at the field', async () => {
    const feb = await call('GET', '/v1/statistics?from=2026-02-01&to=2026-02-28', null);
    expect(feb.body.statistics.certificates.initial).toBe(1);
    expect(feb.body.statistics.byMonth.map((m: { month: string }) => m.month)).toEqual(['2026-02']);
    for (const [q, field] of [
      ['at=0', 'at'],
      ['at=999999', 'at'],
      ['from=2026-02-30', 'from'],
      ['from=2026-03-01&to=2026-02-01', 'to'],
    ]) {
      const r = await call('GET', `/v1/statistics?${q}`, null);
      expect([400, 422], q).toContain(r.status);
      expect(r.body.errors[0].path, q).toBe(field);
    }
  });

  it('the page in both languages, with an error at the field', async () => {
    const zh = await call('GET', '/statistics?lang=zh', null);
    expect(zh.status).toBe(200);
    expect(zh.body).toContain('登记统计');
    expect(zh.body).toContain('登记机构声明');
    const en = await call('GET', '/statistics?lang=en', null);
    expect(en.body).toContain('Registration statistics');
    expect(en.body).toContain('registry’s statement');
    const bad = await call('GET', '/statistics?lang=en&from=2026-13-01', null);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/id="f-from-err"/);
    expect(bad.body).toMatch(/aria-invalid="true"/);
  });

  it.skipIf(!HAS_POPPLER)('the PDF report: text, embedded fonts, the signed JSON attached', async () => {
    const res = await app.request('/v1/statistics/report.pdf?from=2026-01-01&to=2026-12-31');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const file = path.join(dir, 'stat.pdf');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const fontsConf = path.join(dir, 'fonts.conf');
    writeFileSync(fontsConf, '<?xml version="1.0"?>\n<fontconfig></fontconfig>\n');
    const text = spawnSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { env: { ...process.env, FONTCONFIG_FILE: fontsConf }, encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    expect(text).toContain('数据知识产权登记统计报告');
    expect(text).toContain('Data IP Registration Statistics Report');
    expect(text).toContain('3 issued');
    expect(text).toContain('registry statement');
    expect(text).toContain('5000000.00 CNY');
    const fonts = spawnSync('pdffonts', [file], { encoding: 'utf8' }).stdout.split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    for (const f of fonts) expect(f, f).toMatch(/CID TrueType\s+Identity-H\s+yes\s+no\s+yes/); // embedded, with a ToUnicode map
    expect(spawnSync('pdfdetach', ['-list', file], { encoding: 'utf8' }).stdout).toContain('statistics.json');
  });

  it('revoked and expired certificates: counted at the checkpoint as the history says (runs last: it revokes and moves the clock years on)', async () => {
    // a fourth certificate, revoked by the registry
    const d = await issue({ industry: 'I65' });
    const rv = await call('POST', `/v1/certificates/${d}/revoke`, reviewer, { reason: 'The data source is unlawful.' });
    expect(rv.status, JSON.stringify(rv.body)).toBe(200);
    let cp = await ctx.services.log.checkpointIncluding((await ctx.store.treeState()).size - 1);
    let s = (await call('GET', `/v1/statistics?at=${cp.size}`, null)).body.statistics;
    // by hand: a (pledged) and the transfer's successor in force; b superseded; d revoked
    expect(s.certificates).toMatchObject({ issued: 4, inForce: 2, pledged: 1, superseded: 1, revoked: 1, expired: 0 });
    // four years on (validity is 3 years), one more entry: the two in force have expired
    ctx.clock.advance(4 * 365 * DAY);
    expect((await call('POST', '/v1/evidence', applicant, { items: [{ digest: createHash('sha256').update('statistics: an entry four years on').digest('hex'), kind: 'file', title: 'later' }] })).status).toBe(201);
    cp = await ctx.services.log.checkpointIncluding((await ctx.store.treeState()).size - 1);
    const r = await call('GET', `/v1/statistics?at=${cp.size}`, null);
    s = r.body.statistics;
    expect(s.certificates).toMatchObject({ issued: 4, inForce: 0, pledged: 0, superseded: 1, revoked: 1, expired: 2 });
    // and the replay in the test gives the same
    const data = await ctx.services.log.entries(0, cp.size);
    expect(s).toEqual(JSON.parse(JSON.stringify(computeStatistics(data.map((x, index) => ({ index, data: x })), { timeZone: 'Asia/Shanghai' }))));
    const revokedEntries = data.filter((x) => (JSON.parse(new TextDecoder().decode(x)) as { kind: string }).kind === 'certificate.revoked').length;
    expect(s.certificates.revoked).toBe(revokedEntries);
  });
});
