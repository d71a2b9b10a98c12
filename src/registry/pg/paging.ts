/** Keyset pagination in SQL: one page of a list ordered by (instant, id); the cursor itself is ../pagination.ts. */
import { and, asc, eq, gt, or, type Column, type SQL } from 'drizzle-orm';
import { decodeCursor, toPage, type Page, type PageKey } from '../pagination.ts';

/** The pieces of one page's query and the page made from its rows. */
export interface Keyset {
  /** `conds` and "after the cursor" (`at > t`, or `at = t` and `id > id`), joined with AND; undefined when there are none. */
  where(conds: readonly SQL[]): SQL | undefined;
  /** (at, id) ascending. */
  orderBy: [SQL, SQL];
  /** Rows to fetch: one more than the page, so the extra one tells whether a next page exists. */
  limit: number;
  /** The page of `rows` as views, with the cursor after its last row. */
  page<R, T>(rows: readonly R[], keyOf: (row: R) => PageKey, view: (row: R) => T): Page<T>;
}

/**
 * Pages of a list ordered by the columns `at` (an instant) and `id` (unique with it).
 * The cursor is decoded here, before any query is built.
 * @throws RegistryError `invalid_cursor`.
 */
export function keyset(at: Column, id: Column, q: { cursor?: string | undefined; limit: number }): Keyset {
  const key = q.cursor ? decodeCursor(q.cursor) : undefined;
  const after = key ? or(gt(at, key.at), and(eq(at, key.at), gt(id, key.id))) : undefined;
  return {
    where: (conds) => {
      const all = after ? [...conds, after] : [...conds];
      return all.length ? and(...all) : undefined;
    },
    orderBy: [asc(at), asc(id)],
    limit: q.limit + 1,
    page: (rows, keyOf, view) => toPage(rows, q.limit, keyOf, view),
  };
}
