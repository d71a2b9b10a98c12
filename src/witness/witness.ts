/**
 * A witness: {@link decide} run against durable state, one request per log at a time.
 * No I/O of its own — the store, the clock, the cosigner and Ed25519 are injected —
 * so the HTTP server and the tests drive the same object.
 */
import { fromHex, sha256, toHex, utf8 } from '../ledger/index.ts';
import type { Cosigner, Ed25519Verify } from './cosignature.ts';
import { decide, requestOrigin, type CosignedCheckpoint, type Decision, type Evidence, type TrustedLogs } from './decide.ts';

/** A stored piece of evidence, with its identity and the time it was received. */
export interface StoredEvidence extends Evidence {
  id: number;
  /** ISO 8601 UTC. */
  receivedAt: string;
}

/**
 * Durable witness state. Implementations guarantee:
 * - `commit` is atomic and durable when it returns: the origin's latest cosigned
 *   checkpoint becomes `next` only if it still is `previous` (compare-and-swap on size
 *   and root; `undefined` = none yet), otherwise it throws and changes nothing; it
 *   never lets the size shrink or the root change at one size;
 * - trusted logs are only ever added, never removed;
 * - evidence is append-only; recording the same evidence twice keeps one copy.
 */
export interface WitnessStore {
  trustedLogs(): Promise<TrustedLogs>;
  latest(origin: string): Promise<CosignedCheckpoint | undefined>;
  /** The latest cosigned checkpoint of the log whose origin hashes (SHA-256) to `originHash`. */
  latestByOriginHash(originHash: Uint8Array): Promise<CosignedCheckpoint | undefined>;
  commit(previous: CosignedCheckpoint | undefined, next: CosignedCheckpoint): Promise<void>;
  recordEvidence(evidence: Evidence, receivedAt: Date): Promise<void>;
  listEvidence(opts: { after?: number; limit: number }): Promise<StoredEvidence[]>;
  getEvidence(id: number): Promise<StoredEvidence | undefined>;
}

/** What a {@link Witness} runs on. */
export interface WitnessOptions {
  store: WitnessStore;
  cosigners: readonly Cosigner[];
  verify: Ed25519Verify;
  /** The clock (default: the system clock). */
  now?: () => Date;
  /** Called when keeping evidence fails (the 422 is answered anyway). */
  onEvidenceError?: (err: unknown) => void;
}

/** The hex SHA-256 of an origin, as in the monitoring path `/<hex>/checkpoint` (C2SP tlog-witness). */
export function originHash(origin: string): string {
  return toHex(sha256(utf8(origin)));
}

/**
 * The witness service: `addCheckpoint` answers C2SP tlog-witness add-checkpoint
 * requests. Requests for one origin are handled one after another (check, cosign,
 * persist, answer), so two cosignatures of different roots at one size, or a rollback
 * between two concurrent requests, cannot happen; other origins proceed in parallel.
 * Trusted logs are read once, at the first request (logs are added while the witness
 * is stopped).
 */
export class Witness {
  readonly #opts: WitnessOptions;
  readonly #queues = new Map<string, Promise<unknown>>();
  #trusted: Promise<TrustedLogs> | undefined;

  constructor(opts: WitnessOptions) {
    this.#opts = opts;
  }

  /** The trusted logs (read once). */
  trustedLogs(): Promise<TrustedLogs> {
    this.#trusted ??= this.#opts.store.trustedLogs();
    return this.#trusted;
  }

  /**
   * Answers one add-checkpoint body. A 200's new state is committed before this
   * returns; a 422's evidence is recorded (best effort) before this returns.
   */
  async addCheckpoint(body: Uint8Array | string): Promise<Decision> {
    const text = typeof body === 'string' ? body : decodeOrUndefined(body);
    const origin = text === undefined ? undefined : requestOrigin(text);
    if (origin === undefined) return this.#decide(body, undefined);
    return this.#serialised(origin, () => this.#decide(text!, origin));
  }

  async #decide(body: Uint8Array | string, origin: string | undefined): Promise<Decision> {
    const { store, cosigners, verify } = this.#opts;
    const latest = origin === undefined ? undefined : await store.latest(origin);
    const state = new Map<string, CosignedCheckpoint>();
    if (latest !== undefined) state.set(latest.origin, latest);
    const now = this.#now();
    const decision = await decide(state, body, await this.trustedLogs(), { cosigners, verify, now: Math.floor(now.getTime() / 1000) });
    if (decision.newState !== undefined) await store.commit(latest, decision.newState);
    if (decision.evidence !== undefined) {
      try {
        await store.recordEvidence(decision.evidence, now);
      } catch (err) {
        this.#opts.onEvidenceError?.(err);
      }
    }
    return decision;
  }

  /** Stored evidence, oldest first, after the given id. */
  evidence(opts: { after?: number; limit: number }): Promise<StoredEvidence[]> {
    return this.#opts.store.listEvidence(opts);
  }

  /** One piece of stored evidence. */
  evidenceById(id: number): Promise<StoredEvidence | undefined> {
    return this.#opts.store.getEvidence(id);
  }

  /** The latest cosigned checkpoint for the monitoring endpoint, by hex SHA-256 of the origin. */
  async monitoringCheckpoint(originHashHex: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{64}$/.test(originHashHex)) return undefined;
    return (await this.#opts.store.latestByOriginHash(fromHex(originHashHex)))?.note;
  }

  #now(): Date {
    return this.#opts.now ? this.#opts.now() : new Date();
  }

  #serialised<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(key, tail);
    void tail.then(() => {
      if (this.#queues.get(key) === tail) this.#queues.delete(key);
    });
    return run;
  }
}

function decodeOrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
