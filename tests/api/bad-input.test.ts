/** Malformed paths and parameters get RFC 9457 problems with stable codes, never a 500. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { createTestContext, type TestContext } from '../helpers/context.ts';

let ctx: TestContext;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  ctx = await createTestContext();
  app = createApp(ctx.services);
  await Promise.all(Array.from({ length: 19 }, (_, i) => ctx.appendEvent({ kind: 'test.x', i })));
  expect((await ctx.store.latestCheckpoint())!.size).toBe(22);
});
afterAll(async () => {
  await ctx?.close();
});

async function expectProblem(path: string, status: number, code: string) {
  const res = await app.request(path);
  expect(res.status, path).toBe(status);
  expect(res.headers.get('content-type'), path).toBe('application/problem+json');
  const body = (await res.json()) as { code: string; status: number; title: string; type: string };
  expect(body.code, path).toBe(code);
  expect(body.status).toBe(status);
  expect(body.title).toBeTruthy();
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|stack/i);
}

describe('bad input', () => {
  it.each<readonly [string, string, number, string]>([
    ['/tile/0/-01', 400, 'malformed_tile_path'],
    ['/tile/0/1', 400, 'malformed_tile_path'],
    ['/tile/0/0001', 400, 'malformed_tile_path'],
    ['/tile/0/000.p/0', 400, 'malformed_tile_path'],
    ['/tile/0/000.p/256', 400, 'malformed_tile_path'],
    ['/tile/0/000.p/021x', 400, 'malformed_tile_path'],
    ['/tile/64/000', 400, 'malformed_tile_path'],
    ['/tile/01/000', 400, 'malformed_tile_path'],
    ['/tile/a/000', 400, 'malformed_tile_path'],
    ['/tile/0/x999/x999/x999/x999/x999/x999/999', 400, 'malformed_tile_path'],
    ['/tile/0/x000/001', 400, 'malformed_tile_path'],
    ['/tile/entries/abc', 400, 'malformed_tile_path'],
    ['/tile/' + 'x'.repeat(5000), 400, 'malformed_tile_path'],
    ['/tile/0/000', 404, 'tile_not_found'],
    ['/tile/0/001.p/3', 404, 'tile_not_found'],
    ['/tile/0/000.p/30', 404, 'tile_not_found'],
    ['/tile/1/000.p/1', 404, 'tile_not_found'],
    ['/tile/entries/000', 404, 'tile_not_found'],
    ['/tile/entries/x001/000', 404, 'tile_not_found'],
    ['/v1/log/entries/-1', 400, 'invalid_request'],
    ['/v1/log/entries/1.5', 400, 'invalid_request'],
    ['/v1/log/entries/abc', 400, 'invalid_request'],
    ['/v1/log/entries/007', 400, 'invalid_request'],
    ['/v1/log/entries/99999999999999999999', 400, 'invalid_request'],
    ['/v1/log/entries/22', 404, 'entry_not_found'], // 3 key entries (log, certificate, document) + 19 events
    ['/v1/log/entries/9007199254740991', 404, 'entry_not_found'],
    ['/v1/log/proof/inclusion', 400, 'invalid_request'],
    ['/v1/log/proof/inclusion?index=-1', 400, 'invalid_request'],
    ['/v1/log/proof/inclusion?index=x&size=2', 400, 'invalid_request'],
    ['/v1/log/proof/inclusion?index=5&size=5', 400, 'index_out_of_range'],
    ['/v1/log/proof/inclusion?index=0&size=0', 400, 'index_out_of_range'],
    ['/v1/log/proof/inclusion?index=0&size=1000', 400, 'size_beyond_tree'],
    ['/v1/log/proof/inclusion?index=0&size=1e3', 400, 'invalid_request'],
    ['/v1/log/proof/consistency?from=5&to=3', 400, 'invalid_tree_size'],
    ['/v1/log/proof/consistency?from=1&to=99999', 400, 'size_beyond_tree'],
    ['/v1/log/proof/consistency?from=&to=3', 400, 'invalid_request'],
    ['/v1/nothing', 404, 'route_not_found'],
  ].map(([p, s, c]) => [String(p).slice(0, 60), String(p), Number(s), String(c)] as const))('%s', async (_label, path, status, code) => {
    await expectProblem(path, status, code);
  });

  it('serves the OpenAPI document and the operational endpoints', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/log/entries/{index}', '/v1/log/proof/inclusion', '/v1/log/proof/consistency', '/v1/keys']),
    );
    const docs = await app.request('/docs');
    expect(docs.status).toBe(200);
    const html = await docs.text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('/v1/log/proof/inclusion');
    expect((await app.request('/healthz')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toMatch(new RegExp(`^datadeed_log_tree_size ${(await ctx.store.latestCheckpoint())!.size}$`, 'm'));
  });

  it('rejects oversized bodies with a problem', async () => {
    const res = await app.request('/v1/keys', { method: 'POST', body: 'x'.repeat(2 * 1024 * 1024), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('body_too_large');
  });

  it('consistency and inclusion edge cases answer correctly', async () => {
    const same = (await (await app.request('/v1/log/proof/consistency?from=7&to=7')).json()) as { proof: string[] };
    expect(same.proof).toEqual([]);
    const one = (await (await app.request('/v1/log/proof/inclusion?index=0&size=1')).json()) as { proof: string[] };
    expect(one.proof).toEqual([]);
  });
});
