/**
 * Authenticate first, then validate (issue 15, finding 9a): on every protected route an
 * anonymous caller sending `{}` gets 401 and a caller without the route's role gets 403 —
 * never a 400 that describes the body's schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { protectedRoutes, ROUTE_ROLES } from '../../src/api/guard.ts';
import { ROLES, type Role } from '../../src/accounts/pg/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { makeActor, type Actor } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
const actors = {} as Record<Role, Actor>;
const KIND = { applicant: 'enterprise', reviewer: 'registry', admin: 'registry', bank: 'bank', insurer: 'insurer', notary: 'notary' } as const;

beforeAll(async () => {
  ctx = await createTestContext({ DATADEED_RATE_LIMIT: 'off' });
  app = createApp(ctx.services);
  for (const r of ROLES) actors[r] = await makeActor(ctx, r, KIND[r]);
});
afterAll(async () => {
  await ctx?.close();
});

const fill = (p: string) => p.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
const send = (method: string, path: string, headers: Record<string, string> = {}) =>
  app.request(fill(path), { method, headers: { 'Content-Type': 'application/json', ...headers }, body: method === 'GET' || method === 'HEAD' ? undefined : '{}' });

describe('protected routes', () => {
  it('every route marked `security` in the OpenAPI document has its roles listed', () => {
    const routes = protectedRoutes(app);
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.map((r) => `${r.method} ${r.path}`).filter((k) => !(k in ROUTE_ROLES))).toEqual([]);
  });

  it('the four routes of the finding answer 401 to an anonymous {}', async () => {
    for (const p of ['/v1/organisations', '/v1/users', '/v1/tokens', '/v1/evidence']) {
      const res = await send('POST', p);
      expect(res.status, p).toBe(401);
      expect(((await res.json()) as { code: string }).code).toBe('unauthenticated');
    }
  });

  it('every protected route answers 401 to an anonymous {}', async () => {
    const wrong: string[] = [];
    for (const r of protectedRoutes(app)) {
      const res = await send(r.method, r.path);
      const body = (await res.json()) as { code: string };
      if (res.status !== 401 || body.code !== 'unauthenticated') wrong.push(`${r.method} ${r.path} → ${res.status} ${body.code}`);
    }
    expect(wrong).toEqual([]);
  });

  it('every protected route answers 403 to a caller without its role, before validation', async () => {
    const wrong: string[] = [];
    for (const r of protectedRoutes(app)) {
      for (const role of ROLES.filter((x) => !r.roles.includes(x))) {
        const res = await send(r.method, r.path, actors[role].auth);
        const body = (await res.json()) as { code: string };
        if (res.status !== 403 || body.code !== 'forbidden') wrong.push(`${role} ${r.method} ${r.path} → ${res.status} ${body.code}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
