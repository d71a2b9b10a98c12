/**
 * Gap-free per-year sequence numbers (certificate, pledge and deposit numbers).
 * The counter row is updated inside the caller's transaction, so it is row-locked
 * until commit and rolled back with it: numbers are unique, never skipped, and a
 * failed transaction (or savepoint) gives its numbers back.
 */
import { sql } from 'drizzle-orm';
import { queryRows, toNumber, type Db } from './database.ts';

export type CounterTable = 'certificate_counters' | 'pledge_counters' | 'deposit_counters' | 'registration_counters';

/** Reserve `count` numbers for `year`; returns the first (1-based). */
export async function reserveNumbers(tx: Db, table: CounterTable, year: number, count = 1): Promise<number> {
  const t = sql.raw(table);
  const [row] = await queryRows<{ last_seq: unknown }>(
    tx,
    sql`INSERT INTO ${t} (year, last_seq) VALUES (${year}, ${count})
        ON CONFLICT (year) DO UPDATE SET last_seq = ${t}.last_seq + ${count} RETURNING last_seq`,
  );
  return toNumber(row!.last_seq) - count + 1;
}
