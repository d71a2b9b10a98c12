/** Server-rendered pages: public pages render, sign-in sets a strict session cookie, cross-site writes are refused. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { seedDemo, type DemoResult } from '../../src/cli/demo.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let demo: DemoResult;

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  demo = await seedDemo(ctx);
});
afterAll(async () => {
  await ctx?.close();
});

describe('pages', () => {
  it('renders the public pages in Chinese and English', async () => {
    for (const [path, zh, en] of [
      ['/', '数据知识产权登记与存证', 'Data IP registration and evidence'],
      ['/verify', '验证证书或存证', 'Verify a certificate or a deposit'],
      [`/verify/${demo.certificateNumber}`, '本证书当前有效', 'This certificate is valid'],
      ['/register', demo.certificateNumber!, demo.certificateNumber!],
      ['/notices', '公示中的登记申请', 'Applications in public notice'],
      ['/log', '透明日志', 'Transparency log'],
      ['/login', '登录', 'Sign in'],
    ] as [string, string, string][]) {
      // Chinese by default; English by Accept-Language, and by ?lang=en (remembered in a cookie)
      for (const [headers, text, lang] of [
        [{}, zh, 'zh-CN'],
        [{ 'accept-language': 'en-GB,en;q=0.9,zh;q=0.5' }, en, 'en'],
      ] as [Record<string, string>, string, string][]) {
        const res = await app.request(path, { headers });
        expect(res.status, path).toBe(200);
        const html = await res.text();
        expect(html.startsWith('<!DOCTYPE html>'), path).toBe(true);
        expect(html, path).toContain(`<html lang="${lang}">`);
        expect(html, path).toContain(text);
      }
    }
    const en = await app.request('/?lang=en', { headers: { 'accept-language': 'zh-CN' } });
    expect(await en.text()).toContain('<html lang="en">');
    const cookie = en.headers.get('set-cookie')!.split(';')[0]!;
    expect(cookie).toBe('dd_lang=en');
    expect(await (await app.request('/log', { headers: { cookie, 'accept-language': 'zh-CN' } })).text()).toContain('Transparency log');
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
    const form = { number: demo.certificateNumber!, loanReference: 'LOAN-7', amount: '1000000.00', currency: 'CNY', start: '2026-01-01', end: '2027-01-01' };
    // first a confirmation naming the holder, the amount and the term; nothing is written yet
    const ask = await post('/pledges/new', bank, form);
    expect(ask.status).toBe(200);
    const askText = await ask.text();
    expect(askText).toContain('data-confirm-form');
    expect(askText).toContain('1000000.00 CNY');
    expect(askText).toContain('示例能源科技有限公司');
    const req = await post('/pledges/new', bank, { ...form, confirm: 'yes' });
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
