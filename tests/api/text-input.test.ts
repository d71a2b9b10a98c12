/**
 * Text from outside, on both databases: a NUL or a lone surrogate in a path, a query
 * string, a JSON body or a form field is a 4xx problem and writes nothing (it never
 * reaches PostgreSQL, where it used to fail as a 500); application names with a tab
 * or not in NFC are refused at the form with a field error; cursors carry real
 * instants in a sane range (else 400 invalid_cursor); terms carry real dates.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { signIn } from '../../src/accounts/pg/index.ts';
import { users } from '../../src/db/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, TEST_ROOT, type Actor } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let admin: Actor;
let applicant: Actor;
let reviewer: Actor;
let bank: Actor;
let insurer: Actor;
let number: string;
let noticeId: string;
let draftId: string;
let reviewId: string;
const DAY = 86_400_000;
const PASSWORD = 'correct horse battery staple';
const cookies: Record<string, string> = {};

type Who = Actor | null | { cookie: string };
async function call(method: string, path: string, who?: Who, body?: unknown) {
  const headers: Record<string, string> = {};
  if (who && 'auth' in who) Object.assign(headers, who.auth);
  if (who && 'cookie' in who) Object.assign(headers, { cookie: who.cookie, origin: 'http://localhost', host: 'localhost', accept: 'text/html' });
  let payload: BodyInit | undefined;
  if (body instanceof URLSearchParams) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await app.request(`http://localhost${path}`, { method, headers, body: payload });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, text, body: type.includes('json') && text ? JSON.parse(text) : null };
}

/** Row counts of every table, a digest of every table's rows but the two that authentication touches, and the log size. */
async function snapshot(): Promise<Record<string, string | number>> {
  // the state commitment of what the set-up changed is written in the background: let it
  // land first (a bad request changes no state, so nothing is committed after it)
  await ctx.committer.settle();
  const db = ctx.database.db;
  const rows = <T,>(r: unknown) => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];
  const tables = rows<{ table_name: string }>(
    await db.execute(sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`),
  ).map((t) => t.table_name);
  const out: Record<string, string | number> = { logSize: (await ctx.store.latestCheckpoint())!.size };
  for (const t of tables) {
    const touchedByAuth = t === 'api_tokens' || t === 'sessions';
    const q = touchedByAuth
      ? `SELECT count(*)::int AS n FROM "${t}"`
      : `SELECT count(*)::int AS n, coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS d FROM "${t}" x`;
    const [r] = rows<{ n: number; d?: string }>(await db.execute(sql.raw(q)));
    out[t] = `${r!.n}${r!.d ? `:${r!.d}` : ''}`;
  }
  return out;
}

async function sessionCookie(a: Actor): Promise<string> {
  const [u] = await ctx.database.db.select().from(users).where(eq(users.id, a.userId));
  const s = await signIn(ctx.database.db, u!.username, PASSWORD, ctx.clock.now());
  return `dd_session=${s!.sessionId}`;
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  admin = await makeActor(ctx, 'admin', 'registry');
  applicant = await makeActor(ctx, 'applicant', 'enterprise');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
  bank = await makeActor(ctx, 'bank', 'bank');
  insurer = await makeActor(ctx, 'insurer', 'insurer');
  const toNotice = async () => {
    const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).body.id as string;
    expect((await call('POST', `/v1/applications/${id}/submit`, applicant)).status).toBe(200);
    expect((await call('POST', `/v1/applications/${id}/claim`, reviewer)).status).toBe(200);
    expect((await call('POST', `/v1/applications/${id}/open-notice`, reviewer)).status).toBe(200);
    return id;
  };
  for (let i = 0; i < 2; i++) {
    const id = await toNotice();
    ctx.clock.advance(10 * DAY);
    const approved = await call('POST', `/v1/applications/${id}/approve`, reviewer);
    expect(approved.status, approved.text).toBe(200);
    number = approved.body.certificate.number;
  }
  noticeId = await toNotice();
  await toNotice(); // a second notice, so the notice list has a second page
  draftId = (await call('POST', '/v1/applications', applicant, { datasetName: 'A draft' })).body.id;
  reviewId = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).body.id;
  await call('POST', `/v1/applications/${reviewId}/submit`, applicant);
  await call('POST', `/v1/applications/${reviewId}/claim`, reviewer);
  cookies.applicant = await sessionCookie(applicant);
  cookies.reviewer = await sessionCookie(reviewer);
  cookies.bank = await sessionCookie(bank);
});
afterAll(async () => {
  await ctx?.close();
});

describe('NUL and lone surrogates from outside', () => {
  const BAD = { nul: 'bad\u0000text', high: 'bad\ud800text', low: '\udc00bad text' };
  const money = { value: '1.00', currency: 'CNY' };
  const term = { start: '2026-02-01', end: '2027-02-01' };

  /** Each request: method, path, who, body (strings in it get the bad text). */
  const jsonCases = (x: string): [string, string, () => Who, () => unknown][] => [
    ['POST', '/v1/applications', () => applicant, () => ({ datasetName: x })],
    ['POST', '/v1/applications', () => applicant, () => ({ [`key${x}`]: 'value' })],
    ['PATCH', '/v1/applications/{draft}', () => applicant, () => ({ dataSource: x })],
    ['POST', '/v1/organisations', () => admin, () => ({ name: x, kind: 'bank' })],
    ['POST', '/v1/users', () => admin, () => ({ orgId: bank.orgId, username: 'newbank1', displayName: x, role: 'bank', password: PASSWORD })],
    ['POST', '/v1/users', () => admin, () => ({ orgId: x, username: 'newbank2', displayName: 'New', role: 'bank' })],
    ['POST', '/v1/tokens', () => admin, () => ({ userId: bank.userId, name: x })],
    ['POST', '/v1/tokens', () => admin, () => ({ userId: x, name: 'n' })],
    ['POST', '/v1/notices/{notice}/objections', () => null, () => ({ name: x, contact: 'someone@example.com', grounds: 'These are the grounds of the objection.' })],
    ['POST', '/v1/notices/{notice}/objections', () => null, () => ({ name: 'Someone', contact: 'someone@example.com', grounds: `Grounds: ${x} and more.` })],
    ['POST', '/v1/applications/{review}/request-changes', () => reviewer, () => ({ comment: x })],
    ['POST', '/v1/certificates/{number}/revoke', () => reviewer, () => ({ reason: x })],
    ['POST', '/v1/certificates/{number}/licences', () => applicant, () => ({ licensee: x, scope: 'all', term, exclusive: false })],
    ['POST', '/v1/certificates/{number}/licences', () => applicant, () => ({ licensee: 'Acme', scope: x, term, exclusive: false })],
    ['POST', '/v1/certificates/{number}/pledges', () => bank, () => ({ loanReference: x, amount: money, term })],
    ['POST', '/v1/certificates/{number}/policies', () => insurer, () => ({ policyNumber: x, insuredAmount: money, term, coverageType: 'loss' })],
    ['POST', '/v1/evidence', () => applicant, () => ({ items: [{ digest: 'b'.repeat(64), kind: 'file', title: x }] })],
  ];
  const fill = (path: string) => path.replace('{draft}', draftId).replace('{notice}', noticeId).replace('{review}', reviewId).replace('{number}', number);

  for (const [label, x] of Object.entries(BAD))
    it(`a ${label} in a JSON body is a 4xx problem and writes nothing`, async () => {
      for (const [method, path, who, body] of jsonCases(x)) {
        const before = await snapshot();
        const r = await call(method, fill(path), who(), body());
        expect(r.status, `${method} ${path} ${r.text}`).toBeGreaterThanOrEqual(400);
        expect(r.status, `${method} ${path} ${r.text}`).toBeLessThan(500);
        expect(r.type, `${method} ${path}`).toBe('application/problem+json');
        expect(await snapshot(), `${method} ${path}`).toEqual(before);
      }
    });

  it('a NUL in a path or a query string is a 4xx problem and writes nothing', async () => {
    for (const [method, path, who] of [
      ['DELETE', '/v1/tokens/a%00b', () => admin],
      ['POST', '/v1/users/a%00b/disable', () => admin],
      ['GET', '/v1/applications/%00', () => applicant],
      ['GET', '/v1/certificates/DIP-2026%00/status', () => null],
      ['GET', '/v1/evidence/EV-2026-0000000%00', () => null],
      ['GET', '/v1/applications?holder=a%00b', () => reviewer],
      ['GET', '/v1/applications?state=draft%00', () => reviewer],
      ['GET', '/v1/applications?from=2026-01-01T00:00:00Z%00', () => reviewer],
      ['GET', '/v1/certificates?status=active%00', () => null],
      ['GET', '/v1/certificates?cursor=%00', () => null],
      ['GET', '/v1/evidence?digest=%00', () => null],
      ['GET', '/v1/notices?cursor=a%00', () => null],
      ['PUT', '/v1/applications/{draft}/sample?filename=a%00b.csv', () => applicant],
    ] as [string, string, () => Who][]) {
      const before = await snapshot();
      const r = await call(method, fill(path), who());
      expect(r.status, `${method} ${path} ${r.text}`).toBeGreaterThanOrEqual(400);
      expect(r.status, `${method} ${path} ${r.text}`).toBeLessThan(500);
      expect(r.type, `${method} ${path}`).toBe('application/problem+json');
      expect(await snapshot(), `${method} ${path}`).toEqual(before);
    }
  });

  it('a NUL in a page form field or a page path is refused as a page and writes nothing', async () => {
    const x = BAD.nul;
    for (const [path, who, form] of [
      ['/login', () => null, { username: `reviewer${x}`, password: PASSWORD }],
      ['/login', () => null, { username: 'reviewer', password: x }],
      ['/notices/{notice}/objections', () => null, { name: x, contact: 'someone@example.com', grounds: 'These are the grounds of the objection.' }],
      ['/pledges/new', () => ({ cookie: cookies.bank! }), { number, loanReference: x, amount: '1.00', currency: 'CNY', start: '2026-02-01', end: '2027-02-01' }],
      ['/applications/new', () => ({ cookie: cookies.applicant! }), { datasetName: x, holderName: 'Holder', holderUscc: applicant.uscc!, manifestRoot: TEST_ROOT, files: '3', bytes: '1048576' }],
      ['/applications/{review}/reject', () => ({ cookie: cookies.reviewer! }), { comment: x }],
      ['/applications/a%00b/claim', () => ({ cookie: cookies.reviewer! }), {}],
    ] as [string, () => Who, Record<string, string>][]) {
      const before = await snapshot();
      const r = await call('POST', fill(path), who(), new URLSearchParams(form));
      expect(r.status, `${path} ${r.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(r.status, `${path} ${r.text.slice(0, 300)}`).toBeLessThan(500);
      expect(await snapshot(), path).toEqual(before);
    }
    for (const path of ['/verify/DIP%00', '/verify/evidence/EV%00', '/register?cursor=%00', '/verify?q=%00']) {
      const r = await call('GET', path);
      expect(r.status, path).toBeLessThan(500);
    }
  });

  it('the boundary refuses a NUL or lone surrogate even where no field reads it, naming where', async () => {
    const q = await call('GET', '/v1/log/checkpoint?unused=a%00b');
    expect(q.status).toBe(400);
    expect(q.body.code).toBe('invalid_request');
    expect(q.body.errors).toEqual([{ path: 'unused', message: 'must not contain NUL' }]);
    const body = await call('POST', `/v1/applications/${reviewId}/claim`, reviewer, { ignored: ['ok', { deeper: '\ud800' }] });
    expect(body.status).toBe(400);
    expect(body.body.errors).toEqual([{ path: 'ignored.1.deeper', message: 'must not contain an unpaired surrogate' }]);
    const path = await call('GET', '/v1/log/entries/%00');
    expect(path.status).toBe(400);
    expect(path.body.errors[0].message).toBe('must not contain NUL');
  });

  it('a session cookie with a NUL is no session, never a 500', async () => {
    const r = await app.request('/dashboard', { headers: { cookie: 'dd_session=dds_%00' } });
    expect(r.status).toBe(303);
    const api = await app.request('/v1/me', { headers: { cookie: 'dd_session=a%00b' } });
    expect(api.status).toBe(401);
  });
});

describe('the application form refuses bad names with a field error', () => {
  const NAMES = { tab: 'Ordos\tdrilling records', 'not NFC': 'Cafe\u0301 records', NUL: 'Ordos\u0000records', 'lone surrogate': 'Ordos \ud800 records' };
  for (const [what, datasetName] of Object.entries(NAMES))
    it(`a dataset name with a ${what}: API and page`, async () => {
      const before = await snapshot();
      const r = await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!, { datasetName }));
      expect(r.status, r.text).toBe(400);
      expect(r.type).toBe('application/problem+json');
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain('datasetName');
      const patch = await call('PATCH', `/v1/applications/${draftId}`, applicant, { datasetName });
      expect(patch.status, patch.text).toBe(400);
      expect(patch.body.errors.map((e: { path: string }) => e.path)).toContain('datasetName');
      if (!/[\ud800-\udfff]/.test(datasetName)) {
        // a form post cannot carry a lone surrogate (the browser sends U+FFFD)
        const page = await call(
          'POST',
          '/applications/new',
          { cookie: cookies.applicant! },
          new URLSearchParams({ datasetName, holderName: 'Holder', holderUscc: applicant.uscc!, manifestRoot: TEST_ROOT, files: '3', bytes: '1048576' }),
        );
        expect(page.status, page.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
        expect(page.status).toBeLessThan(500);
        expect(page.text).toContain('datasetName');
      }
      expect(await snapshot()).toEqual(before);
    });

  it('a page post without the form’s required fields starts no draft', async () => {
    for (const body of [new URLSearchParams({ username: '\t', name: 'x' }), new URLSearchParams({ datasetName: 'Only a name' })]) {
      const before = await snapshot();
      const page = await call('POST', '/applications/new', { cookie: cookies.applicant! }, body);
      expect(page.status, page.text.slice(0, 300)).toBe(422);
      expect(page.text).toContain('invalid_field');
      expect(await snapshot()).toEqual(before);
    }
  });

  it('a good name still makes a draft from the page', async () => {
    const page = await call(
      'POST',
      '/applications/new',
      { cookie: cookies.applicant! },
      new URLSearchParams({ datasetName: '  Café records ', holderName: 'Holder', holderUscc: applicant.uscc!, manifestRoot: TEST_ROOT, files: '3', bytes: '1048576' }),
    );
    expect(page.status, page.text.slice(0, 300)).toBe(303);
  });
});

describe('cursors', () => {
  const BAD_CURSORS = [
    b64({ t: '+275760-09-13T00:00:00.000Z', id: 'x' }),
    b64({ t: '0000-01-01', id: 'x' }),
    b64({ t: '0000-01-01T00:00:00.000Z', id: 'x' }),
    b64({ t: '1969-12-31T23:59:59.999Z', id: 'x' }),
    b64({ t: '2026-02-30T00:00:00.000Z', id: 'x' }),
    b64({ t: '2026-01-15T08:00:00.000Z', id: 'a\u0000' }),
    b64({ t: '2026-01-15T08:00:00.000Z', id: '\ud800' }),
    b64({ t: '2026-01-15T08:00:00.000Z' }),
    b64({ t: '2026-01-15T08:00:00.000Z', id: 'x', more: 1 }),
    b64({ t: 1768464000000, id: 'x' }),
    b64([]),
    b64('not json'),
    'not base64!',
  ];

  it('out-of-range or malformed cursors are 400 invalid_cursor on every paged list', async () => {
    for (const cursor of BAD_CURSORS)
      for (const [path, who] of [
        ['/v1/certificates', null],
        ['/v1/notices', null],
        ['/v1/applications', reviewer],
        ['/v1/applications', applicant],
      ] as [string, Actor | null][]) {
        const r = await call('GET', `${path}?cursor=${encodeURIComponent(cursor)}`, who);
        expect(r.status, `${path} ${Buffer.from(cursor, 'base64url').toString()} ${r.text}`).toBe(400);
        expect(r.body.code).toBe('invalid_cursor');
      }
  });

  it('the register and notice pages answer 400 invalid_cursor', async () => {
    for (const cursor of BAD_CURSORS.slice(0, 3))
      for (const path of ['/register', '/notices']) {
        const r = await app.request(`${path}?cursor=${encodeURIComponent(cursor)}`, { headers: { accept: 'text/html' } });
        expect(r.status, path).toBe(400);
        expect(await r.text()).toContain('invalid_cursor');
      }
  });

  it('the cursors the lists hand out still page through them', async () => {
    for (const [path, who] of [
      ['/v1/certificates', null],
      ['/v1/notices', null],
      ['/v1/applications', reviewer],
    ] as [string, Actor | null][]) {
      const first = await call('GET', `${path}?limit=1`, who);
      expect(first.status).toBe(200);
      expect(first.body.nextCursor, path).toEqual(expect.any(String));
      const second = await call('GET', `${path}?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, who);
      expect(second.status, second.text).toBe(200);
      expect(second.body.items).toHaveLength(1);
      expect(JSON.stringify(second.body.items[0])).not.toBe(JSON.stringify(first.body.items[0]));
    }
  });
});

describe('terms', () => {
  const money = { value: '1.00', currency: 'CNY' };
  it('impossible dates in pledge, licence and policy terms are refused before anything is written', async () => {
    for (const term of [
      { start: '0000-00-00', end: '2027-01-01' },
      { start: '2026-01-01', end: '9999-99-99' },
      { start: '2025-02-30', end: '2027-01-01' },
      { start: '2026-01-01', end: '2301-01-01' },
    ]) {
      for (const [path, who, body] of [
        [`/v1/certificates/${number}/pledges`, bank, { loanReference: 'L-1', amount: money, term }],
        [`/v1/certificates/${number}/licences`, applicant, { licensee: 'Acme', scope: 'training', term, exclusive: false }],
        [`/v1/certificates/${number}/policies`, insurer, { policyNumber: `P-${term.start}`, insuredAmount: money, term, coverageType: 'loss' }],
      ] as [string, Actor, unknown][]) {
        const before = await snapshot();
        const r = await call('POST', path, who, body);
        expect(r.status, `${path} ${JSON.stringify(term)} ${r.text}`).toBe(400);
        expect(r.body.errors.map((e: { path: string }) => e.path).join(' ')).toMatch(/term\.(start|end)/);
        expect(await snapshot()).toEqual(before);
      }
      const page = await call(
        'POST',
        '/pledges/new',
        { cookie: cookies.bank! },
        new URLSearchParams({ number, loanReference: 'L-2', amount: '1.00', currency: 'CNY', start: term.start, end: term.end }),
      );
      expect(page.status, page.text.slice(0, 300)).toBe(422);
      expect(page.text).toMatch(/term\.(start|end)/);
    }
  });
});
