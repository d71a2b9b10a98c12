/**
 * The evidence chain read (issue 15, finding 7: a chain of 1,500 links cost 1 s and 1.6 MB
 * per anonymous read — one query per link, up to 10,000). It is paged — `limit` (default
 * 50, at most 200) and `nextCursor`, the registry's keyset cursors — and a page costs the
 * same few queries however long the chain and wherever the page is: the links in one
 * recursive query, every proof from one read of the tree. Queries are counted at the
 * database client, those the request runs only (its async context): checkpoints are
 * published on demand only, but other work beside it (the sequencer's periodic vacuum of
 * the tree state, the state commitments) also runs statements on the same client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { createApp } from '../../src/api/app.tsx';
import { authenticateToken } from '../../src/accounts/pg/index.ts';
import { fromHex, parseCheckpoint, rfc6962, verifyInclusion } from '../../src/ledger/index.ts';
import { encodeCursor } from '../../src/registry/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { makeActor, type Actor } from '../helpers/registry.ts';

const LINKS = 300;
let ctx: TestContext;
let app: ReturnType<typeof createApp>;
let alice: Actor;
let chain: string[] = []; // newest first
let queries = 0;
/** Set while a counted request runs: statements issued in its async context are counted. */
const counted = new AsyncLocalStorage<true>();

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

interface ChainPage {
  checkpoint: string;
  treeSize: number;
  items: { id: string; previous: string | null; logIndex: number; leafHash: string; proof: string[]; title?: string }[];
  nextCursor: string | null;
}

/** GET a page; returns the body and how many queries the database client ran for it. */
async function page(id: string, query = ''): Promise<{ status: number; body: ChainPage & { code?: string }; queries: number }> {
  const before = queries;
  const res = await counted.run(true, () => app.request(`/v1/evidence/${id}/chain${query}`));
  const body = (await res.json()) as ChainPage & { code?: string };
  return { status: res.status, body, queries: queries - before };
}

/** Count every statement a counted request asks the database client to run (PGlite `query`, postgres-js `unsafe`). */
function countQueries(): void {
  const client = (ctx.database.db as unknown as { $client: Record<string, unknown> }).$client;
  for (const name of ['query', 'unsafe'] as const) {
    const original = client[name];
    if (typeof original !== 'function') continue;
    client[name] = function (this: unknown, ...args: unknown[]) {
      if (counted.getStore()) queries++;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
}

beforeAll(async () => {
  ctx = await createTestContext({ DATADEED_CHECKPOINT_INTERVAL_MS: '3600000' });
  app = createApp(ctx.services);
  alice = await makeActor(ctx, 'applicant', 'enterprise');
  const p = (await authenticateToken(ctx.database.db, alice.token, ctx.clock.now()))!;
  let previous: string | undefined;
  for (let i = 0; i < LINKS; i++) {
    ctx.clock.advance(1000);
    const r = await ctx.registry.evidence.deposit(p, [{ digest: sha(`version ${i}`), kind: 'snapshot', title: `version ${i}`, ...(previous ? { previous } : {}) }]);
    previous = r.items[0]!.deposit.id;
    chain.unshift(previous);
  }
  countQueries();
}, 300_000);
afterAll(async () => {
  await ctx?.close();
});

describe('the evidence chain, paged', () => {
  it('walks 300 links in pages of 50 (the default), newest first, each page continuing the last', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await page(chain[0]!, cursor ? `?cursor=${cursor}` : '');
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBe(50);
      for (const [i, link] of r.body.items.entries()) {
        // each link's previous is the next link (or the first of the next page)
        if (i + 1 < r.body.items.length) expect(link.previous).toBe(r.body.items[i + 1]!.id);
        expect(link.title).toBeUndefined(); // anonymous: no private fields
      }
      seen.push(...r.body.items.map((x) => x.id));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(6);
    expect(seen).toEqual(chain);
  });

  it('honours limit, from any link of the chain; the last page has no cursor', async () => {
    const r1 = await page(chain[0]!, '?limit=7');
    expect(r1.body.items.map((x) => x.id)).toEqual(chain.slice(0, 7));
    const r2 = await page(chain[0]!, `?limit=7&cursor=${r1.body.nextCursor}`);
    expect(r2.body.items.map((x) => x.id)).toEqual(chain.slice(7, 14));
    const tail = await page(chain[290]!, '?limit=200');
    expect(tail.body.items.map((x) => x.id)).toEqual(chain.slice(290));
    expect(tail.body.nextCursor).toBeNull();
    const exact = await page(chain[100]!, '?limit=200');
    expect(exact.body.items.map((x) => x.id)).toEqual(chain.slice(100, 300));
    expect(exact.body.nextCursor).toBeNull();
    const whole = await page(chain[99]!, '?limit=200');
    expect(whole.body.items).toHaveLength(200);
    const rest = await page(chain[99]!, `?limit=200&cursor=${whole.body.nextCursor}`);
    expect(rest.body.items.map((x) => x.id)).toEqual([chain[299]]);
    expect(rest.body.nextCursor).toBeNull();
  });

  it('every link carries an inclusion proof in the checkpoint served with it', async () => {
    const r = await page(chain[0]!, '?limit=200');
    const body = r.body.checkpoint.slice(0, r.body.checkpoint.indexOf('\n\n') + 1);
    const cp = parseCheckpoint(body);
    expect(cp.size).toBe(r.body.treeSize);
    for (const link of r.body.items) verifyInclusion(rfc6962, link.logIndex, cp.size, fromHex(link.leafHash), link.proof.map(fromHex), cp.rootHash);
  });

  it('a page costs the same few queries, whatever its size and wherever it is in the chain', async () => {
    const counts: number[] = [];
    let cursor: string | null = null;
    // the tiles the proofs fold from are read once, then held in memory (they never change)
    await page(chain[0]!, '?limit=200');
    await page(chain[299]!);
    do {
      const r = await page(chain[0]!, `?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
      counts.push(r.queries);
      cursor = r.body.nextCursor;
    } while (cursor);
    counts.push((await page(chain[0]!, '?limit=1')).queries);
    counts.push((await page(chain[0]!, '?limit=200')).queries);
    counts.push((await page(chain[299]!)).queries);
    expect(new Set(counts).size, counts.join(',')).toBe(1);
    // the links and the checkpoint; the proofs' tiles come from memory (before: one query per link, and one per proof)
    expect(counts[0]).toBe(2);
  });

  it('refuses a limit out of range, a cursor it did not hand out, and an unknown deposit', async () => {
    expect((await page(chain[0]!, '?limit=201')).status).toBe(400);
    expect((await page(chain[0]!, '?limit=0')).status).toBe(400);
    const garbage = await page(chain[0]!, '?cursor=not-a-cursor');
    expect([garbage.status, garbage.body.code]).toEqual([400, 'invalid_cursor']);
    const forged = encodeCursor({ at: new Date('2026-01-01T00:00:00.000Z'), id: 'EV-2026-99999999' });
    const f = await page(chain[0]!, `?cursor=${forged}`);
    expect([f.status, f.body.code]).toEqual([400, 'invalid_cursor']);
    const missing = await page('EV-2026-99999999');
    expect([missing.status, missing.body.code]).toEqual([404, 'deposit_not_found']);
  });
});
