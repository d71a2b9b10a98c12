/**
 * Sign-in back-off (issue 15, finding 7): failed password attempts, counted per username and
 * per client address, lock that key for an exponentially growing window (after
 * FREE_FAILURES free tries: 1 s, 2 s, 4 s … capped at MAX_LOCK_MS). A guess during the
 * window is refused with 429 `rate_limited` and `Retry-After`, without checking the password.
 * A successful sign-in clears the username's count. In memory, per process; bounded.
 */
import type { MiddlewareHandler } from 'hono';
import { clientAddress } from './client-address.ts';
import { ApiError } from './errors.ts';
import type { AppEnv } from './auth.ts';

export const FREE_FAILURES = 3;
export const MAX_LOCK_MS = 15 * 60_000;
const MAX_KEYS = 100_000;

interface Record_ {
  failures: number;
  lockedUntil: number;
}

export function signInBackoff(opts: { now: () => Date; trustProxy: boolean }): MiddlewareHandler<AppEnv> {
  const seen = new Map<string, Record_>();
  const lockFor = (failures: number) => (failures <= FREE_FAILURES ? 0 : Math.min(MAX_LOCK_MS, 1000 * 2 ** (failures - FREE_FAILURES - 1)));
  return async (c, next) => {
    if (c.req.method !== 'POST' || c.req.path !== '/login') return next();
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const username = typeof body.username === 'string' ? body.username.slice(0, 64).toLowerCase() : '';
    const keys = [`u:${username}`, `a:${clientAddress(c, opts.trustProxy)}`];
    const t = opts.now().getTime();
    const until = Math.max(0, ...keys.map((k) => seen.get(k)?.lockedUntil ?? 0));
    if (until > t) {
      c.header('Retry-After', String(Math.ceil((until - t) / 1000)));
      throw new ApiError('rate_limited', 'Too many failed sign-ins; wait before trying again.');
    }
    await next();
    if (c.res.status === 401) {
      for (const k of keys) {
        const r = seen.get(k) ?? { failures: 0, lockedUntil: 0 };
        r.failures++;
        r.lockedUntil = t + lockFor(r.failures);
        seen.delete(k);
        seen.set(k, r);
      }
      while (seen.size > MAX_KEYS) seen.delete(seen.keys().next().value!);
    } else if (c.res.status < 400) seen.delete(keys[0]!);
  };
}
