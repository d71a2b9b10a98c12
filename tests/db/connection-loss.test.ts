/**
 * A connection that PostgreSQL ends in the middle of a transaction (an administrator's
 * pg_terminate_backend, the idle-in-transaction timeout after a pause, a fail-over, our
 * own lock waiter ending a frozen session) must fail that transaction with an error the
 * caller catches — never take the process down. postgres.js 3.4.9 schedules small writes
 * on a `setImmediate` and writes them to a socket its close handler has already set to
 * null (porsager/postgres#1154, #1208): the transaction's own ROLLBACK, or the caller's
 * next statement, threw an uncaught TypeError from the immediate. `patches/` repairs the
 * driver at install; this reproduces the crash without it.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database } from '../../src/db/index.ts';
import { openTestDatabase, usingPostgres, type TestDatabase } from '../helpers/db.ts';

describe.runIf(usingPostgres)('a connection ended by the server inside a transaction', () => {
  let primary: TestDatabase;
  let other: Database;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => void uncaught.push(err);
  beforeAll(async () => {
    primary = await openTestDatabase({ maxConnections: 2 });
    other = await openDatabase({ url: primary.url!, maxConnections: 1 });
    process.on('uncaughtException', onUncaught);
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await other?.close();
    await primary?.close();
  });

  /** Let pending immediates and timers run (the crash came from a setImmediate). */
  const drain = () => new Promise((r) => setTimeout(r, 200));

  it('rejects the transaction and the statements after the kill; the pool serves the next queries', async () => {
    for (let round = 0; round < 8; round++) {
      const attempt = primary.db.transaction(async (tx) => {
        const [me] = await queryRows<{ pid: number }>(tx, sql`SELECT pg_backend_pid() AS pid`);
        await queryRows(other.db, sql`SELECT pg_terminate_backend(${me!.pid})`);
        // work between two statements (hashing, signing): the close arrives meanwhile
        if (round % 2 === 0) await new Promise((r) => setTimeout(r, 50));
        // the caller's next statements, as a transaction with several steps issues them
        await queryRows(tx, sql`SELECT ${round}::int AS n`);
        await queryRows(tx, sql`SELECT 1 AS again`);
      });
      await expect(attempt).rejects.toThrow();
      await drain();
      expect(uncaught).toEqual([]);
      // the pool replaces the dead connection (a query already on its way to it may fail once)
      let n: number | undefined;
      for (let i = 0; i < 3 && n === undefined; i++) {
        n = await queryRows<{ n: number }>(primary.db, sql`SELECT ${round}::int AS n`).then(
          (rows) => rows[0]!.n,
          () => undefined,
        );
      }
      expect(n).toBe(round);
    }
  });
});
