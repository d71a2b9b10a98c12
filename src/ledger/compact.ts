/**
 * Compact ranges: the right edge of an append-only RFC 9162 Merkle tree — one hash per
 * set bit of the tree size — enough to append leaves and compute the root without
 * holding the tree in memory.
 */
import { isNonNegativeSafeInteger, popcount } from './bits.ts';
import { LedgerError } from './errors.ts';
import type { Hasher } from './hasher.ts';
import type { NodeId } from './tree.ts';
import { objectArray } from './arrays.ts';

/**
 * The compact range [0, size) of an RFC 9162 §2.1.1 Merkle tree: the hashes of the
 * perfect subtrees given by `compactNodeIds(size)`, largest first. Appending a leaf
 * merges equal-sized subtrees and reports every node that becomes complete, so a
 * sequencer can persist them; {@link CompactRange.root} folds the edge into the MTH.
 * Memory is O(log size). Not safe for concurrent mutation (callers serialise appends).
 */
export class CompactRange {
  readonly #hasher: Hasher;
  #size: number;
  readonly #hashes: Uint8Array[];

  private constructor(hasher: Hasher, size: number, hashes: Uint8Array[]) {
    this.#hasher = hasher;
    this.#size = size;
    this.#hashes = hashes;
  }

  /** The compact range of the empty tree. */
  static empty(hasher: Hasher): CompactRange {
    return new CompactRange(hasher, 0, objectArray());
  }

  /**
   * Restores a compact range from stored state.
   * @param size - the tree size, a safe non-negative integer.
   * @param hashes - the subtree hashes in `compactNodeIds(size)` order (largest first),
   *   exactly one per set bit of `size`, each as long as the hasher's output.
   * @throws LedgerError `invalid_tree_size` when the size is invalid or the hashes do
   *   not fit it.
   */
  static fromHashes(hasher: Hasher, size: number, hashes: Uint8Array[]): CompactRange {
    if (!isNonNegativeSafeInteger(size)) throw new LedgerError('invalid_tree_size', 'invalid tree size');
    if (hashes.length !== popcount(size)) {
      throw new LedgerError('invalid_tree_size', 'hash count does not match the tree size');
    }
    const hashSize = hasher.emptyRoot().length;
    for (const h of hashes) {
      if (!(h instanceof Uint8Array) || h.length !== hashSize) {
        throw new LedgerError('invalid_tree_size', 'compact range hash has the wrong size');
      }
    }
    return new CompactRange(hasher, size, hashes.map((h) => h.slice()));
  }

  /** Number of leaves in the range. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends one leaf hash (RFC 9162 §2.1.1 MTH({d}) — the caller hashes the entry).
   * Calls `onNode` for each node that becomes complete, ascending by level, starting
   * with the leaf itself at level 0: exactly `completedNodes(size)`.
   * @throws LedgerError `invalid_tree_size` if the size would exceed 2^53 − 1.
   */
  append(leafHash: Uint8Array, onNode?: (id: NodeId, hash: Uint8Array) => void): void {
    const index = this.#size;
    if (!Number.isSafeInteger(index + 1)) throw new LedgerError('invalid_tree_size', 'tree is full');
    let hash: Uint8Array = leafHash.slice();
    onNode?.({ level: 0, index }, hash);
    // Each trailing 1-bit of `index` is a perfect subtree on the edge that the new
    // leaf's subtree now completes.
    let rest = index;
    let level = 0;
    let nodeIndex = index;
    while (rest % 2 === 1) {
      const left = this.#hashes.pop()!;
      hash = this.#hasher.hashChildren(left, hash);
      rest = (rest - 1) / 2;
      level++;
      nodeIndex = (nodeIndex - 1) / 2;
      onNode?.({ level, index: nodeIndex }, hash);
    }
    this.#hashes.push(hash);
    this.#size = index + 1;
  }

  /**
   * The Merkle Tree Hash of the range (RFC 9162 §2.1.1); the empty tree gives
   * `hasher.emptyRoot()`.
   */
  root(): Uint8Array {
    const hashes = this.#hashes;
    let acc = hashes[hashes.length - 1];
    if (acc === undefined) return this.#hasher.emptyRoot();
    for (let i = hashes.length - 2; i >= 0; i--) acc = this.#hasher.hashChildren(hashes[i]!, acc);
    return acc.slice();
  }

  /** A copy of the edge hashes, in `compactNodeIds(size)` order (largest first). */
  hashes(): Uint8Array[] {
    return this.#hashes.map((h) => h.slice());
  }

  /** An independent copy of this range. */
  clone(): CompactRange {
    return new CompactRange(this.#hasher, this.#size, this.hashes());
  }
}

/**
 * Reference Merkle Tree Hash over leaf hashes, by the recursion of RFC 9162 §2.1.1
 * (split at the largest power of two smaller than n). O(n) time, O(log n) stack: for
 * tests and small trees such as dataset manifests.
 */
export function merkleTreeHash(hasher: Hasher, leafHashes: Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return hasher.emptyRoot();
  const mth = (begin: number, end: number): Uint8Array => {
    const n = end - begin;
    if (n === 1) return leafHashes[begin]!.slice();
    let k = 1;
    while (k * 2 < n) k *= 2;
    return hasher.hashChildren(mth(begin, begin + k), mth(begin + k, end));
  };
  return mth(0, leafHashes.length);
}
