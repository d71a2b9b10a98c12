/**
 * Subscriptions and webhooks (issue 19) with a local receiver, on both databases: a bank
 * subscribed to an industry learns of a new notice, a holder subscribed to its USCC of a
 * filing for it, a certificate's subscriber of its pledge — each event delivered once
 * (one successful POST per delivery id), with a valid HMAC-SHA256 signature recomputed
 * here with node:crypto; a failing receiver is retried with back-off and the delivery log
 * shows each attempt; a receiver that never answers does not hold up the write that caused
 * the event; the Atom feed of notices.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { completeForm, makeActor, type Actor } from '../helpers/registry.ts';

const DAY = 86_400_000;

interface Received {
  path: string;
  body: string;
  signature: string;
  delivery: string;
  status: number;
}

let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let applicant: Actor;
let reviewer: Actor;
let bank: Actor;
let server: Server;
let base: string;
const received: Received[] = [];
/** Per path: how many more requests to fail with 503 before answering 204; 'hang' never answers. */
const failures = new Map<string, number | 'hang'>();
const hanging: ServerResponse[] = [];

async function call(method: string, p: string, who?: Actor | null, body?: unknown) {
  const res = await app.request(p, {
    method,
    headers: { ...(who ? who.auth : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : text) as any, type: res.headers.get('content-type') };
}

/** Run the dispatcher until nothing is due (moving the clock past each back-off). */
async function drain(rounds = 12) {
  for (let i = 0; i < rounds; i++) {
    await ctx.webhooks.idle();
    await ctx.webhooks.runOnce();
    ctx.clock.advance(60_000);
  }
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const f = failures.get(path) ?? 0;
      if (f === 'hang') {
        hanging.push(res);
        return;
      }
      const status = f > 0 ? 503 : 204;
      if (f > 0) failures.set(path, f - 1);
      received.push({ path, body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['x-datadeed-signature']), delivery: String(req.headers['x-datadeed-delivery']), status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ctx = await createTestContext({}, { webhooks: { retryMinMs: 1000, retryMaxMs: 30_000, timeoutMs: 1000, intervalMs: 3_600_000 } });
  app = createApp(ctx.services);
  applicant = await makeActor(ctx, 'applicant', 'enterprise');
  reviewer = await makeActor(ctx, 'reviewer', 'registry');
  bank = await makeActor(ctx, 'bank', 'bank');
});
afterAll(async () => {
  for (const r of hanging) r.destroy();
  await ctx?.close();
  await new Promise<void>((r) => server.close(() => r()));
});

const verify = (secret: string, r: Received) => {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(r.signature);
  expect(m, r.signature).not.toBeNull();
  expect(createHmac('sha256', secret).update(`${m![1]}.${r.body}`).digest('hex')).toBe(m![2]);
};

describe('webhooks', () => {
  it('delivers each subscribed event once, signed; retries a failing receiver with back-off', async () => {
    const bankSub = await call('POST', '/v1/subscriptions', bank, { topic: 'industry', target: 'I65', url: `${base}/bank` });
    expect(bankSub.status, JSON.stringify(bankSub.body)).toBe(201);
    const holderSub = await call('POST', '/v1/subscriptions', applicant, { topic: 'holder', target: applicant.uscc, url: `${base}/holder` });
    expect(holderSub.status).toBe(201);
    // bad input refused at the field, nothing stored
    const bad = await call('POST', '/v1/subscriptions', bank, { topic: 'digest', target: 'not-hex', url: `${base}/x` });
    expect([400, 422]).toContain(bad.status);
    expect((bad.body as Record<string, any>).errors[0].path).toBe('target');
    expect((await call('POST', '/v1/subscriptions', bank, { topic: 'industry', target: 'I65', url: 'ftp://bank.example/' })).status).toBe(422);
    // the bank's receiver fails twice first
    failures.set('/bank', 2);

    const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!, { industry: 'I6510' }))).body.id;
    await call('POST', `/v1/applications/${id}/submit`, applicant);
    await call('POST', `/v1/applications/${id}/claim`, reviewer);
    const opened = await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
    expect(opened.status).toBe(200);
    // an application in another industry: no notice for the bank
    const other = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!, { industry: 'B07' }))).body.id;
    await call('POST', `/v1/applications/${other}/submit`, applicant);
    await call('POST', `/v1/applications/${other}/claim`, reviewer);
    await call('POST', `/v1/applications/${other}/open-notice`, reviewer);
    await drain();

    const toBank = received.filter((r) => r.path === '/bank');
    expect(toBank.map((r) => r.status)).toEqual([503, 503, 204]); // one event, retried until delivered
    for (const r of toBank) verify(bankSub.body.secret, r);
    const event = JSON.parse(toBank[2]!.body);
    expect(event).toMatchObject({ kind: 'notice.opened', subscription: { topic: 'industry', target: 'I65' }, entry: { applicationId: id } });
    expect(new Set(toBank.map((r) => r.delivery)).size).toBe(1);
    const log = await call('GET', `/v1/subscriptions/${bankSub.body.id}/deliveries`, bank);
    expect(log.body.items).toEqual([expect.objectContaining({ kind: 'notice.opened', state: 'delivered', attempts: 3, lastStatus: 204 })]);
    // nobody else sees the bank's delivery log
    expect((await call('GET', `/v1/subscriptions/${bankSub.body.id}/deliveries`, applicant)).status).toBe(404);

    // the holder: its filings (both applications' entries), each delivered exactly once
    const toHolder = received.filter((r) => r.path === '/holder');
    for (const r of toHolder) verify(holderSub.body.secret, r);
    const kinds = toHolder.map((r) => JSON.parse(r.body).kind);
    expect(kinds.filter((k) => k === 'application.submitted')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'notice.opened')).toHaveLength(2);
    const perDelivery = new Map<string, number>();
    for (const r of toHolder) perDelivery.set(r.delivery, (perDelivery.get(r.delivery) ?? 0) + 1);
    expect([...perDelivery.values()].every((n) => n === 1)).toBe(true);
    const indices = toHolder.map((r) => JSON.parse(r.body).logIndex);
    expect(new Set(indices).size).toBe(indices.length);

    // running again delivers nothing new
    const before = received.length;
    await drain(3);
    expect(received.length).toBe(before);
  });

  it('a certificate’s subscriber learns of its pledge; a receiver that never answers does not hold up the write', async () => {
    const id = (await call('POST', '/v1/applications', applicant, completeForm(applicant.uscc!))).body.id;
    await call('POST', `/v1/applications/${id}/submit`, applicant);
    await call('POST', `/v1/applications/${id}/claim`, reviewer);
    await call('POST', `/v1/applications/${id}/open-notice`, reviewer);
    ctx.clock.advance(10 * DAY);
    const number = (await call('POST', `/v1/applications/${id}/approve`, reviewer)).body.certificate.number;
    const sub = await call('POST', '/v1/subscriptions', bank, { topic: 'certificate', target: number, url: `${base}/cert` });
    failures.set('/slow', 'hang');
    const slow = await call('POST', '/v1/subscriptions', bank, { topic: 'certificate', target: number, url: `${base}/slow` });
    const term = { start: '2026-03-01', end: '2027-02-28' };
    const req = await call('POST', `/v1/certificates/${number}/pledges`, bank, { loanReference: 'L', amount: { value: '1.00', currency: 'CNY' }, term });
    // the write is acknowledged while a run may be waiting on the silent receiver
    ctx.webhooks.notify();
    const consent = await call('POST', `/v1/pledges/${req.body.id}/consent`, applicant);
    expect(consent.status).toBe(200);
    await drain(4);
    const toCert = received.filter((r) => r.path === '/cert').map((r) => JSON.parse(r.body));
    expect(toCert.map((e) => e.kind)).toEqual(['pledge.requested', 'pledge.recorded']);
    for (const r of received.filter((x) => x.path === '/cert')) verify(sub.body.secret, r);
    const slowLog = await call('GET', `/v1/subscriptions/${slow.body.id}/deliveries`, bank);
    expect(slowLog.body.items.length).toBe(2);
    expect(slowLog.body.items.every((d: { state: string; lastError: string | null }) => d.state === 'pending' && d.lastError === 'timeout')).toBe(true);
    // a stopped subscription gets nothing more
    expect((await call('DELETE', `/v1/subscriptions/${slow.body.id}`, bank)).body.active).toBe(false);
  });

  it('serves an Atom feed of notices, searchable by industry', async () => {
    const all = await call('GET', '/notices.atom', null);
    expect(all.status).toBe(200);
    expect(all.type).toContain('application/atom+xml');
    const xml = all.body as string;
    expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
    expect((xml.match(/<entry>/g) ?? []).length).toBe(2);
    const i = (await call('GET', '/notices.atom?industry=I65', null)).body as string;
    expect((i.match(/<entry>/g) ?? []).length).toBe(1);
    expect(i).toContain('<category term="I6510" scheme="GB/T 4754"/>');
    // well-formed XML (python3's parser, independent of ours)
    const { spawnSync } = await import('node:child_process');
    const py = spawnSync('python3', ['-c', 'import sys,xml.dom.minidom as m; d=m.parseString(sys.stdin.buffer.read()); print(len(d.getElementsByTagName("entry")))'], { input: xml, encoding: 'utf8' });
    if (py.error === undefined) expect(py.stdout.trim()).toBe('2');
  });
});
