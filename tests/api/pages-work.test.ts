/**
 * The work pages over HTTP: the review queue pages both ways and filters by industry and
 * search; the application form shows a refused field beside it (label bound, marked
 * invalid, the value kept); a reviewer is offered only what the state allows (no approval
 * while the notice runs, approval once it has run); an administrator cannot make a user
 * without a password, and the user made signs in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import type { Principal } from '../../src/accounts/pg/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { seedPages, type PagesSeed } from '../helpers/pages.ts';
import { completeForm, makeUscc, TEST_ROOT } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let seed: PagesSeed;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  seed = await seedPages(ctx);
  await signInAll();
});

/** Fresh sessions (a session lasts 12 hours of the registry's clock). */
async function signInAll(): Promise<void> {
  for (const role of ['applicant', 'reviewer', 'admin'] as const) {
    const a = seed.accounts[role];
    const res = await app.request('/login', { method: 'POST', body: new URLSearchParams({ username: a.username, password: a.password }) });
    cookies[role] = res.headers.get('set-cookie')!.split(';')[0]!;
  }
}
afterAll(async () => {
  await ctx?.close();
});

const get = async (path: string, who: string) => {
  const res = await app.request(`http://localhost${path}`, { headers: { cookie: `${cookies[who]}; dd_lang=en`, accept: 'text/html' } });
  return { status: res.status, html: await res.text() };
};
const post = async (path: string, who: string, form: Record<string, string>) => {
  const res = await app.request(`http://localhost${path}`, {
    method: 'POST',
    headers: { cookie: `${cookies[who]}; dd_lang=en`, origin: 'http://localhost', host: 'localhost', accept: 'text/html' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, html: await res.text(), location: res.headers.get('location') };
};
const rows = (html: string) => [...html.matchAll(/<tr data-application="([0-9a-f-]{36})"/g)].map((m) => m[1]!);
const link = (html: string, rel: 'next' | 'prev') => [...html.matchAll(/<a href="([^"]+)" rel="(next|prev)"/g)].find((m) => m[2] === rel)?.[1]?.replace(/&amp;/g, '&');

describe('the review queue', () => {
  it('pages forward and back, and filters by industry and by search', async () => {
    const applicant: Principal = seed.principals.applicant;
    const made: string[] = [];
    for (let i = 0; i < 30; i++) {
      const a = await ctx.registry.applications.createDraft(applicant, completeForm(applicant.orgUscc!, { datasetName: `Queue dataset ${String(i).padStart(2, '0')}`, industry: i % 3 === 0 ? 'I65' : 'B07' }));
      await ctx.registry.applications.submit(applicant, a.id as string);
      made.push(a.id as string);
    }
    const first = await get('/queue?state=submitted', 'reviewer');
    expect(first.status).toBe(200);
    expect(rows(first.html)).toHaveLength(25);
    const next = link(first.html, 'next')!;
    expect(next).toContain('cursor=');
    const second = await get(next, 'reviewer');
    expect(rows(second.html)).toHaveLength(5);
    expect(rows(second.html).some((id) => rows(first.html).includes(id))).toBe(false);
    expect(new Set([...rows(first.html), ...rows(second.html)])).toEqual(new Set(made));
    const back = await get(link(second.html, 'prev')!, 'reviewer');
    expect(rows(back.html)).toEqual(rows(first.html));

    const industry = await get('/queue?state=submitted&industry=I', 'reviewer');
    expect(new Set(rows(industry.html))).toEqual(new Set(made.filter((_, i) => i % 3 === 0)));
    const search = await get(`/queue?state=all&q=${encodeURIComponent('dataset 07')}`, 'reviewer');
    expect(rows(search.html)).toEqual([made[7]]);
    const bad = await get('/queue?from=2026-02-30', 'reviewer');
    expect(bad.html).toMatch(/id="f-from"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="f-from"/);
  });
});

describe('the application form', () => {
  it('shows a refused field beside it, with its label bound and the values kept', async () => {
    const r = await post('/applications/new', 'applicant', {
      datasetName: 'A named dataset',
      holderName: 'Holder',
      holderUscc: makeUscc(4242).slice(0, 17) + (makeUscc(4242).endsWith('0') ? '1' : '0'),
      manifestRoot: TEST_ROOT,
      files: '3',
      bytes: '1048576',
    });
    expect(r.status).toBe(422);
    expect(r.html).toContain('<label for="f-holderUscc">');
    expect(r.html).toMatch(/<input id="f-holderUscc" name="holderUscc"[^>]*aria-invalid="true"[^>]*aria-describedby="f-holderUscc-err"/);
    expect(r.html).toContain('id="f-holderUscc-err"');
    expect(r.html).toContain('value="A named dataset"');
    expect(r.html).toContain('data-code="invalid_field"');
  });
});

describe('decisions', () => {
  it('offers no approval while the notice runs, and approval once it has run', async () => {
    const during = await get(`/applications/${seed.apps.notice}`, 'reviewer');
    expect(during.html).toContain('data-actions=""');
    expect((await post(`/applications/${seed.apps.notice}/approve`, 'reviewer', { confirm: 'yes' })).status).toBe(409);
    ctx.clock.advance(11 * 86_400_000);
    await signInAll();
    const after = await get(`/applications/${seed.apps.notice}`, 'reviewer');
    expect(after.html).toContain('data-actions="approve"');
    const done = await post(`/applications/${seed.apps.notice}/approve`, 'reviewer', { confirm: 'yes' });
    expect(done.status).toBe(303);
    const page = await get(done.location!, 'reviewer');
    expect(page.html).toMatch(/data-written-entry="\d+"/);
    expect(page.html).toContain('data-state="approved"');
  });
});

describe('administration', () => {
  it('makes users with a password only, and they sign in', async () => {
    const org = (await ctx.accounts.listOrganisations()).find((o) => o.kind === 'bank')!;
    const without = await post('/admin/users', 'admin', { orgId: org.id, role: 'bank', username: 'bank.clerk', displayName: 'Bank clerk', password: '' });
    expect(without.status).toBe(422);
    expect(without.html).toMatch(/id="f-password"[^>]*aria-invalid="true"/);
    const made = await post('/admin/users', 'admin', { orgId: org.id, role: 'bank', username: 'bank.clerk', displayName: 'Bank clerk', password: 'a long enough password' });
    expect(made.status).toBe(201);
    const signIn = await app.request('/login', { method: 'POST', body: new URLSearchParams({ username: 'bank.clerk', password: 'a long enough password' }) });
    expect(signIn.status).toBe(303);
    const uscc = makeUscc(777);
    const ent = await post('/admin/organisations', 'admin', { name: 'Enterprise without a code', kind: 'enterprise', uscc: '' });
    expect(ent.status).toBe(422);
    expect(ent.html).toMatch(/id="f-uscc"[^>]*aria-invalid="true"/);
    expect((await post('/admin/organisations', 'admin', { name: 'Enterprise with a code', kind: 'enterprise', uscc })).status).toBe(201);
  });
});
