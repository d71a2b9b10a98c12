/**
 * A digest of every table's content (and row count), to show that a run wrote nothing.
 * Columns that record that a credential was presented (a token's last use), not what a
 * request asked for, are left out.
 */
const VOLATILE: Record<string, string[]> = { api_tokens: ['last_used_at'] };
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../src/db/index.ts';

export async function fingerprintDatabase(db: Db): Promise<Record<string, { rows: number; md5: string | null }>> {
  const tables = await queryRows<{ name: string }>(
    db,
    sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const out: Record<string, { rows: number; md5: string | null }> = {};
  for (const { name } of tables) {
    const [r] = await queryRows<{ n: unknown; h: string | null }>(
      db,
      sql.raw(
        `SELECT count(*) AS n, md5(string_agg(t::text, ',' ORDER BY t::text)) AS h FROM (SELECT ${
          VOLATILE[name] ? `to_jsonb(x) - ARRAY[${VOLATILE[name]!.map((c) => `'${c}'`).join(',')}]` : 'x'
        } AS t FROM "${name.replace(/"/g, '')}" x) s`,
      ),
    );
    out[name] = { rows: Number(r!.n), md5: r!.h };
  }
  return out;
}
