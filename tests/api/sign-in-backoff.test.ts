/**
 * Sign-in back-off (issue 15, finding 7): 53 password guesses a second used to be checked
 * one by one; with an injected clock, a minute of them gets only a handful checked, the rest
 * are 429 `rate_limited` with Retry-After, and the right password works once the window ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { makeActor } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let username: string;

beforeAll(async () => {
  // the back-off alone: the per-address rate limit set far above this test's requests
  ctx = await createTestContext({ DATADEED_RATE_LIMIT: '1000000' });
  app = createApp(ctx.services);
  await makeActor(ctx, 'reviewer', 'registry');
  username = (await ctx.database.db.query.users.findMany())[0]!.username;
});
afterAll(async () => {
  await ctx?.close();
});

const login = (password: string, user = username) =>
  app.request('/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
    body: new URLSearchParams({ username: user, password }).toString(),
  });

describe('sign-in back-off', () => {
  it('a minute of 53 guesses per second checks only a handful of passwords', async () => {
    const statuses = new Map<number, number>();
    let retryAfterSeen = false;
    for (let i = 0; i < 53 * 60; i++) {
      const res = await login(`wrong guess ${i}`);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 429) {
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        retryAfterSeen = true;
      }
      ctx.clock.advance(1000 / 53);
    }
    const checked = statuses.get(401) ?? 0;
    expect(checked).toBeGreaterThanOrEqual(3);
    expect(checked).toBeLessThanOrEqual(10);
    expect(statuses.get(429)).toBe(53 * 60 - checked);
    expect(retryAfterSeen).toBe(true);
  }, 300_000);

  it('the 429 is a problem with code rate_limited, and the right password works after the window', async () => {
    const res = await login('correct horse battery staple');
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as { code: string }).code).toBe('rate_limited');
    ctx.clock.advance(16 * 60_000);
    expect((await login('correct horse battery staple')).status).toBe(303);
  });
});
