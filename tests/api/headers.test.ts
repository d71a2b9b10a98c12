/**
 * Security headers on every page and API response (issue 15, finding 9b): a CSP without
 * 'unsafe-inline' (and with 'wasm-unsafe-eval' and workers from 'self' for the fingerprint
 * page), nosniff, no framing, a referrer policy; and no page carries an inline script,
 * inline style or event-handler attribute the CSP would block.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { makeActor } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  ctx = await createTestContext({ DATADEED_RATE_LIMIT: 'off' });
  app = createApp(ctx.services);
  for (const role of ['applicant', 'reviewer', 'bank'] as const) {
    await makeActor(ctx, role, role === 'applicant' ? 'enterprise' : role === 'bank' ? 'bank' : 'registry');
    const username = (await ctx.database.db.query.users.findMany()).map((u) => u.username).find((u) => u.startsWith(role))!;
    const res = await app.request('/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
      body: new URLSearchParams({ username, password: 'correct horse battery staple' }).toString(),
    });
    expect(res.status).toBe(303);
    cookies[role] = res.headers.get('set-cookie')!.split(';')[0]!;
  }
});
afterAll(async () => {
  await ctx?.close();
});

/** Every GET page route the app serves (not the API, assets or machine endpoints). */
function pagePaths(): string[] {
  const machine = /^\/(v1|assets|checkpoint|tile|openapi\.json|healthz|readyz|metrics)\b/;
  const paths = app.routes.filter((r) => r.method === 'GET' && !machine.test(r.path) && r.path !== '/*').map((r) => r.path.replace(/:[a-z]+(\{[^}]*\})?/gi, 'DD-2026-000001'));
  return [...new Set(paths)];
}

function expectSecure(res: Response, what: string): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp, what).toContain("default-src 'self'");
  expect(csp, what).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp, what).toContain("worker-src 'self'");
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).not.toContain('unsafe-inline');
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(res.headers.get('x-frame-options'), what).toBe('DENY');
  expect(res.headers.get('referrer-policy'), what).toBe('same-origin');
}

function inlineCode(html: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>/gi)) if (!/\bsrc=/.test(m[1]!) && !/\bnonce=/.test(m[1]!)) found.push(m[0]);
  for (const m of html.matchAll(/<style\b[^>]*>/gi)) found.push(m[0]);
  for (const m of html.matchAll(/<[a-z][^>]*\s(style|on[a-z]+)=[^>]*>/gi)) found.push(m[0]);
  return found;
}

describe('security headers', () => {
  it('covers the pages', () => {
    const paths = pagePaths();
    for (const p of ['/', '/verify', '/register', '/notices', '/log', '/login', '/dashboard', '/applications/new', '/docs']) expect(paths).toContain(p);
  });

  it('every page, anonymous and signed in, has the headers and no inline script or style', async () => {
    const bad: string[] = [];
    for (const path of pagePaths()) {
      for (const who of [undefined, 'applicant', 'reviewer', 'bank']) {
        const res = await app.request(path, { headers: { Accept: 'text/html', ...(who ? { Cookie: cookies[who]! } : {}) } });
        expectSecure(res, `${who ?? 'anonymous'} ${path} ${res.status}`);
        if ((res.headers.get('content-type') ?? '').includes('text/html')) bad.push(...inlineCode(await res.text()).map((x) => `${path}: ${x}`));
      }
    }
    expect(bad).toEqual([]);
  });

  it('API responses, problems and stylesheets have them too', async () => {
    for (const path of ['/v1/keys', '/v1/log/checkpoint', '/v1/nope', '/assets/site.css', '/assets/docs.css', '/openapi.json']) expectSecure(await app.request(path), path);
    const css = await app.request('/assets/site.css');
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(await css.text()).toContain('.narrow');
  });
});
