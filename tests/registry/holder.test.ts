/**
 * Issue 15, finding 1 (holder impersonation): an enterprise must carry a valid
 * 统一社会信用代码, and the holder of an application is always the filing organisation —
 * a body naming another enterprise as holder is refused; the holder's name and code on
 * the frozen version (and so on the certificate) are the filer's registered ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { organisations } from '../../src/db/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { AccountError } from '../../src/accounts/index.ts';

const { expectCodeAsync } = assertCodes(AccountError);

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let victim: Actor;
let admin: Actor;
let reviewer: Actor;

async function call(method: string, path: string, who?: Actor | null, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { ...(who ? who.auth : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  applicant = await makeActor(ctx, 'applicant', 'enterprise');
  victim = await makeActor(ctx, 'applicant', 'enterprise');
  admin = await makeActor(ctx, 'admin', 'registry');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
});
afterAll(async () => {
  await ctx?.close();
});

describe('holder of an application', () => {
  it('refuses an enterprise without a valid 统一社会信用代码', async () => {
    const none = await call('POST', '/v1/organisations', admin, { name: 'No Code Co.', kind: 'enterprise' });
    expect(none.status).toBe(422);
    expect(none.body.code).toBe('invalid_field');
    expect(none.body.errors.map((e: { path: string }) => e.path)).toContain('uscc');
    await expectCodeAsync(() => ctx.accounts.createOrganisation({ name: 'No Code Co.', kind: 'enterprise' }), 'invalid_field');
    await expectCodeAsync(() => ctx.accounts.createOrganisation({ name: 'Bad Code Co.', kind: 'enterprise', uscc: '91350100M000100Y44' }), 'invalid_field');
    // a bank needs none
    expect((await call('POST', '/v1/organisations', admin, { name: 'A Bank', kind: 'bank' })).status).toBe(201);
  });

  it('refuses an application naming another enterprise as holder', async () => {
    const created = await call('POST', '/v1/applications', applicant, completeForm(victim.uscc!, { holder: { name: 'enterprise victim', uscc: victim.uscc } }));
    expect(created.status).toBe(201);
    const sub = await call('POST', `/v1/applications/${created.body.id}/submit`, applicant);
    expect(sub.status).toBe(422);
    expect(sub.body.code).toBe('invalid_field');
    expect(sub.body.errors[0].path).toBe('holder.uscc');
  });

  it('issues to the filing organisation under its registered name, whatever name the body gives', async () => {
    const created = await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!, { holder: { name: '另一家公司 Someone Else Ltd', uscc: applicant.uscc } }));
    const id = created.body.id as string;
    const sub = await call('POST', `/v1/applications/${id}/submit`, applicant);
    expect(sub.status, JSON.stringify(sub.body)).toBe(200);
    const org = (await ctx.database.db.select().from(organisations)).find((o) => o.id === applicant.orgId);
    const versions = await call('GET', `/v1/applications/${id}/versions`, applicant);
    expect(versions.body.items[0].form.holder).toEqual({ name: org!.name, uscc: applicant.uscc });
    expect((await call('POST', `/v1/applications/${id}/claim`, reviewer)).status).toBe(200);
    expect((await call('POST', `/v1/applications/${id}/open-notice`, reviewer)).status).toBe(200);
    ctx.clock.advance(10 * 86_400_000);
    const appr = await call('POST', `/v1/applications/${id}/approve`, reviewer);
    expect(appr.status, JSON.stringify(appr.body)).toBe(200);
    const cert = await call('GET', `/v1/certificates/${appr.body.certificate.number}`);
    expect(cert.body.holder).toEqual({ name: org!.name, uscc: applicant.uscc });
  });

  it('a form without holder fields is filed for the filer', async () => {
    const { holder: _h, ...rest } = completeForm(applicant.uscc!);
    const created = await call('POST', '/v1/applications', applicant, rest);
    const sub = await call('POST', `/v1/applications/${created.body.id}/submit`, applicant);
    expect(sub.status, JSON.stringify(sub.body)).toBe(200);
  });

  it('refuses to file for an organisation without a 统一社会信用代码', async () => {
    const regOrg = await ctx.accounts.createOrganisation({ name: 'Registry without code', kind: 'registry' });
    const regApplicant = await makeActor(ctx, 'applicant', 'registry', { id: regOrg.id });
    const created = await call('POST', '/v1/applications', regApplicant, completeForm(victim.uscc!));
    const sub = await call('POST', `/v1/applications/${created.body.id}/submit`, regApplicant);
    expect(sub.status).toBe(422);
    expect(sub.body.code).toBe('invalid_field');
  });
});
