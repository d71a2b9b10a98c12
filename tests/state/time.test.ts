/**
 * Entry times never go back (docs/log-format.md §9), with an injected clock, on both
 * databases: a clock that reads earlier than the newest entry — within the allowed skew —
 * is clamped (the next entries carry the newest entry's time, and audit is clean); a
 * clock further behind stops writes (`clock_went_back`); an entry with an earlier time is
 * refused; and a log where a time does go back (written by a writer that does not clamp)
 * is named by audit at that index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry } from '../../src/ledger/index.ts';
import { LogStore, Sequencer } from '../../src/ledger/pg/index.ts';
import { nodeRfc6962 } from '../../src/ledger/node/index.ts';
import { auditState } from '../../src/state/pg/index.ts';
import { createTestContext, type TestContext } from '../helpers/context.ts';
import { makeActor } from '../helpers/registry.ts';

const MINUTE = 60_000;
let ctx: TestContext;

const times = async (from: number) => {
  const size = (await ctx.store.treeState()).size;
  return (await ctx.store.entries(from, size)).map((e) => decodeEntry(e).time);
};

beforeAll(async () => {
  // the registry allows 10 minutes of clock skew (several servers' clocks), not 50 years
  ctx = await createTestContext({ DATADEED_MAX_CLOCK_SKEW_MS: String(10 * MINUTE) });
});
afterAll(async () => {
  await ctx?.close();
});

describe('entry times never go back', () => {
  it('a clock moved back within the skew is clamped to the newest entry’s time', async () => {
    ctx.clock.advance(5 * MINUTE);
    await makeActor(ctx, 'bank', 'bank');
    const from = (await ctx.store.treeState()).size;
    const newest = (await times(from - 1))[0]!;
    ctx.clock.advance(-3 * MINUTE); // the clock now reads 3 minutes before the newest entry
    expect(ctx.now().toISOString()).toBe(newest);
    await makeActor(ctx, 'insurer', 'insurer');
    await ctx.appendEvent({ kind: 'test.after_clock_jump' });
    const after = await times(from);
    expect(after.length).toBeGreaterThanOrEqual(2);
    for (const t of after) expect(t).toBe(newest); // not the clock's earlier reading
    ctx.clock.advance(4 * MINUTE); // past the newest again: the clock's time
    await ctx.appendEvent({ kind: 'test.clock_caught_up' });
    expect((await times((await ctx.store.treeState()).size - 1))[0]).toBe(ctx.clock.now().toISOString());
    const audit = await auditState({ db: ctx.database.db });
    expect(audit.anomalies).toEqual([]);
  });

  it('an entry stamped before the newest is refused and writes nothing', async () => {
    const before = (await ctx.store.treeState()).size;
    const earlier = new Date(ctx.clock.now().getTime() - MINUTE).toISOString();
    await expect(ctx.appendEvent({ kind: 'test.backdated', time: earlier })).rejects.toMatchObject({ code: 'state_diverged' });
    expect((await ctx.store.treeState()).size).toBe(before);
  });

  it('audit names a time that goes back, written by a writer that does not clamp', async () => {
    const other = new Sequencer({ store: new LogStore(ctx.database.db, nodeRfc6962), now: () => ctx.clock.now() });
    const newest = ctx.clock.now().getTime();
    const ack = await other.append(encodeEntry({ kind: 'test.backdated', time: new Date(newest - 2 * MINUTE).toISOString() }));
    await other.close();
    const audit = await auditState({ db: ctx.database.db });
    expect(audit.ok).toBe(false);
    expect(audit.anomalies).toEqual([{ index: ack.index, code: 'time_went_back', message: expect.stringContaining('before the previous entry') }]);
    // the registry goes on from the newest time, not the back-dated one
    await ctx.appendEvent({ kind: 'test.after_backdated' });
    expect((await times(ack.index + 1))[0]).toBe(new Date(newest).toISOString());
  });

  it('a clock further behind than the skew stops writes (clock_went_back)', async () => {
    ctx.clock.advance(-60 * MINUTE);
    await expect(ctx.appendEvent({ kind: 'test.far_behind' })).rejects.toMatchObject({ code: 'clock_went_back' });
    await expect(ctx.appendEvent({ kind: 'test.far_behind' })).rejects.toMatchObject({ code: 'sequencer_fatal' });
  });
});
