/**
 * Issue 15, finding 4 (privacy), in-process: a draft is its owner's until submitted
 * (reviewers and admins cannot read it, list it or fetch its sample); a licence's scope is
 * plain text to its parties only (licensor, licensee, registry staff), the public sees the
 * SHA-256 the log entry carries.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let licensee: Actor;
let stranger: Actor;
let reviewer: Actor;
let admin: Actor;

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
  licensee = await makeActor(ctx, 'applicant', 'enterprise');
  stranger = await makeActor(ctx, 'applicant', 'enterprise');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
  admin = await makeActor(ctx, 'admin', 'registry');
});
afterAll(async () => {
  await ctx?.close();
});

describe('privacy', () => {
  it('keeps a draft and its sample from reviewers and admins until it is submitted', async () => {
    const created = await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!, { contact: { name: '李四 draft contact', phone: '+86 10 8765 4321', email: 'draft@example.com' } }));
    const id = created.body.id as string;
    const put = await app.request(`/v1/applications/${id}/sample?filename=s.csv`, { method: 'PUT', headers: { ...applicant.auth, 'content-type': 'text/csv' }, body: 'a,b\n1,2\n' });
    expect(put.status).toBe(200);
    for (const who of [reviewer, admin]) {
      const got = await call('GET', `/v1/applications/${id}`, who);
      expect([got.status, got.body.code]).toEqual([404, 'application_not_found']);
      expect((await app.request(`/v1/applications/${id}/sample`, { headers: who.auth })).status).toBe(404);
      const list = await call('GET', '/v1/applications?limit=100', who);
      expect(list.status).toBe(200);
      expect(list.body.items.map((a: { id: string }) => a.id)).not.toContain(id);
    }
    expect((await call('GET', `/v1/applications/${id}`, applicant)).status).toBe(200);
    expect((await call('POST', `/v1/applications/${id}/submit`, applicant)).status).toBe(200);
    // submitted: now the registry's to review
    expect((await call('GET', `/v1/applications/${id}`, reviewer)).status).toBe(200);
    expect((await app.request(`/v1/applications/${id}/sample`, { headers: reviewer.auth })).status).toBe(200);
    const list = await call('GET', '/v1/applications?limit=100', reviewer);
    expect(list.body.items.map((a: { id: string }) => a.id)).toContain(id);
  });

  it('shows a licence scope in plain text to its parties only', async () => {
    const created = await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!));
    const id = created.body.id as string;
    expect((await call('POST', `/v1/applications/${id}/submit`, applicant)).status).toBe(200);
    expect((await call('POST', `/v1/applications/${id}/claim`, reviewer)).status).toBe(200);
    expect((await call('POST', `/v1/applications/${id}/open-notice`, reviewer)).status).toBe(200);
    ctx.clock.advance(10 * 86_400_000);
    const appr = await call('POST', `/v1/applications/${id}/approve`, reviewer);
    expect(appr.status, JSON.stringify(appr.body)).toBe(200);
    const number = appr.body.certificate.number as string;
    const today = ctx.clock.now().toISOString().slice(0, 10);
    const scope = 'model training for credit scoring, PRC only — confidential terms';
    const lic = await call('POST', `/v1/certificates/${number}/licences`, applicant, { licensee: 'Licensee Co.', licenseeUscc: licensee.uscc, scope, term: { start: today, end: '2099-12-31' }, exclusive: false });
    expect(lic.status, JSON.stringify(lic.body)).toBe(201);
    const scopeHash = createHash('sha256').update(scope).digest('hex');
    const licenceOf = async (who: Actor | null) => {
      const st = await call('GET', `/v1/certificates/${number}/status`, who);
      expect(st.status).toBe(200);
      return st.body.encumbrances.licences[0] as { scope?: string; scopeHash: string };
    };
    for (const who of [null, stranger]) {
      const l = await licenceOf(who);
      expect(l.scopeHash).toBe(scopeHash);
      expect(l).not.toHaveProperty('scope');
    }
    for (const who of [applicant, licensee, reviewer, admin]) expect(await licenceOf(who)).toMatchObject({ scope, scopeHash });
  });
});
