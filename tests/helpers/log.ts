/** Counting what requests wrote to the log. */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../src/db/index.ts';

/**
 * Log entries other than state commitments (`state.committed`): what requests wrote. A
 * publication round appends a commitment on its own timer after any write that changed
 * the state, so a count that includes them can grow between a request and the check.
 */
export async function entriesWritten(db: Db): Promise<number> {
  const [r] = await queryRows<{ n: unknown }>(db, sql`SELECT count(*) AS n FROM log_entries WHERE convert_from(data, 'UTF8')::jsonb ->> 'kind' <> 'state.committed'`);
  return Number(r!.n);
}
