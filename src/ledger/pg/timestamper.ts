/**
 * Trusted time for the log (DATADEED_TSA_URL): the registry asks an RFC 3161
 * time-stamp authority for a token over each published checkpoint — at most one
 * request per interval; a checkpoint published meanwhile waits for the end of the
 * interval, and only the newest one waiting is stamped — and stores it
 * (log_timestamps). The message imprint is SHA-256 of the checkpoint body. Before it
 * is stored, a token must be granted, over that checkpoint and carry the request's
 * nonce; its signature and certificate are checked by verifiers against the TSA roots
 * they trust. Never in the way of appends or publication: a failure is reported and
 * the next checkpoint tried.
 */
import { checkpointTimestampMessage, readTimestampResponse, timestampRequest } from '../timestamp.ts';
import type { LogStore, StoredCheckpoint } from './store.ts';

type FetchLike = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: Uint8Array<ArrayBuffer>; signal?: AbortSignal }) => Promise<Response>;

export interface TimestamperOptions {
  store: LogStore;
  /** The TSA's URL (HTTP POST of application/timestamp-query, RFC 3161 §3.4). */
  url: string;
  /** At most one request per this many ms. */
  intervalMs: number;
  /** Random bytes for the nonce (injected: crypto.getRandomValues). */
  random: (n: number) => Uint8Array;
  fetch?: FetchLike;
  now?: () => Date;
  requestTimeoutMs?: number;
  onError?: (err: unknown) => void;
}

/** Largest TSA answer read, in bytes. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export class Timestamper {
  private readonly opts: TimestamperOptions;
  private readonly fetch: FetchLike;
  private lastRequestAt = -Infinity;
  private pending: StoredCheckpoint | undefined;
  private stampedSize = 0;
  private running: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(opts: TimestamperOptions) {
    this.opts = opts;
    this.fetch = opts.fetch ?? ((url, init) => globalThis.fetch(url, init));
  }

  /** Hands over a newly published checkpoint; it is stamped now, or at the end of the interval if it is still the newest. */
  notify(cp: StoredCheckpoint): void {
    if (this.closed || cp.size <= this.stampedSize || (this.pending && this.pending.size >= cp.size)) return;
    this.pending = cp;
    this.pump();
  }

  /** Stops; waits for the request in flight. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private pump(): void {
    if (this.running || this.closed || !this.pending) return;
    const wait = this.lastRequestAt + this.opts.intervalMs - Date.now();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      this.timer.unref?.();
      return;
    }
    const cp = this.pending;
    this.pending = undefined;
    this.lastRequestAt = Date.now();
    this.running = this.stamp(cp).finally(() => {
      this.running = undefined;
      this.pump();
    });
  }

  private async stamp(cp: StoredCheckpoint): Promise<void> {
    try {
      const message = checkpointTimestampMessage(cp.note);
      const nonce = this.opts.random(8);
      const res = await this.fetch(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
        body: new Uint8Array(timestampRequest(message, nonce)),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 10_000),
      });
      const body = new Uint8Array(await res.arrayBuffer());
      if (res.status !== 200) throw new Error(`the time-stamp authority answered ${res.status}`);
      if (body.length > MAX_RESPONSE_BYTES) throw new Error('the time-stamp response is too large');
      const { token, genTime } = readTimestampResponse(body, message, nonce);
      await this.opts.store.insertTimestamp(cp.size, token, genTime, this.opts.now?.() ?? new Date());
      this.stampedSize = Math.max(this.stampedSize, cp.size);
    } catch (err) {
      this.opts.onError?.(err);
    }
  }
}
