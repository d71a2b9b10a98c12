/**
 * Bounds on the log's own transactions on PostgreSQL, so that a hung holder of the
 * sequencer's row lock or the publisher's lock (a process stopped with SIGSTOP, a
 * stalled network) loses it within seconds and another instance takes over:
 *  - `lock_timeout`: how long a statement waits for a lock before it fails (55P03);
 *  - `statement_timeout`: how long one statement may run (it includes a lock wait,
 *    so keep it above `lock_timeout`);
 *  - `idle_in_transaction_session_timeout`: the server ends the session (and so its
 *    transaction and locks) of a client that stays idle inside a transaction — the
 *    hung holder's case.
 * Set with `set_config(…, true)` (= SET LOCAL): they end with the transaction.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';

export interface TransactionTimeouts {
  lockMs: number;
  statementMs: number;
  idleInTransactionMs: number;
}

/** Apply the timeouts to the current transaction (one round trip). PostgreSQL only. */
export async function setTransactionTimeouts(tx: Db, t: TransactionTimeouts): Promise<void> {
  await tx.execute(
    sql`SELECT set_config('lock_timeout', ${`${t.lockMs}ms`}, true), set_config('statement_timeout', ${`${t.statementMs}ms`}, true),
               set_config('idle_in_transaction_session_timeout', ${`${t.idleInTransactionMs}ms`}, true)`,
  );
}

/** The SQLSTATE of a driver error (postgres.js puts it on the error, drizzle on its cause). */
export function sqlState(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

/** SQLSTATE 55P03 lock_not_available: a lock wait ran into `lock_timeout`. */
export const LOCK_NOT_AVAILABLE = '55P03';
