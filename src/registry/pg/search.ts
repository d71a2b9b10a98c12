/**
 * The search conditions of the register and the notices, as SQL over the tables (never a
 * scan in memory): names as case-insensitive substrings (LIKE wildcards in the input are
 * taken literally), the 统一社会信用代码 exactly, the industry as a GB/T 4754 prefix, and a
 * date range in the registry's time zone.
 */
import { gte, lt, sql, type Column, type SQL } from 'drizzle-orm';
import { addCalendarDays, endOfLocalDay } from '../../calendar.ts';
import type { SearchQuery } from '../commands.ts';

/** A LIKE pattern matching `s` anywhere, its own `%`, `_` and `\` literal. */
export function containsPattern(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Where each searchable fact lives for one listing. */
export interface SearchColumns {
  /** The dataset name (text expression). */
  name: SQL;
  holderName: SQL;
  holderUscc: SQL;
  industry: SQL;
  /** The date the range applies to (issue or notice start). */
  at: Column;
}

/** The conditions of `q` on `cols` (an empty list when nothing is asked). */
export function searchConditions(q: SearchQuery, cols: SearchColumns, timeZone: string): SQL[] {
  const out: SQL[] = [];
  if (q.name) out.push(sql`${cols.name} ILIKE ${containsPattern(q.name)}`);
  if (q.holder) out.push(sql`${cols.holderName} ILIKE ${containsPattern(q.holder)}`);
  if (q.uscc) out.push(sql`${cols.holderUscc} = ${q.uscc}`);
  if (q.industry) out.push(sql`${cols.industry} LIKE ${`${q.industry}%`}`);
  if (q.from) out.push(gte(cols.at, endOfLocalDay(addCalendarDays(q.from, -1), timeZone)));
  if (q.to) out.push(lt(cols.at, endOfLocalDay(q.to, timeZone)));
  return out;
}
