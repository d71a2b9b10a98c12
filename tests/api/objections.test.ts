/**
 * Objections (issue 15, finding 7: anonymous objections ran at 312/s, each a permanent log
 * entry; 10 s added 3,123 entries to one application and stalled it). An objector must give
 * a name, a contact and grounds; the same contact and grounds twice on one application is
 * `409 duplicate_objection`; at most 3 open objections per client address and 20 in all per
 * application (`409 too_many_objections`); each objection is decided on its own, and the
 * notice resumes after the last. Rate limits are off here: these are the registry's rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { OBJECTION_LIMITS } from '../../src/registry/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { entriesWritten } from '../helpers/log.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let reviewer: Actor;

async function call(method: string, path: string, who?: Actor | null, body?: unknown, headers: Record<string, string> = {}) {
  const res = await app.request(path, {
    method,
    headers: { ...(who ? who.auth : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, type: res.headers.get('content-type') };
}

async function inNotice(): Promise<string> {
  const created = await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!));
  const id = created.body.id as string;
  expect((await call('POST', `/v1/applications/${id}/submit`, applicant)).status).toBe(200);
  expect((await call('POST', `/v1/applications/${id}/claim`, reviewer)).status).toBe(200);
  expect((await call('POST', `/v1/applications/${id}/open-notice`, reviewer)).body.state).toBe('public_notice');
  return id;
}

const object = (id: string, from: string, body: Record<string, unknown>) => call('POST', `/v1/notices/${id}/objections`, null, body, { 'X-Forwarded-For': from });
/** Entries written by requests (not the state commitments a publication round adds on its own timer). */
const written = () => entriesWritten(ctx.database.db);
const tally = (rs: { status: number; body: { code?: string } }[]) => {
  const out: Record<string, number> = {};
  for (const r of rs) {
    const k = r.status === 201 ? '201' : `${r.status} ${r.body.code}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
};

beforeAll(async () => {
  ctx = await createTestContext({ DATADEED_TRUST_PROXY: '1' });
  app = createApp(ctx.services);
  applicant = await makeActor(ctx, 'applicant', 'enterprise');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
});
afterAll(async () => {
  await ctx?.close();
});

describe('objections', () => {
  it('an objector gives a name, a contact and grounds', async () => {
    const id = await inNotice();
    const before = await written();
    for (const body of [
      { contact: 'x@example.com', grounds: 'These are the grounds.' },
      { name: 'N', grounds: 'These are the grounds.' },
      { name: 'N', contact: 'x@example.com' },
      { name: '', contact: 'x@example.com', grounds: 'These are the grounds.' },
      { name: 'N', contact: 'x@example.com', grounds: 'short' },
    ]) {
      const r = await object(id, '198.51.100.1', body);
      expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(r.type).toBe('application/problem+json');
    }
    expect(await written()).toBe(before);
  });

  it('100 rapid anonymous objections from one address on one application add 3 log entries, not 100', async () => {
    const id = await inNotice();
    const before = await written();
    const rs = await Promise.all(
      Array.from({ length: 100 }, (_, i) => object(id, '203.0.113.9', { name: `Objector ${i}`, contact: `o${i}@example.com`, grounds: `Ground number ${i}: this copies our data.` })),
    );
    expect(tally(rs)).toEqual({ '201': OBJECTION_LIMITS.perAddress, '409 too_many_objections': 100 - OBJECTION_LIMITS.perAddress });
    expect(await written()).toBe(before + OBJECTION_LIMITS.perAddress);
    for (const r of rs.filter((x) => x.status === 409)) expect(r.type).toBe('application/problem+json');
  });

  it('the same contact and grounds, from 100 addresses at once, is filed once: the rest are duplicate_objection', async () => {
    const id = await inNotice();
    const before = await written();
    const rs = await Promise.all(
      Array.from({ length: 100 }, (_, i) => object(id, `192.0.2.${i + 1}`, { name: 'Same Objector', contact: i % 2 ? 'Same@Example.com' : 'same@example.com', grounds: 'The same grounds, sent again and again.' })),
    );
    expect(tally(rs)).toEqual({ '201': 1, '409 duplicate_objection': 99 });
    expect(await written()).toBe(before + 1);
    // decided objections count too: the same grounds cannot come back after a dismissal
    const [open] = (await call('GET', `/v1/applications/${id}`, reviewer)).body.objections;
    expect((await call('POST', `/v1/objections/${open.id}/dismiss`, reviewer, { reason: 'Not founded.' })).body.state).toBe('public_notice');
    const again = await object(id, '192.0.2.200', { name: 'Same Objector', contact: 'same@example.com', grounds: 'The same grounds, sent again and again.' });
    expect([again.status, again.body.code]).toEqual([409, 'duplicate_objection']);
  });

  it('100 objections from 100 addresses: at most 20 open on one application', async () => {
    const id = await inNotice();
    const before = await written();
    const rs = await Promise.all(
      Array.from({ length: 100 }, (_, i) => object(id, `100.64.0.${i + 1}`, { name: `Objector ${i}`, contact: `p${i}@example.com`, grounds: `Distinct ground ${i} of the objection.` })),
    );
    expect(tally(rs)).toEqual({ '201': OBJECTION_LIMITS.perApplication, '409 too_many_objections': 100 - OBJECTION_LIMITS.perApplication });
    expect(await written()).toBe(before + OBJECTION_LIMITS.perApplication);
  });

  it('each objection is decided on its own; the places free up, and the notice resumes after the last', async () => {
    const id = await inNotice();
    const from = '203.0.113.77';
    const filed = [];
    for (let i = 0; i < OBJECTION_LIMITS.perAddress; i++) {
      const r = await object(id, from, { name: 'Objector', contact: 'q@example.com', grounds: `Ground ${i} of the objection.` });
      expect(r.status).toBe(201);
      filed.push(r.body.id as string);
    }
    expect((await object(id, from, { name: 'Objector', contact: 'q@example.com', grounds: 'One ground too many.' })).body.code).toBe('too_many_objections');
    // dismissing one while others are open keeps the notice suspended (it used to be refused: open_objections)
    const first = await call('POST', `/v1/objections/${filed[0]}/dismiss`, reviewer, { reason: 'Not founded.' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect([first.body.state, first.body.noticeEndsAt]).toEqual(['objection', expect.anything()]);
    // … and frees a place for that address
    expect((await object(id, from, { name: 'Objector', contact: 'q@example.com', grounds: 'One more ground, now admitted.' })).status).toBe(201);
    const all = (await call('GET', `/v1/applications/${id}`, reviewer)).body.objections as { id: string; state: string }[];
    const open = all.filter((o) => o.state === 'open');
    expect(open).toHaveLength(OBJECTION_LIMITS.perAddress);
    for (const [i, o] of open.entries()) {
      const r = await call('POST', `/v1/objections/${o.id}/dismiss`, reviewer, { reason: 'Not founded.' });
      expect(r.body.state).toBe(i === open.length - 1 ? 'public_notice' : 'objection');
    }
    const app_ = (await call('GET', `/v1/applications/${id}`, reviewer)).body;
    expect(new Date(app_.noticeEndsAt).getTime() - new Date(app_.noticeStartedAt).getTime()).toBe(10 * 86_400_000);
  });

  it('the objection page counts the same', async () => {
    const id = await inNotice();
    const post = (form: Record<string, string>, from: string) =>
      app.request(`/notices/${id}/objections`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-For': from }, body: new URLSearchParams(form).toString() });
    const form = { name: 'Page Objector', contact: 'page@example.com', grounds: 'Grounds sent from the page form.' };
    expect((await post(form, '198.51.100.50')).status).toBe(201);
    expect((await post(form, '198.51.100.51')).status).toBe(409);
    for (let i = 1; i < OBJECTION_LIMITS.perAddress; i++) expect((await post({ ...form, grounds: `${form.grounds} (${i})` }, '198.51.100.50')).status).toBe(201);
    expect((await post({ ...form, grounds: `${form.grounds} (again)` }, '198.51.100.50')).status).toBe(409);
  });
});
