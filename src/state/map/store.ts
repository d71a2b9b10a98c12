/**
 * Where the map's nodes live. Nodes are content-addressed: a node's id is its hash and
 * its stored bytes are the hash preimage (0x11 ‖ K ‖ V for a leaf, 0x12 ‖ left ‖ right
 * for an interior node, docs/state-map.md §3), so a store never needs to know the tree
 * shape, every root ever committed stays provable while its nodes are kept, and a
 * write is idempotent. The empty subtree E is never stored.
 */
import { HASH_BYTES, INTERIOR_PREFIX, LEAF_PREFIX } from './hashing.ts';
import { MapError } from './errors.ts';

/** One node to store: its hash and its 65 encoded bytes (the hash preimage). */
export interface MapNodeRecord {
  readonly hash: Uint8Array;
  readonly bytes: Uint8Array;
}

/**
 * The node store the map reads through. Both operations are batch operations so that a
 * database implementation answers one round trip per tree level (an update reads level
 * by level; a proof reads one node per level).
 *
 * An implementation must guarantee:
 * - `getNodes(hashes)` returns an array of the same length and order as `hashes`, each
 *   element exactly the bytes that `putNodes` stored under that hash, or `undefined`
 *   when the store does not have it. Duplicated hashes in one call are allowed.
 * - `putNodes(nodes)` is idempotent: storing a hash that is already present is a no-op
 *   (the bytes are the same, since the hash is their SHA-256). A durable store is
 *   durable on return — or, in a transaction, together with the entry that commits the
 *   new root (the node writes of a `state.committed` and the entry belong together).
 * - `getNodes` returns arrays the caller may keep (copies, or never reused); `putNodes`
 *   does not mutate what it is given and may keep it (the caller does not mutate it
 *   afterwards; the map never does).
 * The map does not re-hash what a store returns (that would double the cost of every
 * update); it checks the encoding only. Against a corrupted store the defence is to
 * recompute committed roots from the replayed state (issue 16's `audit`).
 */
export interface MapNodeStore {
  getNodes(hashes: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  putNodes(nodes: readonly MapNodeRecord[]): Promise<void>;
}

const NODE_BYTES = 1 + 2 * HASH_BYTES;

/** True when the 32 bytes of `a` at `offset` equal the 32 bytes of `b`. */
function equal32(a: Uint8Array, offset: number, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[offset + i] !== b[i]) return false;
  return true;
}

/** One slot of the memory store: the node's hash, then its 65 bytes. */
const SLOT = HASH_BYTES + NODE_BYTES;

/**
 * The in-memory node store, for tests, the browser, a monitor's working set and the
 * benchmark. Pure. Nodes live in one growable byte slab (97 bytes a node: hash and
 * encoding) indexed by a chained hash table in typed arrays, so that a map of 100,000
 * keys (≈ 244,000 nodes) takes ≈ 27 MB and a handful of objects for the
 * garbage collector, not a million. Freed slots are reused; `getNodes` returns copies.
 */
export class MemoryNodeStore implements MapNodeStore {
  private slab = new Uint8Array(SLOT * 1024);
  /** Next slot in the same bucket, or in the free list; -1 ends a chain. */
  private next = new Int32Array(1024);
  /** The first four bytes of each slot's hash (a chain compares these before the 32 bytes). */
  private tags = new Int32Array(1024);
  private heads = new Int32Array(1024).fill(-1);
  private mask = 1023;
  /** Slots handed out so far (the high-water mark). */
  private used = 0;
  private free = -1;
  private count = 0;

  /** Number of nodes held. */
  get size(): number {
    return this.count;
  }

  /** Bytes the store holds: the node slab (free slots included) and its three index arrays. */
  get footprintBytes(): number {
    return this.slab.byteLength + this.next.byteLength + this.tags.byteLength + this.heads.byteLength;
  }

  async getNodes(hashes: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.getNodesNow(hashes);
  }

  async putNodes(nodes: readonly MapNodeRecord[]): Promise<void> {
    this.putNodesNow(nodes);
  }

  private static tag(h: Uint8Array): number {
    return (h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!;
  }

  private find(h: Uint8Array): number {
    const tag = MemoryNodeStore.tag(h);
    for (let s = this.heads[tag & this.mask]!; s !== -1; s = this.next[s]!) {
      if (this.tags[s] === tag && equal32(this.slab, s * SLOT, h)) return s;
    }
    return -1;
  }

  /**
   * Synchronous {@link getNodes}: a copy of each node's 65 bytes (views into one buffer
   * per call — one allocation, not one per node).
   */
  getNodesNow(hashes: readonly Uint8Array[]): (Uint8Array | undefined)[] {
    const out: (Uint8Array | undefined)[] = new Array(hashes.length);
    const copy = new Uint8Array(hashes.length * NODE_BYTES);
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i]!;
      const s = h.length === HASH_BYTES ? this.find(h) : -1;
      if (s === -1) continue;
      const at = i * NODE_BYTES;
      copy.set(this.slab.subarray(s * SLOT + HASH_BYTES, (s + 1) * SLOT), at);
      out[i] = copy.subarray(at, at + NODE_BYTES);
    }
    return out;
  }

  /**
   * Synchronous {@link putNodes}: copies each node in (a hash already present is skipped).
   * @throws MapError `malformed_node` for a hash that is not 32 bytes or bytes that are not 65.
   */
  putNodesNow(nodes: readonly MapNodeRecord[]): void {
    for (const n of nodes) {
      if (n.hash.length !== HASH_BYTES || n.bytes.length !== NODE_BYTES) throw new MapError('malformed_node', 'a map node is a 32-byte hash and 65 bytes');
      if (this.find(n.hash) !== -1) continue;
      let s = this.free;
      if (s !== -1) this.free = this.next[s]!;
      else {
        if (this.used === this.next.length) this.grow();
        s = this.used++;
      }
      this.slab.set(n.hash, s * SLOT);
      this.slab.set(n.bytes, s * SLOT + HASH_BYTES);
      const tag = MemoryNodeStore.tag(n.hash);
      this.tags[s] = tag;
      const b = tag & this.mask;
      this.next[s] = this.heads[b]!;
      this.heads[b] = s;
      if (++this.count > this.heads.length) this.rehash();
    }
  }

  /** Removes nodes (pruning the stale nodes of retired roots); absent hashes are ignored. */
  deleteNodes(hashes: readonly Uint8Array[]): void {
    for (const h of hashes) {
      if (h.length !== HASH_BYTES) continue;
      const tag = MemoryNodeStore.tag(h);
      const b = tag & this.mask;
      let prev = -1;
      for (let s = this.heads[b]!; s !== -1; prev = s, s = this.next[s]!) {
        if (this.tags[s] !== tag || !equal32(this.slab, s * SLOT, h)) continue;
        if (prev === -1) this.heads[b] = this.next[s]!;
        else this.next[prev] = this.next[s]!;
        this.next[s] = this.free;
        this.free = s;
        this.count--;
        break;
      }
    }
  }

  /** Every stored hash (tests, audits). */
  *hashes(): IterableIterator<Uint8Array> {
    for (let b = 0; b < this.heads.length; b++) {
      for (let s = this.heads[b]!; s !== -1; s = this.next[s]!) yield this.slab.slice(s * SLOT, s * SLOT + HASH_BYTES);
    }
  }

  private grow(): void {
    const capacity = this.next.length * 2;
    const slab = new Uint8Array(capacity * SLOT);
    slab.set(this.slab);
    const next = new Int32Array(capacity);
    next.set(this.next);
    const tags = new Int32Array(capacity);
    tags.set(this.tags);
    this.slab = slab;
    this.next = next;
    this.tags = tags;
  }

  private rehash(): void {
    const old = this.heads;
    this.heads = new Int32Array(old.length * 2).fill(-1);
    this.mask = this.heads.length - 1;
    for (let b = 0; b < old.length; b++) {
      for (let s = old[b]!; s !== -1; ) {
        const after = this.next[s]!;
        const nb = this.tags[s]! & this.mask;
        this.next[s] = this.heads[nb]!;
        this.heads[nb] = s;
        s = after;
      }
    }
  }
}

/**
 * Checks stored node bytes without decoding them: 65 bytes starting with 0x11 or 0x12.
 * @throws MapError `malformed_node`.
 */
export function checkMapNode(bytes: Uint8Array | undefined): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== NODE_BYTES || (bytes[0] !== LEAF_PREFIX && bytes[0] !== INTERIOR_PREFIX)) {
    throw new MapError('malformed_node', 'a stored map node is not 65 bytes starting with 0x11 or 0x12');
  }
}

/** A decoded view of a stored node (subarrays of the stored bytes; do not mutate). */
export type MapNodeView =
  | { readonly kind: 'leaf'; readonly keyHash: Uint8Array; readonly valueHash: Uint8Array }
  | { readonly kind: 'interior'; readonly left: Uint8Array; readonly right: Uint8Array };

/**
 * Decodes stored node bytes (docs/state-map.md §3.2–§3.3): exactly 65 bytes starting
 * with 0x11 (leaf) or 0x12 (interior).
 * @throws MapError `malformed_node`.
 */
export function decodeMapNode(bytes: Uint8Array | undefined): MapNodeView {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 1 + 2 * HASH_BYTES) {
    throw new MapError('malformed_node', 'a stored map node is not 65 bytes');
  }
  const a = bytes.subarray(1, 1 + HASH_BYTES);
  const b = bytes.subarray(1 + HASH_BYTES);
  if (bytes[0] === LEAF_PREFIX) return { kind: 'leaf', keyHash: a, valueHash: b };
  if (bytes[0] === INTERIOR_PREFIX) return { kind: 'interior', left: a, right: b };
  throw new MapError('malformed_node', 'a stored map node has an unknown prefix');
}
