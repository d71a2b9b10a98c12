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
 *
 * One case escapes all three: a client frozen *between the messages of one statement*.
 * postgres.js sends a new statement as Parse/Describe/Flush and waits for the parameter
 * types before Bind/Execute/Sync; a process stopped in that window leaves its backend
 * `active`, waiting on `ClientRead`, inside its transaction — not idle, so the idle
 * timeout never fires, and no statement runs, so the statement timeout does not either
 * (seen on PostgreSQL 15: a SIGSTOPped instance held the tree lock for the whole 20 s
 * it was stopped). {@link watchLockWait} covers it: a waiter that has not got its lock
 * within a second ends such sessions of this application that have waited on their
 * client longer than the idle bound — the same rule the server applies to idle ones.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/index.ts';

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

/** How long a lock wait runs before the waiter looks for a frozen holder, ms. */
const WATCH_AFTER_MS = 1000;

/**
 * End the sessions of this application (same database, same `application_name`) that
 * are inside a transaction and have waited for their client mid-statement longer than
 * `stalledMs`. Returns how many were ended. PostgreSQL only; a role may end its own
 * sessions without superuser rights.
 */
export async function endFrozenSessions(db: Db, stalledMs: number): Promise<number> {
  const [row] = await queryRows<{ n: unknown }>(
    db,
    sql`SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND application_name = current_setting('application_name')
          AND state = 'active' AND wait_event = 'ClientRead' AND xact_start IS NOT NULL
          AND state_change < clock_timestamp() - make_interval(secs => ${stalledMs / 1000})`,
  );
  return Number(row?.n ?? 0);
}

/**
 * Run `wait` (a statement that waits for a lock inside a transaction). If it has not
 * finished after a second, end frozen holders (see the file comment) every second on
 * another connection of `pool` until it does.
 */
export async function watchLockWait<T>(pool: Db, stalledMs: number, wait: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const watch = () => {
    timer = setTimeout(() => {
      endFrozenSessions(pool, stalledMs)
        .catch(() => 0)
        .finally(() => {
          if (!done) watch();
        });
    }, WATCH_AFTER_MS);
    timer.unref();
  };
  watch();
  try {
    return await wait();
  } finally {
    done = true;
    clearTimeout(timer);
  }
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
