/**
 * The state map held in memory as a tree of node indices (docs/state-map.md §4, §5, §9):
 * what the state committer and the state-root check of audit and monitors keep, since
 * the map lives in memory (migration 0016). Pure.
 *
 * The content-addressed node store (`MemoryNodeStore` with `applyMapUpdates` and
 * `proveMapKeys`) finds every node by its hash, copies it out, and decodes it; this map
 * links a node to its children by index in typed arrays instead, so an update walks the
 * changed paths without a lookup, a copy or an allocation per node, and the garbage
 * collector sees a handful of arrays rather than a few objects per node. The trees and
 * proofs are the same (docs/state-map.md §4.1, §5.1): the known-answer vectors and the
 * node-store implementation check it (tests/state/map-memory.test.ts).
 *
 * Nodes are immutable and shared between roots: an update ({@link MemoryMap.stage})
 * builds the new root beside the current one, which stays provable, and the map switches
 * to it on {@link MemoryMap.adopt} (freeing the nodes only the old tree had) or drops it
 * on {@link MemoryMap.discard} (freeing the nodes only the new tree had) — so a
 * commitment whose log entry rolled back leaves the map as it was.
 */
import { MapError } from './errors.ts';
import { EMPTY_HASH, HASH_BYTES, INTERIOR_PREFIX, LEAF_PREFIX, checkKey, checkRoot, checkValue, mapKeyHash, type Sha256 } from './hashing.ts';
import type { ProvenMapValue } from './prove.ts';
import type { MapNodeRecord } from './store.ts';
import type { MapUpdate } from './update.ts';

/** The index of the empty subtree E (no node). */
const NONE = -1;
/** `left` of a leaf (a leaf has no children). */
const LEAF = -2;
/** `left` of a free slot. */
const FREE = -3;
const NODE_BYTES = 1 + 2 * HASH_BYTES;
/** A node packed with its hash (hash ‖ encoding), as a saved map holds it. */
const PACKED_NODE_BYTES = HASH_BYTES + NODE_BYTES;
/** E as eight 32-bit words (in the platform's byte order, as the word views read it). */
const EMPTY32 = new Int32Array(EMPTY_HASH.slice().buffer);
/** Nodes reserved beside a bulk-built map for the updates staged on it: ~4,000 changed keys of a 100,000-key map (≈ 7 MB). */
const STAGING_HEADROOM = 1 << 16;

/** An update computed by {@link MemoryMap.stage}, not yet adopted or discarded. */
export interface StagedMapUpdate {
  /** The new root (a fresh array). */
  readonly root: Uint8Array;
  /** @internal the new root's node. */
  readonly rootIndex: number;
  /** @internal nodes of the new tree the old one does not have. */
  readonly created: readonly number[];
  /** @internal nodes of the old tree the new one no longer has. */
  readonly replaced: readonly number[];
  /** @internal the root it was computed from. */
  readonly base: number;
}

/** The authenticated state map in memory: one current root, updated in batches, proving keys. */
export class MemoryMap {
  /** Node i's hash: bytes [32i, 32i + 32). */
  private hashes = new Uint8Array(HASH_BYTES * 1024);
  /** A leaf's K ‖ V: bytes [64i, 64i + 64). */
  private kv = new Uint8Array(2 * HASH_BYTES * 1024);
  /** An interior node's left child (NONE: E); LEAF for a leaf; FREE for a free slot. */
  private left = new Int32Array(1024);
  /** An interior node's right child (NONE: E); the next free slot of a free one. */
  private right = new Int32Array(1024);
  private used = 0;
  private free = NONE;
  private count = 0;
  private rootIndex = NONE;
  /** `hashes` as 32-bit words (a view, replaced when the array grows). */
  private hashes32 = new Int32Array(this.hashes.buffer);
  /** `kv` as 32-bit words. */
  private kv32 = new Int32Array(this.kv.buffer);
  /**
   * The hash preimage being built (SHA-256 does not keep its input): 68 bytes whose
   * prefix byte sits at offset 3, so that the two 32-byte halves after it are word
   * aligned and filled as 32-bit words; `preimage` is its last 65 bytes.
   */
  private readonly pre8 = new Uint8Array(4 + 2 * HASH_BYTES);
  private readonly pre32 = new Int32Array(this.pre8.buffer);
  private readonly preimage = this.pre8.subarray(3);

  constructor(private readonly sha256: Sha256) {}

  /** Number of nodes the current tree and any staged update hold. */
  get size(): number {
    return this.count;
  }

  /** Bytes the node arrays take. */
  get footprintBytes(): number {
    return this.hashes.byteLength + this.kv.byteLength + this.left.byteLength + this.right.byteLength;
  }

  /** The current root (a fresh array; E for the empty map). */
  get root(): Uint8Array {
    return this.hashOf(this.rootIndex);
  }

  /**
   * Computes the root after `updates` (set each key to its value hash, or remove it with
   * `null`) beside the current tree, which stays as it is until {@link adopt}. Cost:
   * O(changed keys × log n) hashes.
   * @throws MapError `invalid_key`, `invalid_value`, `duplicate_key` (nothing is staged).
   */
  stage(updates: readonly MapUpdate[]): StagedMapUpdate {
    for (const u of updates) {
      checkKey(u?.key);
      if (u.value !== null) checkValue(u.value);
    }
    const batch = new HashedMapBatch(updates.length);
    for (const u of updates) batch.push(mapKeyHash(u.key, this.sha256), u.value);
    return this.stageHashed(batch);
  }

  /**
   * {@link stage} of updates given by key hash K (docs/state-map.md §3.1) in flat arrays —
   * what a bulk update (a whole state at a process's first commitment) builds without an
   * object or a small array per key.
   * @throws MapError `duplicate_key` (nothing is staged).
   */
  stageHashed(batch: HashedMapBatch): StagedMapUpdate {
    const sorted = batch.sorted();
    const n = sorted.length;
    for (let i = 1; i < n; i++) if (compare(sorted.keys, (i - 1) * HASH_BYTES, sorted.keys, i * HASH_BYTES) === 0) throw new MapError('duplicate_key', 'a batch of map updates names a key twice');
    const created: number[] = [];
    const replaced: number[] = [];
    const base = this.rootIndex;
    // a map built from nothing: room for its nodes at once (random key hashes give ~2.45 nodes a key), not by
    // doubling — and for the next updates staged beside it (each builds its new path, ~log2 n nodes a changed key,
    // before the old one is freed): growing the arrays later, inside a commitment, cost 130 ms for 100,000 keys
    // (mostly the full garbage collection V8 runs when that much external memory is allocated)
    if (base === NONE) this.reserve(this.used + n + (n >> 1) * 3 + STAGING_HEADROOM);
    const rootIndex = new Update(this, sorted, created, replaced).apply(base, 0, 0, n);
    return { root: this.hashOf(rootIndex), rootIndex, created, replaced, base };
  }

  /**
   * Makes a staged update's root the current one and frees the nodes only the old tree
   * had. The current root must still be the one it was staged on.
   */
  adopt(staged: StagedMapUpdate): void {
    if (staged.base !== this.rootIndex) throw new Error('a staged map update adopted over another root');
    this.rootIndex = staged.rootIndex;
    for (const i of staged.replaced) this.release(i);
  }

  /** Drops a staged update: frees the nodes only its tree had; the current root stays. */
  discard(staged: StagedMapUpdate): void {
    for (const i of staged.created) this.release(i);
  }

  /** Stages and adopts `updates`; returns the new root. */
  apply(updates: readonly MapUpdate[]): Uint8Array {
    const s = this.stage(updates);
    this.adopt(s);
    return s.root;
  }

  /**
   * Looks up each of `keys` under the current root and proves the answer, presence with
   * its value hash or absence (docs/state-map.md §5): the same values and proofs as
   * `proveMapKeys` on a node store holding this tree.
   * @throws MapError `invalid_key`.
   */
  prove(keys: readonly Uint8Array[]): ProvenMapValue[] {
    return keys.map((key) => {
      const k = mapKeyHash(key, this.sha256);
      const siblings: (Uint8Array | null)[] = [];
      let node = this.rootIndex;
      for (let depth = 0; ; depth++) {
        if (node === NONE) return { value: null, proof: { siblings, end: { kind: 'empty' } } };
        if (this.left[node] === LEAF) {
          const at = node * 2 * HASH_BYTES;
          if (compare(this.kv, at, k, 0) === 0) return { value: this.kv.slice(at + HASH_BYTES, at + 2 * HASH_BYTES), proof: { siblings, end: { kind: 'present' } } };
          return {
            value: null,
            proof: { siblings, end: { kind: 'leaf', keyHash: this.kv.slice(at, at + HASH_BYTES), valueHash: this.kv.slice(at + HASH_BYTES, at + 2 * HASH_BYTES) } },
          };
        }
        const right = ((k[depth >> 3]! >> (7 - (depth & 7))) & 1) === 1;
        const sibling = right ? this.left[node]! : this.right[node]!;
        siblings.push(sibling === NONE ? null : this.hashOf(sibling));
        node = right ? this.right[node]! : this.left[node]!;
      }
    });
  }

  /** Every node of the current tree as its hash and 65-byte encoding (docs/state-map.md §9). */
  *nodes(): IterableIterator<MapNodeRecord> {
    const stack = this.rootIndex === NONE ? [] : [this.rootIndex];
    while (stack.length > 0) {
      const i = stack.pop()!;
      yield { hash: this.hashOf(i), bytes: this.encode(i) };
      if (this.left[i] !== LEAF) {
        if (this.left[i] !== NONE) stack.push(this.left[i]!);
        if (this.right[i] !== NONE) stack.push(this.right[i]!);
      }
    }
  }

  /** Every node of the current tree packed as hash ‖ 65-byte encoding, 97 bytes each (a saved map; {@link fromPackedNodes}). */
  packedNodes(): Uint8Array {
    const nodes = [...this.nodes()];
    const packed = new Uint8Array(nodes.length * PACKED_NODE_BYTES);
    nodes.forEach((n, i) => {
      packed.set(n.hash, i * PACKED_NODE_BYTES);
      packed.set(n.bytes, i * PACKED_NODE_BYTES + HASH_BYTES);
    });
    return packed;
  }

  /** {@link fromNodes} of nodes as {@link packedNodes} gives them. */
  static fromPackedNodes(root: Uint8Array, packed: Uint8Array, sha256: Sha256): MemoryMap {
    const records: MapNodeRecord[] = [];
    for (let at = 0; at < packed.length; at += PACKED_NODE_BYTES) records.push({ hash: packed.subarray(at, at + HASH_BYTES), bytes: packed.subarray(at + HASH_BYTES, at + PACKED_NODE_BYTES) });
    return MemoryMap.fromNodes(root, records, sha256);
  }

  /**
   * The map whose root is `root`, from its nodes (hash and 65-byte encoding each; others
   * are ignored). Trusted input (the map's own {@link nodes}): hashes are not recomputed.
   * @throws MapError `invalid_root`; `missing_node` or `malformed_node` when a node of the tree is absent or not an encoding.
   */
  static fromNodes(root: Uint8Array, nodes: Iterable<MapNodeRecord>, sha256: Sha256): MemoryMap {
    checkRoot(root);
    const byHash = new Map<string, Uint8Array>();
    for (const n of nodes) byHash.set(hexKey(n.hash, 0), n.bytes);
    const m = new MemoryMap(sha256);
    const load = (hash: Uint8Array, off: number, depth: number): number => {
      if (compare(hash, off, EMPTY_HASH, 0) === 0) return NONE;
      const bytes = byHash.get(hexKey(hash, off));
      if (bytes === undefined) throw new MapError('missing_node', 'a node of the map is missing');
      if (bytes.length !== NODE_BYTES || (bytes[0] !== LEAF_PREFIX && bytes[0] !== INTERIOR_PREFIX) || depth > 256) throw new MapError('malformed_node', 'a map node is not 65 bytes starting with 0x11 or 0x12');
      let i: number;
      if (bytes[0] === LEAF_PREFIX) {
        i = m.alloc();
        m.left[i] = LEAF;
        m.kv.set(bytes.subarray(1), i * 2 * HASH_BYTES);
      } else {
        const l = load(bytes, 1, depth + 1);
        const r = load(bytes, 1 + HASH_BYTES, depth + 1);
        i = m.alloc();
        m.left[i] = l;
        m.right[i] = r;
      }
      m.hashes.set(hash.subarray(off, off + HASH_BYTES), i * HASH_BYTES);
      return i;
    };
    m.rootIndex = load(root, 0, 0);
    return m;
  }

  // ---------------------------------------------------------------- nodes

  /** @internal Node `i`'s hash (a fresh array; E for NONE). */
  hashOf(i: number): Uint8Array {
    return i === NONE ? EMPTY_HASH.slice() : this.hashes.slice(i * HASH_BYTES, (i + 1) * HASH_BYTES);
  }

  /** @internal Whether node `i` is a leaf. */
  isLeaf(i: number): boolean {
    return i !== NONE && this.left[i] === LEAF;
  }

  /** @internal Node `i`'s children (interior nodes only). */
  leftOf(i: number): number {
    return this.left[i]!;
  }

  /** @internal */
  rightOf(i: number): number {
    return this.right[i]!;
  }

  /** @internal The leaves' K ‖ V, 64 bytes a node (read-only to callers). */
  get keyBytes(): Uint8Array {
    return this.kv;
  }

  /** @internal Bit `depth` of leaf `i`'s key hash. */
  leafBit(i: number, depth: number): number {
    return (this.kv[i * 2 * HASH_BYTES + (depth >> 3)]! >> (7 - (depth & 7))) & 1;
  }

  /** @internal Order of leaf `i`'s key hash against the 32 bytes of `k` at `ko`. */
  compareLeaf(i: number, k: Uint8Array, ko: number): number {
    return compare(this.kv, i * 2 * HASH_BYTES, k, ko);
  }

  /** @internal Whether leaf `i`'s value hash is the 32 bytes of `v` at `vo`. */
  leafValueIs(i: number, v: Uint8Array, vo: number): boolean {
    return compare(this.kv, i * 2 * HASH_BYTES + HASH_BYTES, v, vo) === 0;
  }

  /**
   * @internal A new leaf 0x11 ‖ K ‖ V: K the 8 words of `k` from word `kw`, V those of
   * `v` from `vw` (key and value hashes are copied as 32-bit words, not byte by byte).
   */
  newLeaf(k: Int32Array, kw: number, v: Int32Array, vw: number): number {
    const i = this.alloc();
    this.left[i] = LEAF;
    const at = i * 16;
    const kv = this.kv32;
    const pre = this.pre32;
    this.pre8[3] = LEAF_PREFIX;
    for (let w = 0; w < 8; w++) {
      kv[at + w] = pre[1 + w] = k[kw + w]!;
      kv[at + 8 + w] = pre[9 + w] = v[vw + w]!;
    }
    this.hashInto(i);
    return i;
  }

  /** Writes SHA-256 of the preimage built in `pre8` as node `i`'s hash. */
  private hashInto(i: number): void {
    const into = this.sha256.into;
    if (into !== undefined) into(this.preimage, this.hashes, i * HASH_BYTES);
    else this.hashes.set(this.sha256(this.preimage), i * HASH_BYTES);
  }

  /** @internal A new interior node 0x12 ‖ hash(l) ‖ hash(r). */
  newInterior(l: number, r: number): number {
    const i = this.alloc();
    this.left[i] = l;
    this.right[i] = r;
    const pre = this.pre32;
    const h = this.hashes32;
    this.pre8[3] = INTERIOR_PREFIX;
    if (l === NONE) for (let w = 0; w < 8; w++) pre[1 + w] = EMPTY32[w]!;
    else for (let w = 0, at = l * 8; w < 8; w++) pre[1 + w] = h[at + w]!;
    if (r === NONE) for (let w = 0; w < 8; w++) pre[9 + w] = EMPTY32[w]!;
    else for (let w = 0, at = r * 8; w < 8; w++) pre[9 + w] = h[at + w]!;
    this.hashInto(i);
    return i;
  }

  private encode(i: number): Uint8Array {
    const out = new Uint8Array(NODE_BYTES);
    if (this.left[i] === LEAF) {
      out[0] = LEAF_PREFIX;
      out.set(this.kv.subarray(i * 2 * HASH_BYTES, (i + 1) * 2 * HASH_BYTES), 1);
    } else {
      out[0] = INTERIOR_PREFIX;
      out.set(this.left[i] === NONE ? EMPTY_HASH : this.hashes.subarray(this.left[i]! * HASH_BYTES, (this.left[i]! + 1) * HASH_BYTES), 1);
      out.set(this.right[i] === NONE ? EMPTY_HASH : this.hashes.subarray(this.right[i]! * HASH_BYTES, (this.right[i]! + 1) * HASH_BYTES), 1 + HASH_BYTES);
    }
    return out;
  }

  private alloc(): number {
    let i = this.free;
    if (i !== NONE) this.free = this.right[i]!;
    else {
      if (this.used === this.left.length) this.grow();
      i = this.used++;
    }
    this.count++;
    return i;
  }

  private release(i: number): void {
    if (this.left[i] === FREE) return;
    this.left[i] = FREE;
    this.right[i] = this.free;
    this.free = i;
    this.count--;
  }

  private grow(): void {
    this.reserve(this.left.length * 2);
  }

  /** Room for `capacity` nodes. */
  private reserve(capacity: number): void {
    if (capacity <= this.left.length) return;
    const grown = <T extends Uint8Array | Int32Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.hashes = grown(this.hashes, capacity * HASH_BYTES);
    this.kv = grown(this.kv, capacity * 2 * HASH_BYTES);
    this.left = grown(this.left, capacity);
    this.right = grown(this.right, capacity);
    this.hashes32 = new Int32Array(this.hashes.buffer);
    this.kv32 = new Int32Array(this.kv.buffer);
  }
}

/**
 * A batch of map updates by key hash, in flat arrays: update i sets K_i (bytes
 * [32i, 32i + 32) of `keys`) to V_i (the same bytes of `values`), or removes it. Pure.
 */
export class HashedMapBatch {
  keys: Uint8Array;
  values: Uint8Array;
  /** 1 where update i removes its key. */
  removes: Uint8Array;
  length = 0;

  constructor(capacity = 16) {
    const c = Math.max(1, capacity);
    this.keys = new Uint8Array(c * HASH_BYTES);
    this.values = new Uint8Array(c * HASH_BYTES);
    this.removes = new Uint8Array(c);
  }

  /** Adds an update: `keyHash` (32 bytes) to `value` (32 bytes), or removed (`null`). */
  push(keyHash: Uint8Array, value: Uint8Array | null): void {
    if (this.length === this.removes.length) this.grow();
    const at = this.length * HASH_BYTES;
    const keys = this.keys;
    for (let b = 0; b < HASH_BYTES; b++) keys[at + b] = keyHash[b]!;
    if (value === null) this.removes[this.length] = 1;
    else {
      const values = this.values;
      for (let b = 0; b < HASH_BYTES; b++) values[at + b] = value[b]!;
    }
    this.length++;
  }

  /**
   * Adds an update whose key hash and value hash the caller writes itself, at bytes
   * [32i, 32i + 32) of `keys` and `values` (or marks it a removal in `removes`); returns i.
   */
  add(): number {
    if (this.length === this.removes.length) this.grow();
    return this.length++;
  }

  /** The same updates in key-hash order (a new batch; this one is unchanged). */
  sorted(): HashedMapBatch {
    const n = this.length;
    const order = sortedOrder(this.keys, n);
    const out = new HashedMapBatch(n);
    const { removes } = this;
    // copied as 32-bit words (eight a hash; the arrays are fresh, so 4-byte aligned)
    const keys = words(this.keys);
    const values = words(this.values);
    const ok = words(out.keys);
    const ov = words(out.values);
    for (let j = 0; j < n; j++) {
      const i = order[j]!;
      for (let w = 0, from = i * 8, to = j * 8; w < 8; w++) {
        ok[to + w] = keys[from + w]!;
        ov[to + w] = values[from + w]!;
      }
      out.removes[j] = removes[i]!;
    }
    out.length = n;
    return out;
  }

  private grow(): void {
    const c = this.removes.length * 2;
    const keys = new Uint8Array(c * HASH_BYTES);
    keys.set(this.keys);
    const values = new Uint8Array(c * HASH_BYTES);
    values.set(this.values);
    const removes = new Uint8Array(c);
    removes.set(this.removes);
    this.keys = keys;
    this.values = values;
    this.removes = removes;
  }
}

/**
 * The indices 0..n-1 ordered by the 32-byte keys at 32i of `keys`. Up to 2^21 keys: one
 * native sort of doubles, each a key's first 32 bits above its index (exact below 2^53),
 * then a full comparison only within runs of equal first 32 bits (rare for hashes);
 * otherwise a comparison sort.
 */
function sortedOrder(keys: Uint8Array, n: number): Int32Array {
  const order = new Int32Array(n);
  if (n > 1 << 21) {
    const all = Array.from({ length: n }, (_, i) => i);
    all.sort((a, b) => compare(keys, a * HASH_BYTES, keys, b * HASH_BYTES));
    order.set(all);
    return order;
  }
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = prefix(keys, i) * 2097152 + i;
  packed.sort();
  for (let j = 0; j < n; j++) order[j] = packed[j]! % 2097152;
  // keys sharing their first 32 bits: order each such run by the whole key
  for (let a = 0; a < n; ) {
    let b = a + 1;
    const p = prefix(keys, order[a]!);
    while (b < n && prefix(keys, order[b]!) === p) b++;
    if (b - a > 1) {
      const run = Array.from(order.subarray(a, b));
      run.sort((x, y) => compare(keys, x * HASH_BYTES, keys, y * HASH_BYTES));
      order.set(run, a);
    }
    a = b;
  }
  return order;
}

/** The bytes of `a` (a whole buffer of a multiple of 4 bytes) as 32-bit words. */
function words(a: Uint8Array): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.byteLength >> 2);
}

/** The first 32 bits of key i, unsigned. */
function prefix(keys: Uint8Array, i: number): number {
  const at = i * HASH_BYTES;
  return ((keys[at]! << 24) | (keys[at + 1]! << 16) | (keys[at + 2]! << 8) | keys[at + 3]!) >>> 0;
}

/** The fold of one batch of sorted updates into a tree (docs/state-map.md §4.3). */
class Update {
  private readonly keys: Uint8Array;
  private readonly values: Uint8Array;
  private readonly removes: Uint8Array;
  private readonly keys32: Int32Array;
  private readonly values32: Int32Array;

  constructor(
    private readonly m: MemoryMap,
    batch: HashedMapBatch,
    private readonly created: number[],
    private readonly replaced: number[],
  ) {
    this.keys = batch.keys;
    this.values = batch.values;
    this.removes = batch.removes;
    this.keys32 = words(batch.keys);
    this.values32 = words(batch.values);
  }

  /** The new subtree at `depth` in place of `node` with the updates [lo, hi) below it. */
  apply(node: number, depth: number, lo: number, hi: number): number {
    if (lo === hi) return node;
    const m = this.m;
    if (node === NONE || m.isLeaf(node)) return this.rebuild(node, depth, lo, hi);
    if (depth >= 256) throw new MapError('malformed_node', 'an interior map node below depth 256');
    // sorted keys sharing `depth` bits: those with bit `depth` 0 come first (binary search)
    let mid = lo;
    for (let top = hi; mid < top; ) {
      const m = (mid + top) >>> 1;
      if (this.bit(m, depth) === 0) mid = m + 1;
      else top = m;
    }
    const l = m.leftOf(node);
    const r = m.rightOf(node);
    const nl = this.apply(l, depth + 1, lo, mid);
    const nr = this.apply(r, depth + 1, mid, hi);
    if (nl === l && nr === r) return node;
    this.replaced.push(node);
    // canonical parent (§4.1): E over E is E, a lone leaf moves up, else an interior node
    if (nl === NONE && (nr === NONE || m.isLeaf(nr))) return nr;
    if (nr === NONE && m.isLeaf(nl)) return nl;
    return this.interior(nl, nr);
  }

  /**
   * The subtree of a leaf or E (`node`) with the updates [lo, hi) below it: the old key
   * (if it stays) and the new ones, as §4.1 builds them. An old leaf that stays as it
   * was is reused, even where it moves down; otherwise it is stale.
   */
  private rebuild(node: number, depth: number, lo: number, hi: number): number {
    const m = this.m;
    // items: update indices (≥ 0) and the kept old leaf (~node < 0), in key-hash order
    const items: number[] = [];
    let old = node;
    let kept = false;
    for (let i = lo; i < hi; i++) {
      const removes = this.removes[i] === 1;
      if (old !== NONE) {
        const c = m.compareLeaf(old, this.keys, i * HASH_BYTES);
        if (c < 0) {
          items.push(~old);
          kept = true;
          old = NONE;
        } else if (c === 0) {
          // the update replaces or removes the old key; setting the same value keeps its leaf
          if (!removes && m.leafValueIs(old, this.values, i * HASH_BYTES)) {
            items.push(~old);
            kept = true;
          } else if (!removes) items.push(i);
          old = NONE;
          continue;
        }
      }
      if (!removes) items.push(i);
    }
    if (old !== NONE) {
      items.push(~old);
      kept = true;
    }
    const result = this.build(depth, items, 0, items.length);
    if (node !== NONE && !kept) this.replaced.push(node);
    return result;
  }

  /**
   * The canonical tree of `items[a..b)` (distinct, sorted, sharing `depth` bits), built in
   * one pass over them (O(items + nodes), no search): a lone item sits one level below
   * the longest prefix it shares with a neighbour (§4.1: a leaf moves up until it is
   * alone), and a stack holds the finished subtrees still waiting for a right sibling —
   * each at the depth where it hangs — which are paired, or hung below an interior node
   * with E on the other side, as the items move away from them.
   */
  private build(depth: number, items: readonly number[], a: number, b: number): number {
    if (a === b) return NONE;
    if (b - a === 1) return this.leafOf(items[a]!);
    const nodes: number[] = [];
    const depths: number[] = [];
    /** An item below each stacked subtree (its key gives the bits of the path above it). */
    const reps: number[] = [];
    let lp = -1;
    for (let j = a; j < b; j++) {
      const it = items[j]!;
      const ln = j + 1 < b ? this.commonBits(it, items[j + 1]!) : -1;
      nodes.push(this.leafOf(it));
      depths.push(Math.max(lp, ln) + 1);
      reps.push(it);
      // finished below depth `target`: with the next item the tree branches at depth ln
      const target = j + 1 < b ? ln + 1 : depth;
      let top = nodes.length - 1;
      while (depths[top]! > target) {
        const d = depths[top]! - 1;
        if (top > 0 && depths[top - 1] === depths[top]) {
          nodes[top - 1] = this.interior(nodes[top - 1]!, nodes[top]!);
          depths[top - 1] = d;
          nodes.pop();
          depths.pop();
          reps.pop();
          top--;
        } else {
          nodes[top] = this.itemBit(reps[top]!, d) === 0 ? this.interior(nodes[top]!, NONE) : this.interior(NONE, nodes[top]!);
          depths[top] = d;
        }
      }
      lp = ln;
    }
    return nodes[0]!;
  }

  /** The leaf of an item: the kept old one, or a new one for an update. */
  private leafOf(it: number): number {
    if (it < 0) return ~it;
    const leaf = this.m.newLeaf(this.keys32, it * 8, this.values32, it * 8);
    this.created.push(leaf);
    return leaf;
  }

  /** Number of leading bits the key hashes of two distinct items share (< 256). */
  private commonBits(x: number, y: number): number {
    // a kept leaf (< 0) reads its K from the map's K ‖ V, an update from the batch's keys
    const kv = this.m.keyBytes;
    const xa = x < 0 ? kv : this.keys;
    const xo = x < 0 ? ~x * 2 * HASH_BYTES : x * HASH_BYTES;
    const ya = y < 0 ? kv : this.keys;
    const yo = y < 0 ? ~y * 2 * HASH_BYTES : y * HASH_BYTES;
    for (let i = 0; i < HASH_BYTES; i++) {
      const d = xa[xo + i]! ^ ya[yo + i]!;
      if (d !== 0) return i * 8 + Math.clz32(d) - 24;
    }
    throw new MapError('duplicate_key', 'a batch of map updates names a key twice');
  }

  private interior(l: number, r: number): number {
    const i = this.m.newInterior(l, r);
    this.created.push(i);
    return i;
  }

  /** Bit `depth` of update i's key hash. */
  private bit(i: number, depth: number): number {
    return (this.keys[i * HASH_BYTES + (depth >> 3)]! >> (7 - (depth & 7))) & 1;
  }

  private itemBit(it: number, depth: number): number {
    return it < 0 ? this.m.leafBit(~it, depth) : this.bit(it, depth);
  }
}

/** Order of the 32 bytes of `a` at `ao` and of `b` at `bo`. */
function compare(a: Uint8Array, ao: number, b: Uint8Array, bo: number): number {
  for (let i = 0; i < HASH_BYTES; i++) {
    const d = a[ao + i]! - b[bo + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function hexKey(a: Uint8Array, off: number): string {
  let s = '';
  for (let i = off; i < off + HASH_BYTES; i++) s += (a[i]! < 16 ? '0' : '') + a[i]!.toString(16);
  return s;
}
