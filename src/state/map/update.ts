/**
 * Batch updates of the state map (docs/state-map.md §4): a set of (key, value | null)
 * changes applied to the tree under a root gives the new root, the nodes to store and
 * the nodes the new root no longer references. Cost: O(changed keys × log n) hashes and
 * node reads, the reads issued one batch per tree level.
 *
 * Two phases, so that the tree computation is pure and synchronous:
 * 1. read: walk the old tree level by level along the changed keys' paths, fetching
 *    each level's nodes in one `getNodes` call, and keep what was read as a tree of
 *    visits (plus, where a deletion may empty one side of an interior node, the
 *    untouched sibling — its kind decides whether a lone leaf moves up);
 * 2. compute: fold the visits bottom-up into the new subtrees, keeping the canonical
 *    form (§4.1) — an empty subtree is E, a subtree with one key is that key's leaf,
 *    only a subtree with two or more keys is an interior node.
 */
import { bytesEqual } from '../../ledger/index.ts';
import { MapError } from './errors.ts';
import {
  EMPTY_HASH,
  HASH_BYTES,
  INTERIOR_PREFIX,
  LEAF_PREFIX,
  MAX_DEPTH,
  checkKey,
  checkRoot,
  checkValue,
  isEmptyHash,
  mapKeyHash,
  pathBit,
  type Sha256,
} from './hashing.ts';
import { checkMapNode, type MapNodeRecord, type MapNodeStore } from './store.ts';

/** One change: set `key` to the 32-byte value hash `value`, or remove it (`null`). */
export interface MapUpdate {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

/** The outcome of {@link applyMapUpdates}. */
export interface MapCommit {
  /** The new root (a fresh array). */
  readonly root: Uint8Array;
  /**
   * Nodes of the new tree that the old tree did not have: store them (idempotently)
   * before publishing `root`. Every node of the new tree is then in the store.
   */
  readonly newNodes: MapNodeRecord[];
  /**
   * Hashes of the old tree's nodes that the new tree no longer references. A store that
   * keeps only recent roots may delete them once no retained root references them —
   * a node removed here can come back in a later commit's `newNodes` (content
   * addressing), so a pruner deletes by (hash, commit) and never a node re-added since.
   */
  readonly staleNodes: Uint8Array[];
}

const NODE_BYTES = 1 + 2 * HASH_BYTES;
/** Encoded nodes of one update are carved out of chunks of this many nodes. */
const ARENA_NODES = 1024;

/** What a subtree hash is, as far as the fold needs to know. */
const EMPTY = 0;
const LEAF = 1;
const INTERIOR = 2;
const UNKNOWN = 3;
type Kind = typeof EMPTY | typeof LEAF | typeof INTERIOR | typeof UNKNOWN;

/** A node of the old tree on a changed path (or the untouched sibling of one). */
interface Visit {
  readonly hash: Uint8Array;
  readonly depth: number;
  /** The sorted updates below this node are [lo, hi); lo = hi: read only for its kind. */
  readonly lo: number;
  readonly hi: number;
  /** Its encoding, once read (never for E). */
  bytes?: Uint8Array;
  /** Interior nodes with updates below: the first update index on the right side, and the children. */
  mid?: number;
  left?: Visit;
  right?: Visit;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** First index in [lo, hi) of sorted key hashes whose bit `depth` is 1 (all share the bits above). */
function splitIndex(keys: readonly Uint8Array[], lo: number, hi: number, depth: number): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (pathBit(keys[m]!, depth) === 0) a = m + 1;
    else b = m;
  }
  return a;
}

/** True when a and b agree on their first `bits` bits. */
function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[whole]! & mask) === (b[whole]! & mask);
}

function kindOfRead(v: Visit): Kind {
  if (isEmptyHash(v.hash)) return EMPTY;
  if (v.bytes === undefined) return UNKNOWN;
  return v.bytes[0] === LEAF_PREFIX ? LEAF : INTERIOR;
}

/**
 * Applies `updates` to the map under `root` (docs/state-map.md §4). The result depends
 * only on the old map's contents and the updates — never on their order, on batching or
 * on history. Setting a key to its current value, or removing an absent key, is allowed
 * and changes nothing. Does not write: the caller stores `newNodes` (in the transaction
 * that publishes the root, for a durable store).
 * Preconditions, checked before any read or hash: `root` 32 bytes, each key 1–1,024
 * bytes, each value 32 bytes or null, no key twice.
 * @throws MapError `invalid_root`, `invalid_key`, `invalid_value`, `duplicate_key`,
 *   `missing_node` (the store lacks a node of the old tree), `malformed_node`.
 */
export async function applyMapUpdates(
  store: MapNodeStore,
  root: Uint8Array,
  updates: readonly MapUpdate[],
  sha256: Sha256,
): Promise<MapCommit> {
  checkRoot(root);
  for (const u of updates) {
    checkKey(u?.key);
    if (u.value !== null) checkValue(u.value);
  }
  const n = updates.length;
  // sort by key hash: on the first 32 bits as numbers, then (rarely needed) the bytes
  const hashedKeys = updates.map((u) => mapKeyHash(u.key, sha256));
  const prefix = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = hashedKeys[i]!;
    prefix[i] = ((k[0]! << 24) | (k[1]! << 16) | (k[2]! << 8) | k[3]!) >>> 0;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => prefix[a]! - prefix[b]! || compareBytes(hashedKeys[a]!, hashedKeys[b]!));
  const keys = order.map((i) => hashedKeys[i]!);
  const values = order.map((i) => updates[i]!.value);
  for (let i = 1; i < n; i++) {
    if (bytesEqual(keys[i - 1]!, keys[i]!)) throw new MapError('duplicate_key', 'a batch of map updates names a key twice');
  }
  if (n === 0) return { root: root.slice(), newNodes: [], staleNodes: [] };
  // deletions[i] = number of removals among the first i sorted updates.
  const deletions = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) deletions[i + 1] = deletions[i]! + (values[i] === null ? 1 : 0);
  const hasDeletion = (lo: number, hi: number) => deletions[hi]! - deletions[lo]! > 0;

  // ---- phase 1: read the old nodes on the changed paths, one batch per level.
  const top: Visit = { hash: root, depth: 0, lo: 0, hi: n };
  let frontier: Visit[] = [top];
  while (frontier.length > 0) {
    const toRead = frontier.filter((v) => !isEmptyHash(v.hash));
    if (toRead.length > 0) {
      const got = await store.getNodes(toRead.map((v) => v.hash));
      for (let i = 0; i < toRead.length; i++) {
        const bytes = got[i];
        if (bytes === undefined) throw new MapError('missing_node', 'a node of the map is missing from the store');
        checkMapNode(bytes);
        toRead[i]!.bytes = bytes;
      }
    }
    const next: Visit[] = [];
    for (const v of toRead) {
      if (v.lo === v.hi || v.bytes![0] === LEAF_PREFIX) continue;
      if (v.depth >= MAX_DEPTH) throw new MapError('malformed_node', 'an interior map node below depth 256');
      const mid = splitIndex(keys, v.lo, v.hi, v.depth);
      const d = v.depth + 1;
      v.mid = mid;
      const leftHash = v.bytes!.subarray(1, 1 + HASH_BYTES);
      const rightHash = v.bytes!.subarray(1 + HASH_BYTES);
      if (mid > v.lo || hasDeletion(mid, v.hi)) next.push((v.left = { hash: leftHash, depth: d, lo: v.lo, hi: mid }));
      if (v.hi > mid || hasDeletion(v.lo, mid)) next.push((v.right = { hash: rightHash, depth: d, lo: mid, hi: v.hi }));
    }
    frontier = next;
  }

  // ---- phase 2: fold the visits into the new tree (pure, synchronous).
  const created: MapNodeRecord[] = [];
  const replaced: Uint8Array[] = [];
  let arena = new Uint8Array(0);
  let arenaAt = 0;
  /** The kind of the hash the last fold/build/join returned. */
  let kind: Kind = UNKNOWN;

  /** Encodes prefix ‖ a ‖ b into the arena, hashes it, and records the new node. */
  const makeNode = (prefix: number, a: Uint8Array, b: Uint8Array): Uint8Array => {
    if (arenaAt === arena.length) {
      arena = new Uint8Array(NODE_BYTES * ARENA_NODES);
      arenaAt = 0;
    }
    const bytes = arena.subarray(arenaAt, arenaAt + NODE_BYTES);
    arenaAt += NODE_BYTES;
    bytes[0] = prefix;
    bytes.set(a, 1);
    bytes.set(b, 1 + HASH_BYTES);
    const hash = sha256(bytes);
    created.push({ hash, bytes });
    return hash;
  };

  /**
   * The canonical tree of the pairs `ks[a..b)`/`vs[a..b)` (distinct, sorted, sharing
   * `depth` bits). `keep` is an old leaf that stays as it was (its hash, known): it is
   * reused, not re-created.
   */
  const build = (depth: number, ks: Uint8Array[], vs: Uint8Array[], a: number, b: number, keep: Uint8Array | null, keepHash: Uint8Array): Uint8Array => {
    if (a === b) {
      kind = EMPTY;
      return EMPTY_HASH;
    }
    if (b - a === 1) {
      kind = LEAF;
      return ks[a] === keep ? keepHash : makeNode(LEAF_PREFIX, ks[a]!, vs[a]!);
    }
    const m = splitIndex(ks, a, b, depth);
    const l = build(depth + 1, ks, vs, a, m, keep, keepHash);
    const r = build(depth + 1, ks, vs, m, b, keep, keepHash);
    kind = INTERIOR;
    return makeNode(INTERIOR_PREFIX, l, r);
  };

  /**
   * Merges the updates [lo, hi) below a visit that is a leaf or E with the subtree's old
   * key, if any, and builds the new subtree. An old leaf that stays as it was (no update,
   * or its own value set again) is reused even where it moves down; otherwise it is stale.
   */
  const rebuild = (v: Visit): Uint8Array => {
    const ks: Uint8Array[] = [];
    const vs: Uint8Array[] = [];
    let k0: Uint8Array | null = null;
    let v0: Uint8Array | null = null;
    let keep: Uint8Array | null = null;
    if (v.bytes !== undefined) {
      k0 = v.bytes.subarray(1, 1 + HASH_BYTES);
      v0 = v.bytes.subarray(1 + HASH_BYTES);
      if (!samePrefix(k0, keys[v.lo]!, v.depth)) throw new MapError('malformed_node', 'a map leaf is off its key’s path');
    }
    for (let i = v.lo; i < v.hi; i++) {
      const value = values[i]!;
      if (k0 !== null) {
        const c = compareBytes(k0, keys[i]!);
        if (c < 0) {
          ks.push((keep = k0));
          vs.push(v0!);
          k0 = null;
        } else if (c === 0) {
          // the update replaces or removes the old key; setting the same value keeps its leaf
          if (value !== null && bytesEqual(value, v0!)) {
            ks.push((keep = k0));
            vs.push(v0!);
          } else if (value !== null) {
            ks.push(keys[i]!);
            vs.push(value);
          }
          k0 = null;
          continue;
        }
      }
      if (value !== null) {
        ks.push(keys[i]!);
        vs.push(value);
      }
    }
    if (k0 !== null) {
      ks.push((keep = k0));
      vs.push(v0!);
    }
    const result = build(v.depth, ks, vs, 0, ks.length, keep, v.hash);
    // The old leaf is stale only if it was not kept (kept, it may just have moved down).
    if (v.bytes !== undefined && keep === null) replaced.push(v.hash);
    return result;
  };

  /** Canonical parent of two subtrees: E over E is E; a lone leaf moves up; else an interior node. */
  const join = (l: Uint8Array, lk: Kind, r: Uint8Array, rk: Kind): Uint8Array => {
    if (lk === EMPTY && rk === EMPTY) {
      kind = EMPTY;
      return EMPTY_HASH;
    }
    if (lk === EMPTY || rk === EMPTY) {
      const other = lk === EMPTY ? rk : lk;
      if (other === UNKNOWN) throw new MapError('missing_node', 'a node of the map was not read'); // never: phase 1 reads it
      if (other === LEAF) {
        kind = LEAF;
        return lk === EMPTY ? r : l;
      }
    }
    kind = INTERIOR;
    return makeNode(INTERIOR_PREFIX, l, r);
  };

  const fold = (v: Visit): Uint8Array => {
    if (v.lo === v.hi) {
      kind = kindOfRead(v);
      return v.hash;
    }
    if (v.bytes === undefined || v.bytes[0] === LEAF_PREFIX) return rebuild(v);
    const createdMark = created.length;
    const replacedMark = replaced.length;
    let l: Uint8Array;
    let lk: Kind;
    let r: Uint8Array;
    let rk: Kind;
    if (v.left) {
      l = fold(v.left);
      lk = kind;
    } else {
      l = v.bytes.subarray(1, 1 + HASH_BYTES);
      lk = isEmptyHash(l) ? EMPTY : UNKNOWN;
    }
    if (v.right) {
      r = fold(v.right);
      rk = kind;
    } else {
      r = v.bytes.subarray(1 + HASH_BYTES);
      rk = isEmptyHash(r) ? EMPTY : UNKNOWN;
    }
    const result = join(l, lk, r, rk);
    if (bytesEqual(result, v.hash)) {
      // The subtree came out as it was (its updates changed nothing): every node made
      // for it already exists, and nothing in it was replaced.
      created.length = createdMark;
      replaced.length = replacedMark;
      kind = INTERIOR;
      return v.hash;
    }
    replaced.push(v.hash);
    return result;
  };

  const newRoot = fold(top);
  return { root: newRoot.slice(), newNodes: created, staleNodes: replaced.map((h) => h.slice()) };
}
