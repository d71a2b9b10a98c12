/**
 * Acceptance: a tlog-tiles client written from the C2SP specs (tests/helpers/tlog-client.ts,
 * no code shared with src/ledger) verifies the checkpoint signature with the published
 * verifier key, every tile, every entry bundle, inclusion proofs and consistency between
 * two checkpoints, against the HTTP API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.tsx';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import * as client from '../helpers/tlog-client.ts';

let ctx: TestContext;
let fetchPath: (p: string) => Promise<Response>;

async function appendMany(n: number, tag: string) {
  await Promise.all(Array.from({ length: n }, (_, i) => ctx.appendEvent({ kind: 'test.filler', tag, n: i })));
}

beforeAll(async () => {
  ctx = await createTestContext();
  const app = createApp(ctx.services);
  fetchPath = async (p) => app.request(p);
  await appendMany(699, 'a'); // after the 3 key.added entries (log, certificate, document): 702 in all
});
afterAll(async () => {
  await ctx?.close();
});

describe('tlog-tiles client', () => {
  it('verifies the whole log, then inclusion and consistency after the log grows', async () => {
    const keys = (await (await fetchPath('/v1/keys')).json()) as { keys: { vkey: string; purpose: string }[] };
    const vkey = keys.keys.find((k) => k.purpose === 'log')!.vkey;
    expect(vkey).toBe(ctx.logKey.vkey); // what the operator pinned out of band
    const trusted = client.parseVkey(vkey);

    const res1 = await fetchPath('/checkpoint');
    expect(res1.headers.get('content-type')).toMatch(/^text\/plain/);
    const cp1 = client.verifyCheckpoint(await res1.text(), trusted);
    expect(cp1.size).toBe(702); // 3 key.added entries + 699
    const log1 = await client.verifyWholeLog(fetchPath, cp1.size, cp1.root);
    expect(log1.cacheControl.get('/tile/0/000')).toBe('public, max-age=31536000, immutable');
    expect(log1.cacheControl.get('/tile/entries/000')).toBe('public, max-age=31536000, immutable');
    expect(log1.cacheControl.get('/tile/0/002.p/190')).not.toMatch(/immutable/);
    expect(JSON.parse(new TextDecoder().decode(log1.entries[5])).kind).toBe('test.filler');

    // grow the log across a level-1 boundary and take a second checkpoint
    await appendMany(600, 'b');
    const cp2 = client.verifyCheckpoint(await (await fetchPath('/checkpoint')).text(), trusted);
    expect(cp2.size).toBe(1302);
    const log2 = await client.verifyWholeLog(fetchPath, cp2.size, cp2.root);
    // the old tree is a prefix of the new one
    expect(log2.leaves.slice(0, cp1.size).map(client.hex)).toEqual(log1.leaves.map(client.hex));

    // consistency: the client's own proof and the server's proof both link cp1 to cp2
    const own = client.consistency(cp1.size, log2.leaves);
    const served = (await (await fetchPath(`/v1/log/proof/consistency?from=${cp1.size}&to=${cp2.size}`)).json()) as { proof: string[] };
    expect(served.proof).toEqual(own.map(client.hex));
    expect(client.hex(client.mth(log2.leaves.slice(0, cp1.size)))).toBe(client.hex(cp1.root));

    // inclusion: for a spread of leaves, served proofs equal the RFC definition and fold to the root
    for (const index of [0, 1, 255, 256, 700, 1023, 1024, 1301]) {
      const res = await fetchPath(`/v1/log/proof/inclusion?index=${index}&size=${cp2.size}`);
      const body = (await res.json()) as { leafHash: string; proof: string[]; checkpoint?: string };
      expect(body.leafHash).toBe(client.hex(log2.leaves[index]!));
      expect(body.proof).toEqual(client.path(index, log2.leaves).map(client.hex));
      const root = client.rootFromPath(index, cp2.size, log2.leaves[index]!, body.proof.map((h) => new Uint8Array(Buffer.from(h, 'hex'))));
      expect(client.hex(root)).toBe(client.hex(cp2.root));
      expect(client.verifyCheckpoint(body.checkpoint!, trusted).size).toBe(cp2.size);
    }

    // entry JSON endpoint agrees with the entry bundle
    const e = (await (await fetchPath('/v1/log/entries/900')).json()) as { entry: string; leafHash: string };
    expect(Buffer.from(e.entry, 'base64')).toEqual(Buffer.from(log2.entries[900]!));
    expect(e.leafHash).toBe(client.hex(log2.leaves[900]!));

    // a partial tile asked for after the tile has grown is still served as its prefix
    const oldPartial = new Uint8Array(await (await fetchPath('/tile/0/002.p/190')).arrayBuffer());
    expect(client.hex(oldPartial)).toBe(log2.leaves.slice(512, 702).map(client.hex).join(''));
  });
});
