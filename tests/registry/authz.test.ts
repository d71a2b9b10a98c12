/**
 * Authorisation, exhaustively: every route of the OpenAPI document × every role
 * (and anonymous) gets the expected outcome. "allow" means the role check passed
 * (any status but 401/403); otherwise the exact status is asserted. The table must
 * name every route the API serves, so a new route cannot ship unchecked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';

type Who = 'anonymous' | 'applicant' | 'reviewer' | 'bank' | 'insurer' | 'notary' | 'admin';
const WHO: Who[] = ['anonymous', 'applicant', 'reviewer', 'bank', 'insurer', 'notary', 'admin'];
type Rule = Partial<Record<Who, 'allow' | 401 | 403>>;

const PUBLIC: Rule = Object.fromEntries(WHO.map((w) => [w, 'allow']));
const only = (...roles: Who[]): Rule =>
  Object.fromEntries(WHO.map((w) => [w, w === 'anonymous' ? 401 : roles.includes(w) ? 'allow' : 403]));
const SIGNED_IN: Rule = only('applicant', 'reviewer', 'bank', 'insurer', 'notary', 'admin');

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
const actors = {} as Record<Exclude<Who, 'anonymous'>, Actor>;
let appId = '';
let certNumber = '';
let objectionId = '';

/** [method, OpenAPI path, concrete path, body, rule] */
let TABLE: [string, string, () => string, unknown, Rule][];

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  actors.applicant = await makeActor(ctx, 'applicant', 'enterprise');
  actors.reviewer = await makeActor(ctx, 'reviewer', 'registry');
  actors.bank = await makeActor(ctx, 'bank', 'bank');
  actors.insurer = await makeActor(ctx, 'insurer', 'insurer');
  actors.notary = await makeActor(ctx, 'notary', 'notary');
  actors.admin = await makeActor(ctx, 'admin', 'registry');
  const a = actors.applicant;
  const created = await app.request('/v1/applications', { method: 'POST', headers: { ...a.auth, 'content-type': 'application/json' }, body: JSON.stringify(completeForm(a.uscc!)) });
  appId = ((await created.json()) as { id: string }).id;
  // an issued certificate and an objection to aim at
  const p = { ...a.auth, 'content-type': 'application/json' };
  const other = await app.request('/v1/applications', { method: 'POST', headers: p, body: JSON.stringify(completeForm(a.uscc!)) });
  const id2 = ((await other.json()) as { id: string }).id;
  const r = actors.reviewer.auth;
  await app.request(`/v1/applications/${id2}/submit`, { method: 'POST', headers: a.auth });
  await app.request(`/v1/applications/${id2}/claim`, { method: 'POST', headers: r });
  await app.request(`/v1/applications/${id2}/open-notice`, { method: 'POST', headers: r });
  const obj = await app.request(`/v1/notices/${id2}/objections`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'x', contact: 'x@example.com', grounds: 'ten chars at least' }),
  });
  objectionId = ((await obj.json()) as { id: string }).id;
  const id3 = ((await (await app.request('/v1/applications', { method: 'POST', headers: p, body: JSON.stringify(completeForm(a.uscc!)) })).json()) as { id: string }).id;
  await app.request(`/v1/applications/${id3}/submit`, { method: 'POST', headers: a.auth });
  await app.request(`/v1/applications/${id3}/claim`, { method: 'POST', headers: r });
  await app.request(`/v1/applications/${id3}/open-notice`, { method: 'POST', headers: r });
  ctx.clock.advance(11 * 86_400_000);
  const appr = await app.request(`/v1/applications/${id3}/approve`, { method: 'POST', headers: r });
  certNumber = ((await appr.json()) as { certificate: { number: string } }).certificate.number;

  const uuid = '00000000-0000-4000-8000-000000000000';
  TABLE = [
    ['GET', '/v1/log/checkpoint', () => '/v1/log/checkpoint', undefined, PUBLIC],
    ['GET', '/v1/log/entries/{index}', () => '/v1/log/entries/0', undefined, PUBLIC],
    ['GET', '/v1/log/proof/inclusion', () => '/v1/log/proof/inclusion?index=0', undefined, PUBLIC],
    ['GET', '/v1/log/proof/consistency', () => '/v1/log/proof/consistency?from=1', undefined, PUBLIC],
    ['GET', '/v1/keys', () => '/v1/keys', undefined, PUBLIC],
    ['GET', '/v1/me', () => '/v1/me', undefined, SIGNED_IN],
    ['POST', '/v1/organisations', () => '/v1/organisations', { name: 'Bank X', kind: 'bank' }, only('admin')],
    ['GET', '/v1/organisations', () => '/v1/organisations', undefined, only('admin')],
    ['POST', '/v1/users', () => '/v1/users', { orgId: uuid, username: 'someone', displayName: 'S', role: 'bank' }, only('admin')],
    ['GET', '/v1/users', () => '/v1/users', undefined, only('admin')],
    ['POST', '/v1/users/{id}/disable', () => `/v1/users/${uuid}/disable`, undefined, only('admin')],
    ['POST', '/v1/tokens', () => '/v1/tokens', { userId: uuid, name: 't' }, only('admin')],
    ['GET', '/v1/tokens', () => '/v1/tokens', undefined, only('admin')],
    ['DELETE', '/v1/tokens/{id}', () => `/v1/tokens/${uuid}`, undefined, SIGNED_IN],
    ['POST', '/v1/applications', () => '/v1/applications', {}, only('applicant')],
    ['GET', '/v1/applications', () => '/v1/applications', undefined, only('applicant', 'reviewer', 'admin')],
    ['GET', '/v1/applications/{id}', () => `/v1/applications/${appId}`, undefined, only('applicant', 'reviewer', 'admin')],
    ['PATCH', '/v1/applications/{id}', () => `/v1/applications/${appId}`, { format: 'CSV' }, only('applicant')],
    ['PUT', '/v1/applications/{id}/sample', () => `/v1/applications/${appId}/sample?filename=s.csv`, 'a,b\n1,2\n', only('applicant')],
    ['POST', '/v1/applications/{id}/submit', () => `/v1/applications/${appId}/submit`, undefined, only('applicant')],
    ['POST', '/v1/applications/{id}/withdraw', () => `/v1/applications/${uuid}/withdraw`, undefined, only('applicant')],
    ['POST', '/v1/applications/{id}/claim', () => `/v1/applications/${uuid}/claim`, undefined, only('reviewer')],
    ['POST', '/v1/applications/{id}/request-changes', () => `/v1/applications/${uuid}/request-changes`, { comment: 'c' }, only('reviewer')],
    ['POST', '/v1/applications/{id}/reject', () => `/v1/applications/${uuid}/reject`, { reason: 'r' }, only('reviewer')],
    ['POST', '/v1/applications/{id}/open-notice', () => `/v1/applications/${uuid}/open-notice`, undefined, only('reviewer')],
    ['POST', '/v1/applications/{id}/approve', () => `/v1/applications/${uuid}/approve`, undefined, only('reviewer')],
    ['GET', '/v1/applications/{id}/versions', () => `/v1/applications/${appId}/versions`, undefined, only('applicant', 'reviewer', 'admin')],
    ['GET', '/v1/applications/{id}/diff', () => `/v1/applications/${appId}/diff?from=1&to=1`, undefined, only('applicant', 'reviewer', 'admin')],
    ['GET', '/v1/notices', () => '/v1/notices', undefined, PUBLIC],
    ['GET', '/v1/statistics', () => '/v1/statistics', undefined, PUBLIC],
    ['GET', '/v1/statistics/report.pdf', () => '/v1/statistics/report.pdf', undefined, PUBLIC],
    ['POST', '/v1/notices/{id}/objections', () => `/v1/notices/${uuid}/objections`, { name: 'n', contact: 'n@example.com', grounds: 'ten chars at least' }, PUBLIC],
    ['POST', '/v1/objections/{id}/dismiss', () => `/v1/objections/${objectionId}/dismiss`, { reason: 'r' }, only('reviewer')],
    ['POST', '/v1/objections/{id}/uphold', () => `/v1/objections/${uuid}/uphold`, { reason: 'r' }, only('reviewer')],
    ['GET', '/v1/certificates', () => '/v1/certificates', undefined, PUBLIC],
    ['GET', '/v1/certificates/{number}', () => `/v1/certificates/${certNumber}`, undefined, PUBLIC],
    ['GET', '/v1/certificates/{number}/status', () => `/v1/certificates/${certNumber}/status`, undefined, PUBLIC],
    ['GET', '/v1/certificates/{number}/history', () => `/v1/certificates/${certNumber}/history`, undefined, PUBLIC],
    ['POST', '/v1/certificates/{number}/cancel', () => '/v1/certificates/DIP-2000-999999/cancel', undefined, only('applicant')],
    ['POST', '/v1/certificates/{number}/revoke', () => '/v1/certificates/DIP-2000-999999/revoke', { reason: 'r' }, only('reviewer')],
    ['POST', '/v1/certificates/{number}/change', () => '/v1/certificates/DIP-2000-999999/change', undefined, only('applicant')],
    ['POST', '/v1/certificates/{number}/renew', () => '/v1/certificates/DIP-2000-999999/renew', undefined, only('applicant')],
    ['POST', '/v1/certificates/{number}/pledges', () => '/v1/certificates/DIP-2000-999999/pledges', { loanReference: 'L1', amount: { value: '100.00', currency: 'CNY' }, term: { start: '2026-01-01', end: '2027-01-01' } }, only('bank')],
    ['GET', '/v1/pledges', () => '/v1/pledges', undefined, only('bank', 'applicant')],
    ['GET', '/v1/pledges/{id}', () => `/v1/pledges/${uuid}`, undefined, only('bank', 'applicant', 'reviewer', 'admin')],
    ['POST', '/v1/pledges/{id}/consent', () => `/v1/pledges/${uuid}/consent`, undefined, only('applicant')],
    ['POST', '/v1/pledges/{id}/decline', () => `/v1/pledges/${uuid}/decline`, undefined, only('applicant')],
    ['POST', '/v1/pledges/{id}/release', () => `/v1/pledges/${uuid}/release`, undefined, only('bank')],
    ['POST', '/v1/pledges/{id}/allow-subsequent', () => `/v1/pledges/${uuid}/allow-subsequent`, undefined, only('bank')],
    ['POST', '/v1/pledges/{id}/consents', () => `/v1/pledges/${uuid}/consents`, { action: 'licence' }, only('bank')],
    ['GET', '/v1/reminders', () => '/v1/reminders', undefined, only('applicant')],
    ['POST', '/v1/subscriptions', () => '/v1/subscriptions', { topic: 'industry', target: 'I65', url: 'https://bank.example/hook' }, only('applicant', 'bank', 'insurer')],
    ['GET', '/v1/subscriptions', () => '/v1/subscriptions', undefined, only('applicant', 'bank', 'insurer')],
    ['DELETE', '/v1/subscriptions/{id}', () => `/v1/subscriptions/${uuid}`, undefined, only('applicant', 'bank', 'insurer')],
    ['GET', '/v1/subscriptions/{id}/deliveries', () => `/v1/subscriptions/${uuid}/deliveries`, undefined, only('applicant', 'bank', 'insurer')],
    ['GET', '/v1/certificates/{number}/disclosure', () => '/v1/certificates/DIP-2026-999999/disclosure', undefined, only('applicant', 'reviewer', 'admin')],
    ['GET', '/v1/certificates/{number}/disclosure.pdf', () => '/v1/certificates/DIP-2026-999999/disclosure.pdf', undefined, only('applicant', 'reviewer', 'admin')],
    ['GET', '/v1/pledges/{id}/certificate.pdf', () => `/v1/pledges/${uuid}/certificate.pdf`, undefined, only('bank', 'applicant', 'reviewer', 'admin')],
    ['GET', '/v1/pledges/{id}/release-notice.pdf', () => `/v1/pledges/${uuid}/release-notice.pdf`, undefined, only('bank', 'applicant', 'reviewer', 'admin')],
    ['GET', '/v1/pledges/{id}/receipt', () => `/v1/pledges/${uuid}/receipt`, undefined, only('bank', 'applicant', 'reviewer', 'admin')],
    ['GET', '/v1/pledges/{id}/release-receipt', () => `/v1/pledges/${uuid}/release-receipt`, undefined, only('bank', 'applicant', 'reviewer', 'admin')],
    ['POST', '/v1/certificates/{number}/licences', () => '/v1/certificates/DIP-2000-999999/licences', { licensee: 'X', scope: 'all', term: { start: '2026-01-01', end: '2027-01-01' }, exclusive: false }, only('applicant')],
    ['POST', '/v1/certificates/{number}/transfer', () => '/v1/certificates/DIP-2000-999999/transfer', { toOrgId: uuid }, only('applicant')],
    ['POST', '/v1/certificates/{number}/policies', () => '/v1/certificates/DIP-2000-999999/policies', { policyNumber: 'P1', insuredAmount: { value: '1.00', currency: 'CNY' }, term: { start: '2026-01-01', end: '2027-01-01' }, coverageType: 'loss' }, only('insurer')],
    ['POST', '/v1/evidence', () => '/v1/evidence', { items: [{ digest: 'c'.repeat(64), kind: 'file', title: 't' }] }, only('applicant')],
    ['GET', '/v1/evidence', () => `/v1/evidence?digest=${'c'.repeat(64)}`, undefined, PUBLIC],
    ['GET', '/v1/evidence/{id}', () => '/v1/evidence/EV-2000-00000001', undefined, PUBLIC],
    ['GET', '/v1/evidence/{id}/receipt', () => '/v1/evidence/EV-2000-00000001/receipt', undefined, PUBLIC],
    ['GET', '/v1/evidence/{id}/pdf', () => '/v1/evidence/EV-2000-00000001/pdf', undefined, only('applicant', 'reviewer', 'admin')],
    ['GET', '/v1/certificates/{number}/bundle', () => `/v1/certificates/${certNumber}/bundle`, undefined, PUBLIC],
    ['GET', '/v1/certificates/{number}/pdf', () => `/v1/certificates/${certNumber}/pdf`, undefined, PUBLIC],
    ['GET', '/v1/evidence/{id}/chain', () => '/v1/evidence/EV-2000-00000001/chain', undefined, PUBLIC],
    ['POST', '/v1/attestations', () => '/v1/attestations', { digest: 'c'.repeat(64), notarialNumber: 'N-1', attestedAt: '2026-01-01T00:00:00Z', notaryKey: 'x+00000000+AA', signature: 'AA==' }, only('notary')],
    ['GET', '/v1/attestations', () => `/v1/attestations?digest=${'c'.repeat(64)}`, undefined, PUBLIC],
    ['GET', '/v1/trust-policy', () => '/v1/trust-policy', undefined, PUBLIC],
  ];
});
afterAll(async () => {
  await ctx?.close();
});

describe('authorisation', () => {
  it('the table covers every route in the OpenAPI document', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const served = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const tabled = TABLE.map(([m, p]) => `${m} ${p}`);
    expect([...served].sort()).toEqual([...new Set(tabled)].sort());
  });

  it('every route × role gets its expected outcome', async () => {
    const failures: string[] = [];
    for (const [method, pattern, path, body, rule] of TABLE) {
      for (const who of WHO) {
        const expected = rule[who];
        const headers: Record<string, string> = who === 'anonymous' ? {} : { ...actors[who].auth };
        let payload: string | undefined;
        if (typeof body === 'string') {
          headers['content-type'] = 'text/csv';
          payload = body;
        } else if (body !== undefined) {
          headers['content-type'] = 'application/json';
          payload = JSON.stringify(body);
        }
        const res = await app.request(path(), { method, headers, body: payload });
        const ok = expected === 'allow' ? res.status !== 401 && res.status !== 403 : res.status === expected;
        if (!ok) failures.push(`${method} ${pattern} as ${who}: got ${res.status}, expected ${expected}`);
        if (res.status >= 500) failures.push(`${method} ${pattern} as ${who}: server error ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('a bad, revoked or expired token is 401, never anonymous access', async () => {
    for (const h of ['Bearer nonsense', 'Bearer ddt_' + 'A'.repeat(43), 'Basic abc', 'Bearer']) {
      const res = await app.request('/v1/certificates', { headers: { Authorization: h } });
      expect(res.status, h).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe('unauthenticated');
    }
  });
});
