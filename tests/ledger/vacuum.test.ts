/**
 * The sequencer vacuums the tree state table every `vacuumEveryBatches` committed
 * batches (every batch rewrites its one row with the partial tiles, ~9 KB out of line,
 * and leaves the old ones behind). The count comes from the database's own statistics
 * (`pg_stat_all_tables.vacuum_count`), not only from the sequencer's counter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/index.ts';
import { utf8 } from '../../src/ledger/index.ts';
import { nodeRfc6962 } from '../../src/ledger/node/index.ts';
import { LogStore, Sequencer } from '../../src/ledger/pg/index.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/db.ts';

let database: TestDatabase;
let store: LogStore;

beforeAll(async () => {
  database = await openTestDatabase();
  store = new LogStore(database.db, nodeRfc6962);
});
afterAll(async () => {
  await database?.close();
});

/** Vacuums of log_tree_state as the database counts them (manual VACUUM only). */
async function vacuumCount(): Promise<number> {
  const rows = await queryRows<{ n: unknown }>(database.db, sql`SELECT vacuum_count AS n FROM pg_stat_all_tables WHERE relname = 'log_tree_state'`);
  return Number(rows[0]?.n ?? 0);
}

describe('vacuuming the tree state', () => {
  it('runs every vacuumEveryBatches committed batches, one at a time, beside the batches', async () => {
    const before = await vacuumCount();
    const sequencer = new Sequencer({ store, maxBatch: 1, vacuumEveryBatches: 3 });
    // ten batches of one entry each, one after the other
    for (let i = 0; i < 10; i++) await sequencer.append(utf8(`{"vacuum":${i}}`));
    await sequencer.close();
    const stats = sequencer.stats;
    expect(stats.batches).toBe(10);
    expect(stats.vacuumFailures).toBe(0);
    // batches 3, 6 and 9 each start one unless the one before is still running
    expect(stats.vacuums).toBeGreaterThanOrEqual(1);
    expect(stats.vacuums).toBeLessThanOrEqual(3);
    expect((await vacuumCount()) - before).toBe(stats.vacuums);
    expect((await store.treeState()).size).toBe(10);
  });

  it('never with vacuumEveryBatches 0', async () => {
    const before = await vacuumCount();
    const sequencer = new Sequencer({ store, maxBatch: 1, vacuumEveryBatches: 0 });
    for (let i = 0; i < 5; i++) await sequencer.append(utf8(`{"novacuum":${i}}`));
    await sequencer.close();
    expect(sequencer.stats.vacuums).toBe(0);
    expect(await vacuumCount()).toBe(before);
  });
});
