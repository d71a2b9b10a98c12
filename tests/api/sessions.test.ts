/**
 * Expired sessions are purged (issue 15, finding 7: "expired sessions never purged"): each
 * sign-in deletes the sessions expired at that moment, and the server's registry clock
 * does the same every minute (`purgeExpiredSessions`). Sessions still valid stay.
 */
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { SESSION_TTL_MS, createToken, revokeToken, setUserDisabled } from '../../src/accounts/pg/index.ts';
import { logFatal } from '../../src/cli/serve.ts';
import { queryRows } from '../../src/db/index.ts';
import { SequencerError } from '../../src/ledger/pg/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { makeActor } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let username: string;

const signIn = async () => {
  const res = await app.request('/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
    body: new URLSearchParams({ username, password: 'correct horse battery staple' }).toString(),
  });
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie')!.split(';')[0]!;
};
const sessionRows = async () => (await queryRows<{ expires_at: unknown }>(ctx.database.db, sql`SELECT expires_at FROM sessions ORDER BY expires_at`)).length;
const me = (cookie: string) => app.request('/dashboard', { headers: { cookie } });

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  await makeActor(ctx, 'reviewer', 'registry');
  username = (await ctx.database.db.query.users.findMany())[0]!.username;
});
afterAll(async () => {
  await ctx?.close();
});

describe('expired sessions', () => {
  it('a sign-in deletes the sessions expired by then, and keeps the valid ones', async () => {
    const old = await Promise.all([signIn(), signIn(), signIn()]);
    expect(await sessionRows()).toBe(3);
    ctx.clock.advance(SESSION_TTL_MS / 2);
    const mid = await signIn();
    expect(await sessionRows()).toBe(4);
    ctx.clock.advance(SESSION_TTL_MS / 2); // the first three expire now (end inclusive)
    expect((await me(old[0]!)).status).not.toBe(200);
    const fresh = await signIn();
    expect(await sessionRows()).toBe(2);
    expect((await me(mid)).status).toBe(200);
    expect((await me(fresh)).status).toBe(200);
  });

  it('the registry clock purges them without a sign-in', async () => {
    ctx.clock.advance(SESSION_TTL_MS + 1);
    expect(await sessionRows()).toBe(2);
    expect(await ctx.accounts.purgeExpiredSessions()).toBe(2);
    expect(await sessionRows()).toBe(0);
    expect(await ctx.accounts.purgeExpiredSessions()).toBe(0);
  });
});

describe('what a token and a session authenticate', () => {
  it('a token stops at its revocation and expiry, tokens and sessions both at their user’s disabling', async () => {
    const db = ctx.database.db;
    const a = await makeActor(ctx, 'bank', 'bank');
    const meVia = (headers: Record<string, string>) => app.request('/v1/me', { headers });
    const who = async (headers: Record<string, string>) => ((await (await meVia(headers)).json()) as { username?: string; orgId?: string }).orgId;
    expect(await who(a.auth)).toBe(a.orgId);
    const expiring = await createToken(db, { userId: a.userId, name: 'short', expiresAt: new Date(ctx.clock.now().getTime() + 60_000) }, ctx.clock.now());
    expect((await meVia({ Authorization: `Bearer ${expiring.token}` })).status).toBe(200);
    ctx.clock.advance(60_000);
    expect((await meVia({ Authorization: `Bearer ${expiring.token}` })).status).toBe(401);
    const revoked = await createToken(db, { userId: a.userId, name: 'revoked' }, ctx.clock.now());
    expect((await meVia({ Authorization: `Bearer ${revoked.token}` })).status).toBe(200);
    await revokeToken(db, revoked.id, ctx.clock.now());
    expect((await meVia({ Authorization: `Bearer ${revoked.token}` })).status).toBe(401);
    // a session of the same user, then the user disabled: neither authenticates; enabled again: both do
    const name = (await queryRows<{ username: string }>(db, sql`SELECT username FROM users WHERE id = ${a.userId}`))[0]!.username;
    const res = await app.request('/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
      body: new URLSearchParams({ username: name, password: 'correct horse battery staple' }).toString(),
    });
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    expect((await meVia({ cookie })).status).toBe(200);
    await setUserDisabled(db, a.userId, true);
    expect((await meVia(a.auth)).status).toBe(401);
    expect((await meVia({ cookie })).status).toBe(401);
    await setUserDisabled(db, a.userId, false);
    expect(await who(a.auth)).toBe(a.orgId);
    expect(await who({ cookie })).toBe(a.orgId);
  });
});

describe('the server’s fatal log', () => {
  it('logs a stopped sequencer without the parameters of the failed query behind it', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString('utf8')), done()) }));
    const query = new DrizzleQueryError('insert into "sessions" ("id_hash", "user_id") values ($1, $2)', ['secret-token-hash-4d1f', 'personal-data-77a2'], new Error('duplicate key value'));
    logFatal(logger)(new SequencerError('sequencer_fatal', 'the batch failed', { cause: query }));
    logFatal(logger)(query);
    const out = lines.join('');
    expect(out).toContain('sequencer stopped');
    expect(out).toContain('insert into');
    expect(out).not.toContain('secret-token-hash-4d1f');
    expect(out).not.toContain('personal-data-77a2');
  });
});
