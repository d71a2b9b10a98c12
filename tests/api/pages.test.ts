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
