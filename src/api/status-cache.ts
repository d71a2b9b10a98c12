/**
 * Certificate status answers, kept while they cannot have changed (issue 20: the status
 * a bank polls read ~10 rows and proofs per request).
 *
 * Every registry decision is a log entry appended in the same transaction as its table
 * change (the log is the source of truth), so a status computed after reading tree size
 * S is correct for as long as the tree size is still S: the caller reads the size first,
 * then computes, and keys the answer by that size. Data can only be newer than its key,
 * never older. What else an answer depends on is in its key too — the day (licences and
 * policies end on a date) and who asks (a licence's scope is shown to its parties only).
 * The newest checkpoint, which the answer's proofs lead to, may be published without the
 * tree growing (a checkpoint of the same entries, cosignatures added), so an answer older
 * than `maxAgeMs` — the time `/checkpoint` itself is served from memory — is computed
 * again (in the background: the kept one is served meanwhile).
 *
 * Concurrent requests for one key wait for one computation. Bounded by entries, least
 * recently used first out; in this process's memory. Time is injected.
 */

import { SingleFlight } from './single-flight.ts';

/** Most answers kept (each a few KiB). */
export const STATUS_CACHE_MAX_ENTRIES = 4096;

interface Kept<V> {
  version: string;
  at: number;
  value: V;
}

export class StatusCache<V> {
  readonly #kept = new Map<string, Kept<V>>();
  readonly #computing = new SingleFlight<V>();

  constructor(
    readonly maxAgeMs: number,
    readonly maxEntries = STATUS_CACHE_MAX_ENTRIES,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * The answer for `key` at `version`: kept (same version; when older than `maxAgeMs` a new
   * one is computed meanwhile), being computed, or computed now by `compute` (a failure is
   * not kept). `version` must be read
   * before `compute` reads anything.
   */
  get(key: string, version: string, compute: () => Promise<V>): Promise<V> {
    const hit = this.#kept.get(key);
    if (hit && hit.version === version) {
      this.#kept.delete(key);
      this.#kept.set(key, hit); // most recently used last
      // Older than the bound: computed again in the background while this one is served
      // (so a slow computation never holds every poller; the answer is at most the bound
      // plus one computation old, and its version — what it says — is still current).
      if (this.now() - hit.at >= this.maxAgeMs) void this.#compute(key, version, compute).catch(() => {});
      return Promise.resolve(hit.value);
    }
    return this.#compute(key, version, compute);
  }

  #compute(key: string, version: string, compute: () => Promise<V>): Promise<V> {
    const at = this.now();
    return this.#computing.run(`${version}\n${key}`, compute, (value) => this.#keep(key, { version, at, value }));
  }

  /** Answers kept now. */
  get size(): number {
    return this.#kept.size;
  }

  #keep(key: string, kept: Kept<V>): void {
    const old = this.#kept.get(key);
    // a slower computation of an older version never replaces a newer one
    if (old && old.at > kept.at) return;
    this.#kept.delete(key);
    this.#kept.set(key, kept);
    while (this.#kept.size > this.maxEntries) this.#kept.delete(this.#kept.keys().next().value!);
  }
}
