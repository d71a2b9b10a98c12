/**
 * Keyset pagination of the registry's lists (applications, notices, the register):
 * a page is ordered by (instant, id) ascending, and its cursor names the last row's
 * key. A cursor is base64url (RFC 4648 §5, no padding) of the JSON
 * `{"t":"<instant, toISOString form>","id":"<row id>"}`.
 *
 * Cursors come back from outside, so they are checked strictly before any query: the
 * exact form above, a real instant between 1970 and 9999 (what both JavaScript and
 * PostgreSQL represent), an id of ASCII letters, digits and `-`. Anything else is
 * `invalid_cursor` (HTTP 400).
 */
import { fromBase64, fromUtf8, isUtcTimestamp, toBase64, utf8 } from '../ledger/index.ts';
import { RegistryError } from './errors.ts';
import { isSaneInstant } from '../fields.ts';

/** The key of a row in a paged list: its instant and its id (unique together). */
export interface PageKey {
  at: Date;
  id: string;
}

/** One page of a list and the cursor of the next (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const CURSOR = /^[A-Za-z0-9_-]{1,700}$/;
const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ID = /^[A-Za-z0-9-]{1,100}$/;

function invalid(): never {
  throw new RegistryError('invalid_cursor', 'the cursor is not one this API handed out', [{ path: 'cursor', message: 'not a cursor from this API' }]);
}

/**
 * The cursor after the row with key `key`.
 * Precondition: `key.at` within 1970–9999 and `key.id` of ASCII letters, digits and `-`.
 */
export function encodeCursor(key: PageKey): string {
  const b64 = toBase64(utf8(JSON.stringify({ t: key.at.toISOString(), id: key.id })));
  return b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The key a cursor names.
 * @throws RegistryError `invalid_cursor` unless it is exactly a cursor {@link encodeCursor} makes.
 */
export function decodeCursor(cursor: string): PageKey {
  if (!CURSOR.test(cursor) || cursor.length % 4 === 1) invalid();
  let value: unknown;
  try {
    const b64 = cursor.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (cursor.length % 4)) % 4);
    value = JSON.parse(fromUtf8(fromBase64(b64)));
  } catch {
    invalid();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid();
  const { t, id, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0 || typeof t !== 'string' || typeof id !== 'string') invalid();
  if (!ISO_MILLIS.test(t) || !isUtcTimestamp(t) || !ID.test(id)) invalid();
  const at = new Date(t);
  if (!isSaneInstant(at.getTime())) invalid();
  return { at, id };
}

/**
 * The page of `rows` (fetched with `limit + 1`, so one more row means a next page)
 * as views, with the cursor after its last row.
 */
export function toPage<R, T>(rows: readonly R[], limit: number, keyOf: (row: R) => PageKey, view: (row: R) => T): Page<T> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(view), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
