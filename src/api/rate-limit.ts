/**
 * Rate limits (issue 15, finding 7), with hono-rate-limiter: per client address
 * (./client-address.ts), DATADEED_RATE_LIMIT requests per minute in each of two buckets —
 *
 * - `write`: every request that is not GET, HEAD or OPTIONS (API writes, sign-in, objections,
 *   every page form);
 * - `read`: the expensive reads — certificate PDFs and bundles, evidence receipts, receipt
 *   PDFs and chains, pledge receipts (bundles and the page's PDF).
 *
 * A request over the limit is refused before anything else reads it (no body, no database)
 * with 429 `rate_limited` (an RFC 9457 problem) and `Retry-After` in seconds. Windows are
 * fixed, one minute long, and counted on the registry's clock; the counters live in this
 * process's memory, bounded to MAX_KEYS clients (the least recently seen are forgotten
 * first). `DATADEED_RATE_LIMIT=off` disables them (and the sign-in back-off).
 */
import type { MiddlewareHandler } from 'hono';
import { rateLimiter, type ClientRateLimitInfo, type Store } from 'hono-rate-limiter';
import { clientAddress } from './client-address.ts';
import { ApiError } from './errors.ts';
import type { AppEnv } from './auth.ts';

export const RATE_WINDOW_MS = 60_000;
/** Most clients whose counters are kept; beyond it the least recently seen are dropped. */
export const MAX_KEYS = 100_000;

/** GET routes whose answer costs a render, a bundle or a walk: limited like writes. */
const EXPENSIVE_READS = [
  /^\/v1\/certificates\/[^/]+\/(?:pdf|bundle)\/?$/,
  /^\/v1\/evidence\/[^/]+\/(?:pdf|receipt|chain)\/?$/,
  /^\/v1\/pledges\/[^/]+\/receipt\/?$/,
  /^\/pledges\/[^/]+\/receipt\.pdf$/,
  /^\/verify\/[^/]+\/report\.pdf$/,
];

/** The bucket a request counts in, or undefined when it is not limited. */
export function limitedBucket(method: string, path: string): 'write' | 'read' | undefined {
  const m = method.toUpperCase();
  if (m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS') return 'write';
  if (m !== 'OPTIONS' && EXPENSIVE_READS.some((r) => r.test(path))) return 'read';
  return undefined;
}

/**
 * A fixed-window counter store on an injected clock (the registry's clock: tests move it;
 * hono-rate-limiter's own MemoryStore reads Date.now and a timer). Map order is recency:
 * each hit moves its key to the end, so the oldest keys are the first to expire or be dropped.
 */
export class ClockStore implements Store<AppEnv> {
  readonly localKeys = true;
  #windowMs = RATE_WINDOW_MS;
  readonly #hits = new Map<string, { totalHits: number; resetTime: Date }>();

  constructor(
    private readonly now: () => number,
    private readonly maxKeys = MAX_KEYS,
  ) {}

  init(options: { windowMs: number }): void {
    this.#windowMs = options.windowMs;
  }

  get(key: string): ClientRateLimitInfo | undefined {
    const c = this.#hits.get(key);
    return c && c.resetTime.getTime() > this.now() ? { ...c } : undefined;
  }

  increment(key: string): ClientRateLimitInfo {
    const t = this.now();
    let c = this.#hits.get(key);
    if (!c || c.resetTime.getTime() <= t) c = { totalHits: 0, resetTime: new Date(t + this.#windowMs) };
    this.#hits.delete(key);
    this.#hits.set(key, c);
    c.totalHits++;
    this.#prune(t);
    return { ...c };
  }

  decrement(key: string): void {
    const c = this.#hits.get(key);
    if (c && c.totalHits > 0) c.totalHits--;
  }

  resetKey(key: string): void {
    this.#hits.delete(key);
  }

  resetAll(): void {
    this.#hits.clear();
  }

  /** Clients counted now (for tests and metrics). */
  get size(): number {
    return this.#hits.size;
  }

  #prune(t: number): void {
    // the least recently seen first: drop while expired or while over the bound
    for (const [k, c] of this.#hits) {
      if (this.#hits.size <= this.maxKeys && c.resetTime.getTime() > t) break;
      this.#hits.delete(k);
    }
  }
}

export interface RateLimitOptions {
  /** Requests per window per client address and bucket. */
  limit: number;
  /** The registry's clock. */
  now: () => Date;
  /** DATADEED_TRUST_PROXY. */
  trustProxy: boolean;
  windowMs?: number;
  store?: ClockStore;
}

/** The middleware: see the module comment. Put it before anything that reads a body or the database. */
export function rateLimits(opts: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const windowMs = opts.windowMs ?? RATE_WINDOW_MS;
  const store = opts.store ?? new ClockStore(() => opts.now().getTime());
  return rateLimiter<AppEnv>({
    windowMs,
    limit: opts.limit,
    store,
    // Retry-After is set below from the store's clock (the library's headers read Date.now)
    standardHeaders: false,
    skip: (c) => limitedBucket(c.req.method, c.req.path) === undefined,
    keyGenerator: (c) => `${limitedBucket(c.req.method, c.req.path)}:${clientAddress(c, opts.trustProxy)}`,
    handler: (c) => {
      const info = (c as unknown as { get(k: 'rateLimit'): { resetTime?: Date } | undefined }).get('rateLimit');
      const resetAt = info?.resetTime?.getTime() ?? opts.now().getTime() + windowMs;
      c.header('Retry-After', String(Math.max(1, Math.ceil((resetAt - opts.now().getTime()) / 1000))));
      throw new ApiError('rate_limited', `Too many requests from this address; at most ${opts.limit} a minute. Retry after the time in Retry-After.`);
    },
  }) as MiddlewareHandler<AppEnv>;
}
