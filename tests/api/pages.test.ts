/** Server-rendered pages: public pages render, sign-in sets a strict session cookie, cross-site writes are refused. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { seedDemo, type DemoResult } from '../../src/registry/demo.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let demo: DemoResult;

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx);
  demo = await seedDemo(ctx);
});
afterAll(async () => {
  await ctx?.close();
});

describe('pages', () => {
  it('renders the public pages in Chinese and English', async () => {
    for (const [path, text] of [
      ['/', '数据知识产权'],
      ['/verify', 'Verify'],
      [`/verify/${demo.certificateNumber}`, 'Ordos Basin'],
      ['/register', demo.certificateNumber!],
      ['/notices', 'Applications in public notice'],
      ['/log', 'Transparency log'],
      ['/login', 'Sign in'],
    ] as [string, string][]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html.startsWith('<!DOCTYPE html>'), path).toBe(true);
      expect(html, path).toContain(text);
    }
    expect((await app.request('/verify?q=dip-2026-000001')).headers.get('location')).toBe('/verify/DIP-2026-000001');
    expect((await app.request('/verify/NOT-A-NUMBER')).status).toBe(404);
  });

  it('walks a pledge through the bank and holder dashboards', async () => {
    const signIn = async (role: string) => {
      const a = demo.accounts.find((x) => x.role === role)!;
      const res = await app.request('/login', { method: 'POST', body: new URLSearchParams({ username: a.username, password: a.password }) });
      return res.headers.get('set-cookie')!.split(';')[0]!;
    };
    const post = (path: string, cookie: string, form: Record<string, string> = {}) =>
      app.request(`http://localhost${path}`, { method: 'POST', headers: { cookie, origin: 'http://localhost', host: 'localhost', accept: 'text/html' }, body: new URLSearchParams(form) });
    const bank = await signIn('bank');
    const holder = await signIn('applicant');
    const bad = await post('/pledges/new', bank, { number: 'nope', loanReference: 'L', amount: '1', currency: 'CNY', start: '2026-01-01', end: '2027-01-01' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('invalid_field'); // shown as a page
    const req = await post('/pledges/new', bank, { number: demo.certificateNumber!, loanReference: 'LOAN-7', amount: '1000000.00', currency: 'CNY', start: '2026-01-01', end: '2027-01-01' });
    expect(req.status).toBe(303);
    const dash = await (await app.request('/dashboard', { headers: { cookie: holder } })).text();
    const id = /action="\/pledges\/([0-9a-f-]{36})\/consent"/.exec(dash)![1]!;
    expect((await post(`/pledges/${id}/consent`, holder)).status).toBe(303);
    expect((await (await app.request(`/v1/certificates/${demo.certificateNumber}/status`)).json()).status).toBe('pledged');
    expect((await post(`/pledges/${id}/release`, holder)).status).toBe(403); // only the bank releases
    expect((await post(`/pledges/${id}/release`, bank)).status).toBe(303);
    expect((await (await app.request(`/v1/certificates/${demo.certificateNumber}/status`)).json()).status).toBe('active');
  });

  it('signs in with a password, refuses cross-site writes, and signs out', async () => {
    const reviewer = demo.accounts.find((a) => a.role === 'reviewer')!;
    const bad = await app.request('/login', { method: 'POST', body: new URLSearchParams({ username: reviewer.username, password: 'wrong password!' }) });
    expect(bad.status).toBe(401);
    const ok = await app.request('/login', { method: 'POST', body: new URLSearchParams({ username: reviewer.username, password: reviewer.password }) });
    expect(ok.status).toBe(303);
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/dd_session=dds_/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0]!;
    const dash = await app.request('/dashboard', { headers: { cookie: session } });
    expect(await dash.text()).toContain('reviewer');
    // a write with the cookie but from another site is refused
    const csrf = await app.request('/logout', { method: 'POST', headers: { cookie: session, origin: 'https://evil.example', host: 'localhost' } });
    expect(csrf.status).toBe(403);
    const same = await app.request('http://localhost/logout', { method: 'POST', headers: { cookie: session, origin: 'http://localhost', host: 'localhost' } });
    expect(same.status).toBe(303);
    expect((await app.request('/dashboard', { headers: { cookie: session } })).headers.get('location')).toBe('/login');
  });
});
