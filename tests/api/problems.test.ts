/**
 * The HTTP error boundary (issue 15, finding 2): hono's own refusals — a wrong
 * Content-Type, malformed JSON, a broken multipart page post — are problems (or pages)
 * with stable codes, never a 500; an unknown error is a generic 500 that reveals nothing
 * and is logged.
 */
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { LedgerError } from '../../src/ledger/index.ts';
import { SequencerError } from '../../src/ledger/pg/index.ts';
import { RegistryError } from '../../src/registry/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { makeActor, type Actor } from '../helpers/registry.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let admin: Actor;
const logged: { level: number; msg: string; err?: { message?: string; type?: string } }[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logged.push(JSON.parse(line) as (typeof logged)[number]);
      done();
    },
  });
  app = createApp(ctx.services, { logger: pino({ level: 'info' }, sink) });
  // routes that fail on purpose, added to the real app behind its real boundary
  app.get('/v1/test/unknown', () => {
    throw new TypeError('secret-7f3a: connection string postgres://u:pw@db');
  });
  app.get('/v1/test/missing-node', () => {
    throw new LedgerError('missing_node', 'node level 3 index 9 is missing (secret-91c2)');
  });
  app.get('/v1/test/sequencer', () => {
    throw new SequencerError('sequencer_fatal', 'the sequencer stopped: tree shrank from 90 to 30 (secret-5d1e)');
  });
  app.get('/v1/test/conflict', () => {
    throw new RegistryError('version_conflict', 'the application changed (version 4)');
  });
  app.get('/v1/test/query', async () => {
    await ctx.database.db.execute(sql`SELECT ${'secret-param-9a8b'}::text AS a, 1 / 0 AS b`);
    return new Response('unreachable');
  });
  app.get('/test/unknown-page', () => {
    throw new Error('secret-page-88');
  });
  admin = await makeActor(ctx, 'admin', 'registry');
});
afterAll(async () => {
  await ctx?.close();
});

async function problemOf(res: Response): Promise<{ status: number; code: string; detail?: string; title: string; type: string }> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = (await res.json()) as { status: number; code: string; detail?: string; title: string; type: string };
  expect(body.status).toBe(res.status);
  expect(body.type).toBe(`/problems/${body.code}`);
  expect(body.title).toBeTruthy();
  return body;
}

describe("hono's refusals become problems with stable codes", () => {
  it('a body whose Content-Type the route does not accept: 415 unsupported_media_type', async () => {
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
      const res = await app.request('/v1/organisations', { method: 'POST', headers: { ...admin.auth, 'content-type': type }, body: '{"name":"x","kind":"bank"}' });
      expect(res.status, type).toBe(415);
      expect((await problemOf(res)).code, type).toBe('unsupported_media_type');
    }
  });

  it('malformed JSON: 400 malformed_json', async () => {
    for (const body of ['{"name":', '{name: "x"}', '\u0000', '[1,]', '']) {
      const res = await app.request('/v1/organisations', { method: 'POST', headers: { ...admin.auth, 'content-type': 'application/json' }, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await problemOf(res)).code, JSON.stringify(body)).toBe('malformed_json');
    }
  });

  it('a broken multipart page post (POST /login): a 400 page for a person, a 400 problem for a program', async () => {
    const garbage = 'this is not multipart at all\r\n--y\r\nContent-Disposition: nonsense\r\n\r\n';
    const asPage = await app.request('/login', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x', accept: 'text/html' }, body: garbage });
    expect(asPage.status).toBe(400);
    expect(asPage.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await asPage.text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('malformed_form');

    const asProgram = await app.request('/login', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: garbage });
    expect(asProgram.status).toBe(400);
    expect((await problemOf(asProgram)).code).toBe('malformed_form');
    // no boundary at all
    const noBoundary = await app.request('/login', { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: garbage });
    expect(noBoundary.status).toBe(400);
    expect((await problemOf(noBoundary)).code).toBe('malformed_form');
  });

  it('a well-formed page post still reaches its handler (the parsed form is reused)', async () => {
    const res = await app.request('/login', { method: 'POST', body: new URLSearchParams({ username: 'nobody', password: 'wrong password!' }) });
    expect(res.status).toBeLessThan(500);
    expect(res.status).not.toBe(400);
    const multipart = new FormData();
    multipart.set('username', 'nobody');
    multipart.set('password', 'wrong password!');
    const res2 = await app.request('/login', { method: 'POST', body: multipart });
    expect(res2.status).toBe(res.status);
  });
});

describe('errors the boundary does not know, or must not reveal', () => {
  it('an unknown error: a generic 500 that reveals nothing, and is logged', async () => {
    const before = logged.length;
    const res = await app.request('/v1/test/unknown');
    expect(res.status).toBe(500);
    const text = await res.clone().text();
    expect(text).not.toMatch(/secret-7f3a|postgres:|TypeError|stack/);
    expect((await problemOf(res)).code).toBe('internal_error');
    const entry = logged.slice(before).find((l) => l.level >= 50);
    expect(entry?.err?.message).toContain('secret-7f3a');
  });

  it('a failed query is logged with its SQL and the database error, never its parameters (issue 15, finding 4)', async () => {
    const before = logged.length;
    const res = await app.request('/v1/test/query');
    expect(res.status).toBe(500);
    expect((await problemOf(res)).code).toBe('internal_error');
    const lines = logged.slice(before);
    const entry = lines.find((l) => l.level >= 50) as { err?: { query?: string; cause?: { code?: string } } } | undefined;
    expect(entry?.err?.query).toContain('1 / 0');
    expect(entry?.err?.cause?.code).toBe('22012'); // division_by_zero
    expect(JSON.stringify(lines)).not.toContain('secret-param-9a8b');
  });

  it('a code whose status is 500 (missing_node) is served like an unknown error, and logged', async () => {
    const before = logged.length;
    const res = await app.request('/v1/test/missing-node');
    expect(res.status).toBe(500);
    expect(await res.clone().text()).not.toMatch(/secret-91c2|missing_node/);
    expect((await problemOf(res)).code).toBe('internal_error');
    expect(logged.slice(before).some((l) => l.level >= 50 && l.err?.message?.includes('secret-91c2'))).toBe(true);
  });

  it('a domain 503 names its code but not its internal message, and is logged', async () => {
    const before = logged.length;
    const res = await app.request('/v1/test/sequencer');
    expect(res.status).toBe(503);
    expect(await res.clone().text()).not.toContain('secret-5d1e');
    expect((await problemOf(res)).code).toBe('sequencer_fatal');
    expect(logged.slice(before).some((l) => l.level >= 50 && l.err?.message?.includes('secret-5d1e'))).toBe(true);
  });

  it('a domain refusal is served with its code and message, and not logged as an error', async () => {
    const before = logged.length;
    const res = await app.request('/v1/test/conflict');
    expect(res.status).toBe(409);
    const p = await problemOf(res);
    expect(p.code).toBe('version_conflict');
    expect(p.detail).toBe('the application changed (version 4)');
    expect(logged.slice(before).some((l) => l.level >= 50)).toBe(false);
  });

  it('an unknown error on a page: a generic 500 page', async () => {
    const res = await app.request('/test/unknown-page', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(500);
    const html = await res.text();
    expect(html).toContain('internal_error');
    expect(html).not.toContain('secret-page-88');
  });
});
