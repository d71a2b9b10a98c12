/**
 * Paging for the pages' lists, both ways. The registry's lists page forward by cursor
 * (keyset); a page link also carries the trail of cursors of the earlier pages
 * (`trail`, at most {@link MAX_TRAIL}), so "previous" goes back without a backward query.
 * A filter the service does not know (a search term, an industry code) is applied while
 * reading the service's pages, a bounded number of rows per page shown.
 */
import type { FC } from 'hono/jsx';
import { encodeCursor, type Page, type PageKey } from '../../registry/index.ts';
import { withQuery, type View } from './view.ts';

/** How many earlier pages the "previous" trail remembers. */
export const MAX_TRAIL = 40;
/** The most rows read for one page of a filtered list (the next page link continues from there). */
export const MAX_SCAN = 2000;
const FIRST = '0'; // never a cursor (a cursor of 1 character is refused)
const CURSORISH = /^[A-Za-z0-9_-]{1,700}$/;

/** The trail of a request's `trail` parameter (malformed entries drop the whole trail). */
export function parseTrail(raw: string | undefined): string[] {
  if (!raw) return [];
  const parts = raw.split('.');
  if (parts.length > MAX_TRAIL || parts.some((p) => p !== FIRST && !CURSORISH.test(p))) return [];
  return parts;
}

/**
 * One page of `want` items matching `match` (all when absent), read from the service's
 * forward pages starting at `cursor`.
 */
export async function scanPage<T>(
  fetch: (cursor: string | undefined, limit: number) => Promise<Page<T>>,
  opts: { cursor?: string; want: number; match?: (x: T) => boolean; keyOf: (x: T) => PageKey },
): Promise<Page<T>> {
  if (!opts.match) return fetch(opts.cursor, opts.want);
  const items: T[] = [];
  let cursor = opts.cursor;
  let scanned = 0;
  for (;;) {
    const page = await fetch(cursor, 100);
    for (const x of page.items) {
      scanned++;
      if (!opts.match(x)) continue;
      items.push(x);
      if (items.length === opts.want) return { items, nextCursor: encodeCursor(opts.keyOf(x)) };
    }
    if (!page.nextCursor) return { items, nextCursor: null };
    cursor = page.nextCursor;
    if (scanned >= MAX_SCAN) return { items, nextCursor: cursor };
  }
}

/** Previous / next links of a paged list (the current page's own cursor and trail come from the URL). */
export const Pager: FC<{ v: View; cursor?: string; trail: string[]; next: string | null }> = ({ v, cursor, trail, next }) => {
  const here = v.here;
  const prev = trail.length ? trail[trail.length - 1]! : undefined;
  const prevLink =
    cursor === undefined
      ? undefined
      : withQuery(here, { cursor: prev === undefined || prev === FIRST ? undefined : prev, trail: trail.slice(0, -1).join('.') || undefined });
  const nextTrail = [...trail, cursor ?? FIRST].slice(-MAX_TRAIL).join('.');
  const nextLink = next ? withQuery(here, { cursor: next, trail: nextTrail }) : undefined;
  if (!prevLink && !nextLink) return null;
  return (
    <nav class="pager" aria-label={v.t('common.page')}>
      {prevLink ? (
        <>
          <a href={withQuery(here, { cursor: undefined, trail: undefined })}>{v.t('common.first')}</a>
          <a href={prevLink} rel="prev" data-page="prev">
            ← {v.t('common.prev')}
          </a>
        </>
      ) : null}
      {nextLink ? (
        <a href={nextLink} rel="next" data-page="next">
          {v.t('common.next')} →
        </a>
      ) : null}
    </nav>
  );
};
