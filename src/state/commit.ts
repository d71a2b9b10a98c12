/**
 * The state commitment (docs/log-format.md §6.9–§6.10, docs/state-map.md): which map keys
 * an entry changes, the map updates that bring the authenticated map in line with a
 * replayed state, the `state.committed` entry, and the check of a committed root against
 * the replay (`StateRootChecker`, used by audit and by monitors). Pure: hashing is
 * injected, nodes live behind the map's node-store interface.
 */
import { encodeEntry, fromBase64, fromHex, toBase64, toHex, utf8, type LogEvent } from '../ledger/index.ts';
import {
  certificateMapKey,
  depositMapKey,
  HashedMapBatch,
  MemoryMap,
  PackedMapUpdates,
  type MapEngine,
  type MapUpdate,
  type ProvenMapValue,
  type Sha256,
} from './map/index.ts';
import {
  certificateStatusBytes,
  certificateStatusRecord,
  earliestDepositRecord,
  earliestRecordOf,
  recordBytes,
  type CertificateStatusRecord,
  type EarliestDepositRecord,
  type RegistryState,
  type StateCommitRecord,
} from './records.ts';
import { parseEntryJson } from './entry-json.ts';
import { applyEntry, type ReplayEntry, type ReplayOptions } from './replay.ts';

/** A key's record as of a state commitment, with its map proof. */
export interface ProvenStateValue {
  id: StateKeyId;
  record: CertificateStatusRecord | EarliestDepositRecord | null;
  /** Standard base64 of the map proof (docs/state-map.md §5.2). */
  proof: string;
  commit: StateCommitRecord;
}

/** The kind of the state commitment entry. */
export const STATE_COMMITTED = 'state.committed';

/**
 * A key of the state map as text: `c:<certificate number>` or `d:<digest hex>` (the map's
 * own keys are bytes, docs/state-map.md §2.1; this is how code names them).
 */
export type StateKeyId = string;

export const certificateKeyId = (number: string): StateKeyId => `c:${number}`;
export const depositKeyId = (digest: string): StateKeyId => `d:${digest}`;

const decoder = new TextDecoder();
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The map keys whose records an entry may change: the certificate it names (`number`) and
 * the one it supersedes, and the digest of a deposit. A superset is harmless (a key whose
 * record did not change keeps its value); the set must never miss a change — audit
 * recomputes every committed root from the replay and would name the difference.
 * Also says whether the entry is itself a `state.committed` (with its size).
 */
export function stateKeysOfEntry(data: Uint8Array): { keys: StateKeyId[]; commitSize?: number } {
  const ev = entryObject(data);
  if (ev === undefined) return { keys: [] };
  if (ev.kind === STATE_COMMITTED) return { keys: [], commitSize: typeof ev.size === 'number' ? ev.size : undefined };
  const keys: StateKeyId[] = [];
  if (typeof ev.number === 'string') keys.push(certificateKeyId(ev.number));
  if (typeof ev.supersedes === 'string') keys.push(certificateKeyId(ev.supersedes));
  if (ev.kind === 'evidence.deposited' && typeof ev.digest === 'string' && HEX64.test(ev.digest)) keys.push(depositKeyId(ev.digest));
  return { keys };
}

/** The JSON object an entry holds as the key scan reads it (undefined: none). */
function entryObject(data: Uint8Array): Record<string, unknown> | undefined {
  let ev: Record<string, unknown>;
  const parsed = parseEntryJson(data);
  if (parsed.ok) ev = parsed.value as Record<string, unknown>;
  else if (parsed.utf8) return undefined;
  else {
    // not UTF-8: read leniently, as always (the replay names the entry malformed)
    try {
      ev = JSON.parse(decoder.decode(data)) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
  return typeof ev === 'object' && ev !== null ? ev : undefined;
}

/** The bytes of {@link STATE_COMMITTED}. */
const COMMITTED_BYTES = utf8(STATE_COMMITTED);

/**
 * False when `data` cannot hold a `state.committed` entry: its bytes contain neither the
 * kind's text nor a backslash (the only other way to write that string in JSON is with
 * escapes; a byte that is not UTF-8 decodes to U+FFFD, which is not in it). One pass
 * over the bytes, where parsing the entry costs several times more: an audit asks this
 * of every entry until the first commitment.
 */
export function mayBeStateCommitment(data: Uint8Array): boolean {
  // the engine's own byte search (TypedArray indexOf) finds the backslash and each
  // candidate first byte (100,000 certificate entries: 45–59 ms, against 61–96 ms for a
  // loop over every byte)
  if (data.indexOf(0x5c) >= 0) return true;
  const first = COMMITTED_BYTES[0]!;
  const n = COMMITTED_BYTES.length;
  const last = data.length - n;
  for (let i = data.indexOf(first); i >= 0 && i <= last; i = data.indexOf(first, i + 1)) {
    let k = 1;
    while (k < n && data[i + k] === COMMITTED_BYTES[k]) k++;
    if (k === n) return true;
  }
  return false;
}

/** Whether an entry is a `state.committed` with its size: `stateKeysOfEntry(data).commitSize !== undefined`, without the keys. */
export function isStateCommitment(data: Uint8Array): boolean {
  if (!mayBeStateCommitment(data)) return false;
  const ev = entryObject(data);
  return ev !== undefined && ev.kind === STATE_COMMITTED && typeof ev.size === 'number';
}

/** Every key the state has: each certificate and each deposited digest. */
export function allStateKeys(s: RegistryState): StateKeyId[] {
  const out: StateKeyId[] = [];
  for (const [n] of s.certificates.entries()) out.push(certificateKeyId(n));
  for (const [d] of s.earliest.entries()) out.push(depositKeyId(d));
  return out;
}

/** The record a key maps to in state `s` (undefined: absent). */
export function stateRecord(s: RegistryState, id: StateKeyId): CertificateStatusRecord | EarliestDepositRecord | undefined {
  return id.startsWith('c:') ? certificateStatusRecord(s, id.slice(2)) : earliestDepositRecord(s, id.slice(2));
}

/** The map key bytes of a key id (docs/state-map.md §2.1). */
export function stateMapKey(id: StateKeyId): Uint8Array {
  return id.startsWith('c:') ? certificateMapKey(id.slice(2)) : depositMapKey(fromHex(id.slice(2)));
}

/** SHA-256 of the canonical JSON of a record (docs/log-format.md §6.9): the map value. */
export function stateRecordValue(record: CertificateStatusRecord | EarliestDepositRecord, sha256: Sha256): Uint8Array {
  return sha256(recordBytes(record));
}

/** The map updates that set each of `ids` to its record's hash in `s` (or remove it). */
export function stateMapUpdates(s: RegistryState, ids: Iterable<StateKeyId>, sha256: Sha256): MapUpdate[] {
  const out: MapUpdate[] = [];
  for (const id of new Set(ids)) {
    const r = stateRecord(s, id);
    out.push({ key: stateMapKey(id), value: r === undefined ? null : stateRecordValue(r, sha256) });
  }
  return out;
}

/**
 * {@link stateMapUpdates} as a flat batch by key hash (`MemoryMap.stageHashed`): the
 * same updates, without an update object and two small arrays per key.
 */
export function stateMapBatch(s: RegistryState, ids: Iterable<StateKeyId>, sha256: Sha256): HashedMapBatch {
  return packStateUpdates(s, ids).toBatch(sha256);
}

/** {@link stateMapBatch} before hashing: each key's preimage and its record's bytes (or removed). */
export function packStateUpdates(s: RegistryState, ids: Iterable<StateKeyId>): PackedMapUpdates {
  const unique = ids instanceof Set ? (ids as Set<StateKeyId>) : new Set(ids);
  const packed = new PackedMapUpdates(unique.size);
  for (const id of unique) {
    if (id.startsWith('c:')) {
      const number = id.slice(2);
      const c = s.certificates.get(number);
      packed.pushCertificate(number, c === undefined ? null : certificateStatusBytes(s, c));
    } else {
      const r = stateRecord(s, id);
      packed.push(stateMapKey(id), r === undefined ? null : recordBytes(r));
    }
  }
  return packed;
}

/**
 * The map updates that set every key of `s` ({@link allStateKeys}) to its record's hash,
 * as a flat batch: what a map built from nothing (a process's first commitment, the
 * first root an audit checks) stages, read straight from the state's tables without a
 * key id or a lookup per key.
 */
export function wholeStateMapBatch(s: RegistryState, sha256: Sha256): HashedMapBatch {
  return packWholeState(s).toBatch(sha256);
}

/** {@link wholeStateMapBatch} before hashing. */
export function packWholeState(s: RegistryState): PackedMapUpdates {
  const packed = new PackedMapUpdates(s.certificates.count() + s.earliest.count());
  for (const [n, c] of s.certificates.entries()) packed.pushCertificate(n, certificateStatusBytes(s, c));
  for (const [d, id] of s.earliest.entries()) {
    const r = earliestRecordOf(s, d, id);
    if (r !== undefined) packed.push(depositMapKey(fromHex(d)), recordBytes(r));
  }
  return packed;
}

/** The `root` member of a `state.committed` entry (undefined when it has none). */
export function committedRoot(data: Uint8Array): string | undefined {
  const r = entryObject(data)?.root;
  return typeof r === 'string' ? r : undefined;
}

/**
 * What an audit does with each chunk of the log it reads: every entry of `entries` (in
 * index order from `s.size`) applied to `s`, each `state.committed` checked by `roots`
 * against the state before it — the checks pushed onto `checks`, to be awaited before
 * the findings are read — and the keys changed sent ahead to the roots' engine, if any.
 * Returns false when an entry is missing (an index out of order): the replay stops there.
 */
export function replayChecked(s: RegistryState, entries: Iterable<ReplayEntry>, roots: StateRootChecker | undefined, checks: Promise<boolean>[], opts: ReplayOptions = {}): boolean {
  for (const e of entries) {
    if (e.index !== s.size) return false;
    if (roots?.observe(e.data)) {
      const root = committedRoot(e.data);
      if (root !== undefined) checks.push(roots.check(s, e.index, root));
    }
    applyEntry(s, e, opts);
  }
  roots?.advance(s);
  return true;
}

/** The `state.committed` event (docs/log-format.md §6.10) for the state of the first `size` entries. */
export function stateCommittedEntry(size: number, root: Uint8Array, time: string): Uint8Array {
  return encodeEntry({ v: 1, kind: STATE_COMMITTED, time, size, root: toHex(root) } as unknown as LogEvent);
}

/** A committed root the replay does not give. */
export interface WrongRoot {
  /** Index of the `state.committed` entry. */
  index: number;
  /** The root it commits to (hex). */
  logged: string;
  /** The root of the replayed state (hex). */
  replayed: string;
}

/**
 * Recomputes every committed state root while a log is replayed: feed it each entry
 * before the replay applies it (`observe`); for a `state.committed` it returns true, and
 * the caller then calls `check(state, index, root)` with the state of the entries before
 * it. The check reads what it needs of the state at once; its answer (and `checked`,
 * `wrong`) may come later, in order — a caller that goes on replaying awaits them all
 * before it reports. Keeps its own map (the newest tree only, src/state/map/memory.ts) in
 * memory, or in a {@link MapEngine} (another thread), updated with the keys changed since
 * the previous commitment: O(changed keys × log n) per commitment.
 */
export class StateRootChecker {
  private readonly dirty = new Set<StateKeyId>();
  /**
   * True until the first commitment is checked by a checker made without a map (it
   * observes the log from its first entry): every key of the state is then "changed",
   * so the first check maps the whole state at once (`packWholeState`) and `observe`
   * keeps no keys until then. The same root as the keys observed: a key no entry named
   * has no record, and one named whose record is absent is not in the map either.
   */
  private whole: boolean;
  readonly wrong: WrongRoot[] = [];
  /** Commitments checked. */
  checked = 0;
  /** The map of the newest commitment checked (with the keys changed since still to apply); unused with an engine. */
  readonly map: MemoryMap;
  /** The root the engine was last asked for. */
  private engineRoot: Promise<Uint8Array> | undefined;
  /** Updates sent ahead to the engine ({@link advance}) since the last check: the check fails if one did. */
  private ahead: Promise<unknown>[] = [];

  /**
   * @param map the map of the last commitment checked (with `dirty` keys still to apply); none: the empty log's.
   * @param engine where the map is kept instead of this thread's memory: then the keys
   *   an entry changes are noted from the first entry on (no whole-state batch at the
   *   first commitment), and {@link advance} sends them ahead as the replay goes.
   */
  constructor(
    private readonly sha256: Sha256,
    map?: MemoryMap,
    private readonly engine?: MapEngine,
  ) {
    this.map = map ?? new MemoryMap(sha256);
    this.whole = map === undefined && engine === undefined;
  }

  /**
   * With an engine, sends the records of the keys changed so far to it once there are
   * at least `minKeys` (default 2,048) — so that the engine hashes and builds the map
   * while the replay goes on, and a commitment's check waits only for the keys changed
   * since. A key changed again later is sent again. Without an engine, nothing (the map
   * is brought up to date at each check). `s` is the state of the entries observed.
   */
  advance(s: RegistryState, minKeys = 2048): void {
    if (this.engine === undefined || this.whole || this.dirty.size < minKeys) return;
    const packed = packStateUpdates(s, this.dirty);
    this.dirty.clear();
    const sent = this.engine.update(packed);
    sent.catch(() => undefined); // the next check reports it
    this.ahead.push(sent);
    this.engineRoot = sent;
  }

  /** Notes an entry's changed keys; true when it is a `state.committed` to check. */
  observe(data: Uint8Array): boolean {
    if (this.whole) return isStateCommitment(data);
    const k = stateKeysOfEntry(data);
    for (const id of k.keys) this.dirty.add(id);
    return k.commitSize !== undefined;
  }

  /** The checker as plain JSON: its root, pending keys, findings and map nodes (hash ‖ node, base64). */
  async serialize(): Promise<unknown> {
    let root: Uint8Array;
    let packed: Uint8Array;
    if (this.engine !== undefined) ({ root, nodes: packed } = await this.engine.snapshot());
    else {
      root = this.map.root;
      packed = this.map.packedNodes();
    }
    return { root: toHex(root), dirty: [...this.dirty], ...(this.whole ? { whole: true } : {}), wrong: this.wrong, checked: this.checked, nodes: toBase64(packed) };
  }

  /**
   * A checker {@link serialize} saved (trusted input: the auditor's own file), its map in
   * memory — or in the engine `engine` makes of the saved root and nodes.
   */
  static deserialize(json: unknown, sha256: Sha256, engine?: (root: Uint8Array, nodes: Uint8Array) => MapEngine): StateRootChecker {
    const j = json as { root: string; dirty: StateKeyId[]; whole?: boolean; wrong: WrongRoot[]; checked: number; nodes: string };
    // everything read before an engine is made (a thread, which must not be left running if the file is bad)
    const packed = fromBase64(j.nodes);
    const root = fromHex(j.root);
    const dirty = [...j.dirty];
    const wrong = [...j.wrong];
    let c: StateRootChecker;
    if (engine !== undefined) c = new StateRootChecker(sha256, undefined, engine(root, packed));
    else c = new StateRootChecker(sha256, MemoryMap.fromPackedNodes(root, packed, sha256));
    c.whole = j.whole === true;
    for (const id of dirty) c.dirty.add(id);
    c.wrong.push(...wrong);
    c.checked = j.checked;
    return c;
  }

  /** Whether a key changed since the last commitment checked (its record is not the committed one); before the first, every key. */
  isDirty(id: StateKeyId): boolean {
    return this.whole || this.dirty.has(id);
  }

  /**
   * The map root of `s` (the entries observed so far), updating the checker's map. The
   * state is read before this returns; the root may come later (from the engine).
   */
  rootOf(s: RegistryState): Promise<Uint8Array> {
    if (this.engine !== undefined) {
      if (this.whole || this.dirty.size > 0 || this.engineRoot === undefined) {
        const packed = this.whole ? packWholeState(s) : packStateUpdates(s, this.dirty);
        this.whole = false;
        this.dirty.clear();
        this.engineRoot = this.engine.update(packed);
      }
      const ahead = this.ahead;
      this.ahead = [];
      const root = this.engineRoot;
      return ahead.length === 0 ? root : Promise.all(ahead).then(() => root);
    }
    if (this.whole) {
      this.map.adopt(this.map.stageHashed(wholeStateMapBatch(s, this.sha256)));
      this.whole = false;
      this.dirty.clear();
    } else if (this.dirty.size > 0) {
      this.map.adopt(this.map.stageHashed(stateMapBatch(s, this.dirty, this.sha256)));
      this.dirty.clear();
    }
    return Promise.resolve(this.map.root);
  }

  /** The values of `ids` in the map of the newest commitment checked, with their proofs (a map in memory only). */
  prove(ids: readonly StateKeyId[]): ProvenMapValue[] {
    if (this.engine !== undefined) throw new Error('the state map is held by an engine: no proofs here');
    return this.map.prove(ids.map(stateMapKey));
  }

  /**
   * Checks a commitment at `index` (the state `s` before it) against its logged root
   * (hex): reads `s` now, and resolves (with `checked` and `wrong` updated) once the root
   * is known.
   */
  check(s: RegistryState, index: number, logged: string): Promise<boolean> {
    return this.rootOf(s).then((root) => {
      const replayed = toHex(root);
      this.checked++;
      if (replayed === logged) return true;
      this.wrong.push({ index, logged, replayed });
      return false;
    });
  }

  /**
   * Whether the map holds what it should: the engine has the map it was started with
   * (its root is `root`, hex) — false if its thread could not load it. In memory, true.
   */
  async holds(root: string): Promise<boolean> {
    if (this.engine === undefined) return toHex(this.map.root) === root;
    try {
      return toHex(await this.engine.update(new PackedMapUpdates(1))) === root;
    } catch {
      return false;
    }
  }

  /** Releases the engine, if any. */
  async close(): Promise<void> {
    await this.engine?.close();
  }
}
