/**
 * Reading the stored log in chunks for a replay (the audit, the write guard's load and
 * its catch-up under the lock). On PGlite every row and every bytea value of a result
 * is decoded in JavaScript (≈ 0.1 ms a row for a bytea column, measured); a chunk is
 * therefore read as one row — the entries' bytes as one hex text, their indices and
 * lengths as one list — which costs a few microseconds an entry. PostgreSQL (postgres.js)
 * reads bytea rows fastest as they are.
 *
 * Contract: the entries with `begin ≤ idx < end`, in index order, exactly as stored
 * (each `data` a plain Uint8Array the caller may keep; on PGlite, views of one buffer
 * per chunk). Read in `db`, which may be a transaction.
 */
import { entityKind, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { queryRows, toBytes, toNumber } from '../../db/index.ts';
import type { ReplayEntry } from '../replay.ts';

/** Whether `db` (a database or a transaction) runs on embedded PGlite. */
function onPglite(db: Db): boolean {
  const session = (db as unknown as { session?: { constructor?: Record<symbol, unknown> } }).session;
  return session?.constructor?.[entityKind] === 'PgliteSession';
}

/** The stored entries [begin, end) in index order (fewer where the log has a gap or ends). */
export async function readEntries(db: Db, begin: number, end: number): Promise<ReplayEntry[]> {
  if (end <= begin) return [];
  if (!onPglite(db)) {
    const rows = await queryRows<{ idx: unknown; data: unknown }>(db, sql`SELECT idx, data FROM log_entries WHERE idx >= ${begin} AND idx < ${end} ORDER BY idx`);
    return rows.map((r) => ({ index: toNumber(r.idx), data: toBytes(r.data) }));
  }
  const [row] = await queryRows<{ d: string | null; l: string | null }>(
    db,
    sql`SELECT string_agg(encode(data, 'hex'), '' ORDER BY idx) AS d, string_agg(idx::text || ':' || octet_length(data)::text, ',' ORDER BY idx) AS l
        FROM log_entries WHERE idx >= ${begin} AND idx < ${end}`,
  );
  if (!row || row.l === null) return [];
  const all = Buffer.from(row.d ?? '', 'hex');
  const out: ReplayEntry[] = [];
  let at = 0;
  for (const item of row.l.split(',')) {
    const colon = item.indexOf(':');
    const length = Number(item.slice(colon + 1));
    out.push({ index: toNumber(item.slice(0, colon)), data: new Uint8Array(all.buffer, all.byteOffset + at, length) });
    at += length;
  }
  if (at !== all.length) throw new Error('log entries read back with the wrong length');
  return out;
}
