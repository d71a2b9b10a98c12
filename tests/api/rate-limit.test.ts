/**
 * Rate limits (issue 15, finding 7: "there is no rate limiting anywhere"): per client
 * address, DATADEED_RATE_LIMIT requests a minute on writes and, apart, on expensive reads;
 * the request over the limit is a 429 `rate_limited` problem with Retry-After, counted on
 * the registry's clock. The client address is the socket's, unless DATADEED_TRUST_PROXY
 * says to take the address the proxy appended to X-Forwarded-For.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { addressKey } from '../../src/api/client-address.ts';
import { ClockStore, limitedBucket } from '../../src/api/rate-limit.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';

const LIMIT = 5;
const objection = { name: 'A. Objector', contact: 'objector@example.com', grounds: 'The dataset copies our survey records.' };

/** A write that changes nothing: an objection to an application that does not exist (404). */
const write = (app: ReturnType<typeof createApp>, headers: Record<string, string> = {}) =>
  app.request(`/v1/notices/${randomUUID()}/objections`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(objection) });

describe('which requests are limited', () => {
  it('every write, and the expensive reads; not the cheap reads', () => {
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(limitedBucket(m, '/v1/anything')).toBe('write');
    expect(limitedBucket('POST', '/login')).toBe('write');
    expect(limitedBucket('POST', '/notices/x/objections')).toBe('write');
    for (const p of ['/v1/certificates/DIP-2026-000001/pdf', '/v1/certificates/DIP-2026-000001/bundle', '/v1/evidence/EV-2026-00000001/chain', '/v1/evidence/EV-2026-00000001/pdf', '/v1/evidence/EV-2026-00000001/receipt', '/v1/pledges/x/receipt'])
      for (const m of ['GET', 'HEAD']) expect(limitedBucket(m, p)).toBe('read');
    for (const p of ['/v1/certificates/DIP-2026-000001', '/v1/log/checkpoint', '/checkpoint', '/healthz', '/notices', '/verify'])
      expect(limitedBucket('GET', p)).toBeUndefined();
  });

  it('an address counts as itself, IPv6 by its /64, IPv4-mapped IPv6 as IPv4', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0DB8:0001:0002:ffff::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe('the store', () => {
  it('counts in fixed windows on its clock and keeps at most maxKeys clients', () => {
    let t = 1_000_000;
    const s = new ClockStore(() => t, 3);
    s.init({ windowMs: 60_000 });
    expect(s.increment('a')).toEqual({ totalHits: 1, resetTime: new Date(1_060_000) });
    expect(s.increment('a').totalHits).toBe(2);
    t += 59_999;
    expect(s.increment('a').totalHits).toBe(3);
    t += 1;
    expect(s.increment('a')).toEqual({ totalHits: 1, resetTime: new Date(1_120_000) });
    for (const k of ['b', 'c', 'd']) s.increment(k);
    expect(s.size).toBe(3);
    expect(s.get('a')).toBeUndefined(); // the least recently seen was dropped
    expect(s.get('d')?.totalHits).toBe(1);
  });
});

describe('with DATADEED_RATE_LIMIT=5, in process (one address)', () => {
  let ctx: TestContext;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    ctx = await createTestContext({ DATADEED_RATE_LIMIT: String(LIMIT) });
    app = createApp(ctx.services);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('the sixth write in a minute is a 429 rate_limited problem with Retry-After; the next minute admits again', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await write(app)).status).toBe(404);
    const res = await write(app);
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 429, code: 'rate_limited', type: '/problems/rate_limited' });
    expect(res.headers.get('retry-after')).toBe('60');
    ctx.clock.advance(20_000);
    expect((await write(app)).headers.get('retry-after')).toBe('40');
    // cheap reads are not limited
    for (let i = 0; i < 3 * LIMIT; i++) expect((await app.request('/v1/certificates/DIP-2026-000001')).status).toBe(404);
    ctx.clock.advance(40_000);
    expect((await write(app)).status).toBe(404);
  });

  it('expensive reads have their own budget', async () => {
    ctx.clock.advance(60_000);
    // the write budget used up does not block reads …
    for (let i = 0; i < LIMIT; i++) await write(app);
    expect((await write(app)).status).toBe(429);
    for (let i = 0; i < LIMIT; i++) expect((await app.request('/v1/certificates/DIP-2026-000001/pdf')).status).toBe(404);
    // … and PDFs, bundles, receipts and chains share theirs
    const over = await app.request('/v1/evidence/EV-2026-00000001/chain');
    expect(over.status).toBe(429);
    expect(((await over.json()) as { code: string }).code).toBe('rate_limited');
    expect((await app.request('/v1/certificates/DIP-2026-000001/bundle')).status).toBe(429);
  });

  it('a refused write writes nothing and reads no body: a malformed one is refused the same', async () => {
    const before = await ctx.services.log.treeSize();
    const res = await app.request('/v1/organisations', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{not json' });
    expect(res.status).toBe(429);
    expect(await ctx.services.log.treeSize()).toBe(before);
  });

  it('X-Forwarded-For is ignored without DATADEED_TRUST_PROXY', async () => {
    ctx.clock.advance(60_000);
    for (let i = 0; i < LIMIT; i++) expect((await write(app, { 'X-Forwarded-For': `198.51.100.${i}` })).status).toBe(404);
    expect((await write(app, { 'X-Forwarded-For': '198.51.100.99' })).status).toBe(429);
  });
});

describe('with DATADEED_TRUST_PROXY=1', () => {
  let ctx: TestContext;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    ctx = await createTestContext({ DATADEED_RATE_LIMIT: String(LIMIT), DATADEED_TRUST_PROXY: '1' });
    app = createApp(ctx.services);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('each address the proxy appended has its own budget; addresses the client put before it do not count', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await write(app, { 'X-Forwarded-For': `10.0.0.${i}, 198.51.100.1` })).status).toBe(404);
    expect((await write(app, { 'X-Forwarded-For': '10.9.9.9, 198.51.100.1' })).status).toBe(429);
    expect((await write(app, { 'X-Forwarded-For': '198.51.100.2' })).status).toBe(404);
  });
});

describe('DATADEED_RATE_LIMIT=off', () => {
  it('limits nothing', async () => {
    const ctx = await createTestContext({ DATADEED_RATE_LIMIT: 'off' });
    try {
      const app = createApp(ctx.services);
      for (let i = 0; i < 100; i++) expect((await write(app)).status).toBe(404);
    } finally {
      await ctx.close();
    }
  });
});

describe('over a real socket', () => {
  let ctx: TestContext;
  let server: ReturnType<typeof serve>;
  let port: number;
  beforeAll(async () => {
    ctx = await createTestContext({ DATADEED_RATE_LIMIT: String(LIMIT) });
    const app = createApp(ctx.services);
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await ctx?.close();
  });

  /** POST from a given loopback source address (all of 127/8 is this host on Linux). */
  const post = (from: string, xff?: string) =>
    new Promise<number>((resolve, reject) => {
      const body = JSON.stringify(objection);
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          localAddress: from,
          method: 'POST',
          path: `/v1/notices/${randomUUID()}/objections`,
          agent: false,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...(xff ? { 'X-Forwarded-For': xff } : {}) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  it('counts by the socket address: a second address has its own budget, a forged X-Forwarded-For none', async () => {
    for (let i = 0; i < LIMIT; i++) expect(await post('127.0.0.2', `203.0.113.${i}`)).toBe(404);
    expect(await post('127.0.0.2', '203.0.113.200')).toBe(429);
    for (let i = 0; i < LIMIT; i++) expect(await post('127.0.0.3')).toBe(404);
    expect(await post('127.0.0.3')).toBe(429);
  });
});
