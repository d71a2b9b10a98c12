/**
 * The registry's side of C2SP tlog-witness: every checkpoint the publisher publishes
 * is sent to each witness of the trust policy (DATADEED_WITNESS_POLICY, C2SP
 * tlog-policy), with the consistency proof from the size that witness last cosigned;
 * a 409 resynchronises from the size the witness reports (`requestCosignature`). The
 * verified cosignature lines are stored beside the checkpoint (log_cosignatures) and
 * served as further signature lines of its note; the newest checkpoint whose
 * cosignatures meet the policy's quorum is what `/checkpoint` serves and what bundles
 * carry.
 *
 * Never in the way of appends: the publisher only hands over the newest checkpoint
 * (`notify`, synchronous); each witness has at most one request in flight and always
 * asks for the newest published checkpoint (checkpoints published meanwhile are
 * skipped — a witness cosigning a larger tree has seen them). A witness that fails
 * (down, refusing, answering badly, too slow) is retried with exponential back-off,
 * its last error kept in log_witness_state and shown by `status()`.
 */
import { bytesEqual } from '../bytes.ts';
import {
  WitnessError,
  evaluatePolicy,
  hexKeyId,
  parsePolicy,
  parseSignatureLine,
  requestCosignature,
  splitNote,
  type Ed25519Verify,
  type Policy,
  type PolicyWitness,
} from '../../witness/index.ts';
import type { WitnessStatus } from '../reader.ts';
import type { LogStore, StoredCheckpoint, StoredWitnessState } from './store.ts';

/**
 * The registry's reading of a trust policy: its quorum and witnesses, with the
 * registry's own log key as the one log. A policy that lists logs must list this one
 * (the same file can then be handed to verifiers).
 * @throws WitnessError `malformed_policy` when the policy's logs do not include `logVkey`.
 */
export function registryPolicy(policy: Policy, logVkey: string): Policy {
  const own = parsePolicy(`log ${logVkey}\nquorum none\n`).logs[0]!;
  if (policy.logs.length > 0 && !policy.logs.some((l) => l.name === own.name && bytesEqual(l.publicKey, own.publicKey)))
    throw new WitnessError('malformed_policy', `the policy's log lines do not include this registry's key ${logVkey}`);
  return { ...policy, logs: [own] };
}

type FetchLike = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<Response>;

export interface CosignerOptions {
  store: LogStore;
  /** The registry's trust policy; its `logs` must hold the registry's own key (see `registryPolicy`). */
  policy: Policy;
  verify: Ed25519Verify;
  /** Injected for tests (default: the global fetch). */
  fetch?: FetchLike;
  now?: () => Date;
  /** First retry delay after a failure, ms (doubles per failure up to `retryMaxMs`). Default 1000. */
  retryMinMs?: number;
  /** Longest retry delay, ms. Default 60 000. */
  retryMaxMs?: number;
  /** One request's deadline, ms. Default 10 000. */
  requestTimeoutMs?: number;
  /** Called for each failed request (to be logged). */
  onError?: (witness: string, err: unknown) => void;
}

interface WitnessEntry {
  policy: PolicyWitness;
  state: StoredWitnessState;
  failures: number;
  retryAt: number;
  running?: Promise<void>;
  timer?: ReturnType<typeof setTimeout>;
}

/** Checkpoints of the newest cosigned sizes examined at start for the quorum. */
const QUORUM_SCAN = 32;

export class WitnessCosigner {
  private readonly store: LogStore;
  private readonly policy: Policy;
  private readonly verify: Ed25519Verify;
  private readonly fetch: FetchLike;
  private readonly now: () => Date;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly requestTimeoutMs: number;
  private readonly onError: (witness: string, err: unknown) => void;
  private readonly witnesses: WitnessEntry[];
  /** The newest published checkpoint handed over. */
  private target: StoredCheckpoint | undefined;
  /** The size of the newest checkpoint known to meet the quorum (0: none). */
  private quorumSize = 0;
  private quorumWaiters: { size: number; resolve: (size: number | undefined) => void; timer?: ReturnType<typeof setTimeout> }[] = [];
  private closed = false;

  private constructor(opts: CosignerOptions, states: StoredWitnessState[]) {
    this.store = opts.store;
    this.policy = opts.policy;
    this.verify = opts.verify;
    this.fetch = opts.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.now = opts.now ?? (() => new Date());
    this.retryMinMs = opts.retryMinMs ?? 1000;
    this.retryMaxMs = opts.retryMaxMs ?? 60_000;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.onError = opts.onError ?? (() => {});
    this.witnesses = opts.policy.witnesses.map((w) => {
      const keyId = hexKeyId(w.keyId);
      const state = states.find((s) => s.keyName === w.keyName && s.keyId === keyId) ?? { keyName: w.keyName, keyId, size: 0 };
      return { policy: w, state, failures: 0, retryAt: 0 };
    });
  }

  /** A cosigner over the stored witness states; finds the newest checkpoint that meets the quorum. */
  static async open(opts: CosignerOptions): Promise<WitnessCosigner> {
    const c = new WitnessCosigner(opts, await opts.store.witnessStates());
    for (const size of await opts.store.cosignedSizes(QUORUM_SCAN)) {
      const cp = await opts.store.checkpointAt(size);
      if (cp && (await c.meetsQuorum(cp.note))) {
        c.quorumSize = size;
        break;
      }
    }
    return c;
  }

  /** Hands over a newly published checkpoint: every witness behind it is asked to cosign it. */
  notify(cp: StoredCheckpoint): void {
    if (this.closed) return;
    if (this.target && this.target.size >= cp.size) return;
    this.target = cp;
    for (const w of this.witnesses) this.kick(w);
  }

  /** How each witness is doing. */
  status(): WitnessStatus[] {
    return this.witnesses.map((w) => ({
      name: w.policy.name,
      keyName: w.policy.keyName,
      keyId: w.state.keyId,
      ...(w.policy.url !== undefined ? { url: w.policy.url } : {}),
      size: w.state.size,
      ...(w.state.lastSuccessAt ? { lastSuccessAt: w.state.lastSuccessAt.toISOString() } : {}),
      ...(w.state.lastError !== undefined ? { lastError: w.state.lastError } : {}),
      ...(w.state.lastErrorAt ? { lastErrorAt: w.state.lastErrorAt.toISOString() } : {}),
      failures: w.failures,
    }));
  }

  /** The size of the newest checkpoint known to meet the quorum (0: none yet). No query. */
  get quorumTreeSize(): number {
    return this.quorumSize;
  }

  /** The newest checkpoint whose cosignatures meet the quorum, if any. */
  async quorumCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.quorumSize > 0 ? this.store.checkpointAt(this.quorumSize) : undefined;
  }

  /**
   * Waits at most `timeoutMs` for a checkpoint of at least `size` entries that meets
   * the quorum; resolves with the size of the newest such checkpoint, or undefined
   * when none came in time. No query.
   */
  async awaitQuorum(size: number, timeoutMs: number): Promise<number | undefined> {
    if (this.quorumSize < size && timeoutMs > 0 && !this.closed) {
      await new Promise<number | undefined>((resolve) => {
        const waiter: (typeof this.quorumWaiters)[number] = { size, resolve };
        waiter.timer = setTimeout(() => {
          this.quorumWaiters = this.quorumWaiters.filter((x) => x !== waiter);
          resolve(undefined);
        }, timeoutMs);
        this.quorumWaiters.push(waiter);
      });
    }
    return this.quorumSize >= size ? this.quorumSize : undefined;
  }

  /** {@link awaitQuorum}, with the checkpoint. */
  async waitForQuorum(size: number, timeoutMs: number): Promise<StoredCheckpoint | undefined> {
    const got = await this.awaitQuorum(size, timeoutMs);
    return got === undefined ? undefined : this.store.checkpointAt(got);
  }

  /** Stops asking; waits for the requests in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.witnesses) if (w.timer) clearTimeout(w.timer);
    for (const q of this.quorumWaiters.splice(0)) {
      clearTimeout(q.timer);
      q.resolve(undefined);
    }
    await Promise.all(this.witnesses.map((w) => w.running));
  }

  /** Whether a checkpoint note (with its cosignature lines) meets the policy's quorum. */
  meetsQuorum(note: string): Promise<boolean> {
    return evaluatePolicy(note, this.policy, this.verify).then((e) => e.ok);
  }

  private kick(w: WitnessEntry): void {
    if (w.running || this.closed || w.policy.url === undefined || w.policy.type !== 'ed25519') return;
    w.running = this.loop(w).finally(() => {
      w.running = undefined;
    });
  }

  private async loop(w: WitnessEntry): Promise<void> {
    while (!this.closed) {
      const target = this.target;
      if (!target || w.state.size >= target.size) return;
      const wait = w.retryAt - Date.now();
      if (wait > 0) {
        if (w.timer) clearTimeout(w.timer);
        w.timer = setTimeout(() => {
          w.timer = undefined;
          this.kick(w);
        }, wait);
        w.timer.unref?.();
        return;
      }
      await this.ask(w, target);
    }
  }

  /** One add-checkpoint exchange with one witness (two with a 409). */
  private async ask(w: WitnessEntry, target: StoredCheckpoint): Promise<void> {
    const key = { name: w.policy.keyName, keyId: w.policy.keyId, publicKey: w.policy.publicKey };
    try {
      const res = await requestCosignature({
        url: w.policy.url!,
        checkpoint: target.note,
        size: target.size,
        oldSize: Math.min(w.state.size, target.size),
        consistencyProof: (from, to) => this.store.consistencyProof(from, to),
        cosigners: [key],
        verify: this.verify,
        fetch: this.fetch,
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
      const line = splitNote(res.note)!
        .signatures.map((s) => s.line)
        .find((l) => {
          const p = parseSignatureLine(l);
          return p !== undefined && p.name === key.name && p.keyId === key.keyId;
        })!;
      const at = this.now();
      await this.store.addCosignature(target.size, { name: key.name, keyId: w.state.keyId }, line, at);
      // the quorum first: once a witness shows the new size, what it cosigned is served
      await this.checkQuorum(target.size);
      w.failures = 0;
      w.retryAt = 0;
      w.state = { ...w.state, size: target.size, lastSuccessAt: at, lastError: undefined, lastErrorAt: undefined };
      await this.store.saveWitnessState(w.state).catch((err) => this.onError(w.policy.name, err));
    } catch (err) {
      w.failures++;
      w.retryAt = Date.now() + Math.min(this.retryMaxMs, this.retryMinMs * 2 ** Math.min(w.failures - 1, 30));
      const code = (err as { code?: unknown }).code;
      const message = err instanceof Error ? err.message : String(err);
      w.state = { ...w.state, lastError: typeof code === 'string' ? `${code}: ${message}` : message, lastErrorAt: this.now() };
      this.onError(w.policy.name, err);
      await this.store.saveWitnessState(w.state).catch(() => {});
    }
  }

  private async checkQuorum(size: number): Promise<void> {
    if (size <= this.quorumSize) return;
    const cp = await this.store.checkpointAt(size);
    if (!cp || !(await this.meetsQuorum(cp.note))) return;
    if (size <= this.quorumSize) return;
    this.quorumSize = size;
    const ready = this.quorumWaiters.filter((q) => q.size <= size);
    this.quorumWaiters = this.quorumWaiters.filter((q) => q.size > size);
    for (const q of ready) {
      clearTimeout(q.timer);
      q.resolve(size);
    }
  }
}
