/**
 * The read path (issue #20): tiles, entry bundles and the checkpoint carry an ETag; a
 * client that sends it back in If-None-Match gets 304 and no body; what is served from
 * memory is byte for byte what the database holds; a new checkpoint has a new ETag.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import * as client from '../helpers/tlog-client.ts';

let ctx: TestContext;
let get: (p: string, headers?: Record<string, string>) => Promise<Response>;

beforeAll(async () => {
  ctx = await createTestContext();
  const app = createApp(ctx.services);
  get = async (p, headers) => app.request(p, { headers });
  await Promise.all(Array.from({ length: 300 }, (_, i) => ctx.appendEvent({ kind: 'test.filler', n: i })));
});
afterAll(async () => {
  await ctx?.close();
});

describe('read path', () => {
  it('serves a full tile and its entries again from memory, equal, with an ETag that answers 304', async () => {
    for (const path of ['/tile/0/000', '/tile/entries/000', '/tile/0/001.p/47']) {
      const first = await get(path);
      expect(first.status).toBe(200);
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^".+"$/);
      const body1 = new Uint8Array(await first.arrayBuffer());
      const second = await get(path);
      expect(new Uint8Array(await second.arrayBuffer())).toEqual(body1);
      expect(second.headers.get('etag')).toBe(etag);
      const again = await get(path, { 'If-None-Match': `"x", ${etag}` });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
      expect(again.headers.get('etag')).toBe(etag);
      expect((await get(path, { 'If-None-Match': '"other"' })).status).toBe(200);
    }
    // the tiles from memory still verify as the whole log against the checkpoint
    const vkey = ctx.logKey.vkey;
    const cp = client.verifyCheckpoint(await (await get('/checkpoint')).text(), client.parseVkey(vkey));
    await client.verifyWholeLog(get, cp.size, cp.root);
  });

  it('gives the checkpoint an ETag that changes with each publication', async () => {
    const a = await get('/checkpoint');
    const tagA = a.headers.get('etag')!;
    expect(tagA).toMatch(/^"cp-\d+-[0-9a-f]{16}"$/);
    expect((await get('/checkpoint', { 'If-None-Match': tagA })).status).toBe(304);
    await ctx.appendEvent({ kind: 'test.filler', n: 'late' });
    const b = await get('/checkpoint', { 'If-None-Match': tagA });
    expect(b.status).toBe(200);
    expect(b.headers.get('etag')).not.toBe(tagA);
    const sizeA = Number(tagA.split('-')[1]);
    expect(Number(b.headers.get('etag')!.split('-')[1])).toBeGreaterThan(sizeA);
  });

  it('does not remember a tile beyond the tree (404 now, served once the tree reaches it)', async () => {
    const size = Number((await get('/checkpoint')).headers.get('etag')!.split('-')[1]);
    const next = Math.floor(size / 256) * 256 + 256; // the first full tile the tree has not reached
    const path = `/tile/0/${String(next / 256 - 1).padStart(3, '0')}`;
    expect((await get(path)).status).toBe(404);
    await Promise.all(Array.from({ length: next - size }, (_, i) => ctx.appendEvent({ kind: 'test.filler', n: `fill${i}` })));
    expect((await get(path)).status).toBe(200);
  });
});
