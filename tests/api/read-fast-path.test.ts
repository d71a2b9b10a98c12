/**
 * The read fast path of `datadeed serve` (issue #20): a ready tile, entry bundle or
 * checkpoint is written straight to the Node response, before hono — with the same
 * status, body and headers as the app's own answer (security headers, ETag, Cache-Control,
 * Content-Type), a request id, 304 for a matching If-None-Match, HEAD without a body,
 * and the request counted in /metrics under the same route pattern. Anything it has
 * no ready answer for goes on to the app.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, ReadAnswers, readFastPath, ServerMetrics } from '../../src/api/app.tsx';
import { startHttpServer } from '../../src/cli/http-server.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import * as client from '../helpers/tlog-client.ts';

let ctx: TestContext;
let server: Server;
let base: string;
let fastAnswers = 0;

beforeAll(async () => {
  ctx = await createTestContext();
  await Promise.all(Array.from({ length: 300 }, (_, i) => ctx.appendEvent({ kind: 'test.filler', n: i })));
  const metrics = new ServerMetrics({ log: ctx.services.log, now: () => ctx.clock.now() });
  const answers = new ReadAnswers(ctx.services.log, 8 * 1024 * 1024);
  const app = createApp(ctx.services, { metrics, readAnswers: answers });
  const fast = readFastPath(answers, { metrics });
  server = startHttpServer({
    fetch: app.fetch,
    port: 0,
    hostname: '127.0.0.1',
    fastPath: (req, res) => {
      const served = fast(req, res);
      if (served) fastAnswers++;
      return served;
    },
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await ctx?.close();
});

/** The headers of an answer but for those that differ from one answer to the next. */
function stable(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (k !== 'date' && k !== 'x-request-id' && k !== 'keep-alive' && k !== 'connection') out[k] = v;
  });
  return out;
}

async function counted(route: string, status: number, method = 'GET'): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`datadeed_http_requests_total{method="${method}",route="${route}",status="${status}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('the read fast path', () => {
  it('answers a ready tile, bundle or checkpoint exactly as the app does, without the app', async () => {
    for (const path of ['/tile/0/000', '/tile/entries/000', '/tile/0/001.p/44', '/checkpoint']) {
      const before = fastAnswers;
      const first = await fetch(base + path); // the app builds the answer (or the fast path has it already)
      const firstBody = new Uint8Array(await first.arrayBuffer());
      const second = await fetch(base + path);
      const secondBody = new Uint8Array(await second.arrayBuffer());
      expect(fastAnswers, path).toBeGreaterThan(before);
      expect(second.status).toBe(200);
      expect(secondBody).toEqual(firstBody);
      expect(stable(second), path).toEqual(stable(first));
      expect(second.headers.get('content-length')).toBe(String(secondBody.byteLength));
      expect(second.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
      expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
      expect(second.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(second.headers.get('x-frame-options')).toBe('DENY');
    }
    // the content types and cache rules of C2SP tlog-tiles
    const tile = await fetch(`${base}/tile/0/000`);
    expect(tile.headers.get('content-type')).toBe('application/octet-stream');
    expect(tile.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${base}/tile/0/001.p/44`)).headers.get('cache-control')).toBe('public, max-age=5');
    const cp = await fetch(`${base}/checkpoint`);
    expect(cp.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(cp.headers.get('cache-control')).toBe('no-cache');
    // what it serves still verifies as the whole log
    const checkpoint = client.verifyCheckpoint(await cp.text(), client.parseVkey(ctx.logKey.vkey));
    await client.verifyWholeLog((p) => fetch(base + p), checkpoint.size, checkpoint.root);
  });

  it('answers 304 to a matching If-None-Match, HEAD without a body, and keeps a well-formed request id', async () => {
    await fetch(`${base}/tile/0/000`);
    const tag = (await fetch(`${base}/tile/0/000`)).headers.get('etag')!;
    const before = fastAnswers;
    const again = await fetch(`${base}/tile/0/000`, { headers: { 'If-None-Match': `"x", ${tag}`, 'X-Request-Id': 'bank-trace-0042' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect(again.headers.get('etag')).toBe(tag);
    expect(again.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(again.headers.get('x-request-id')).toBe('bank-trace-0042');
    expect(again.headers.get('content-security-policy')).toContain("default-src 'self'");
    const head = await fetch(`${base}/tile/0/000`, { method: 'HEAD', headers: { 'X-Request-Id': 'bad id!' } });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(head.headers.get('content-length')).toBe('8192');
    expect(head.headers.get('x-request-id')).not.toBe('bad id!');
    expect(fastAnswers - before).toBe(2);
  });

  it('counts its answers in /metrics under the route pattern the app would have matched', async () => {
    await fetch(`${base}/tile/0/000`);
    const [ok, notModified, head] = [await counted('/tile/*', 200), await counted('/tile/*', 304), await counted('/tile/*', 200, 'HEAD')];
    const tag = (await fetch(`${base}/tile/0/000`)).headers.get('etag')!;
    await fetch(`${base}/tile/0/000`, { headers: { 'If-None-Match': tag } });
    await fetch(`${base}/tile/0/000`, { method: 'HEAD' });
    expect(await counted('/tile/*', 200)).toBe(ok + 1);
    expect(await counted('/tile/*', 304)).toBe(notModified + 1);
    expect(await counted('/tile/*', 200, 'HEAD')).toBe(head + 1);
  });

  it('answers a kept inclusion proof exactly as the app does, and counts it under the route', async () => {
    const size = Number((await (await fetch(`${base}/checkpoint`)).text()).split('\n')[1]);
    for (const path of [`/v1/log/proof/inclusion?index=7&size=${size}`, `/v1/log/proof/inclusion?size=${size}&index=${size - 1}`]) {
      const first = await fetch(base + path); // the app computes and keeps it
      const firstBody = await first.text();
      const before = fastAnswers;
      const countedBefore = await counted('/v1/log/proof/inclusion', 200);
      const second = await fetch(base + path, { headers: { 'X-Request-Id': 'bank-trace-0043' } });
      const secondBody = await second.text();
      expect(fastAnswers, path).toBe(before + 1);
      expect(second.status).toBe(200);
      expect(secondBody).toBe(firstBody);
      expect(stable(second), path).toEqual({ ...stable(first), 'content-length': String(Buffer.byteLength(secondBody)) });
      expect(second.headers.get('content-type')).toBe('application/json');
      expect(second.headers.get('x-request-id')).toBe('bank-trace-0043');
      expect(await counted('/v1/log/proof/inclusion', 200)).toBe(countedBefore + 1);
      const proof = JSON.parse(secondBody) as { index: number; treeSize: number; checkpoint?: string };
      expect(proof.treeSize).toBe(size);
      expect(proof.checkpoint).toContain(`\n${size}\n`);
    }
    // with credentials, another form of query, or a proof not kept: the app answers
    const before = fastAnswers;
    const path = `/v1/log/proof/inclusion?index=7&size=${size}`;
    expect((await fetch(base + path, { headers: { Authorization: 'Bearer nonsense' } })).status).toBe(401);
    expect((await fetch(base + path, { headers: { Cookie: 'dd_session=x' } })).status).toBe(200);
    expect((await fetch(`${base}${path}&x=1`)).status).toBe(200);
    expect((await fetch(`${base}/v1/log/proof/inclusion?index=07&size=${size}`)).status).toBe(400);
    expect((await fetch(`${base}/v1/log/proof/inclusion?index=8&size=${size}`)).status).toBe(200);
    expect(fastAnswers).toBe(before);
  });

  it('leaves to the app what it has no ready answer for', async () => {
    const before = fastAnswers;
    expect((await fetch(`${base}/tile/0/999`)).status).toBe(404); // beyond the tree
    expect((await fetch(`${base}/tile/0/0000`)).status).toBe(400); // not a tile path
    expect((await fetch(`${base}/tile/0/%30%30%30`)).status).toBe(200); // encoded: the app decodes it
    expect((await fetch(`${base}/checkpoint/`)).status).toBe(404);
    expect((await fetch(`${base}/tile/0/000`, { method: 'POST' })).status).toBeGreaterThanOrEqual(400);
    expect(fastAnswers).toBe(before);
  });
});
