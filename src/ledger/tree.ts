/**
 * Tree geometry of RFC 9162 Merkle trees: which subtrees make up a proof, which nodes
 * a storage adapter must read, and which nodes become complete on append. Pure integer
 * arithmetic on sizes and indices up to 2^53 − 1; no hashing except in the two helpers
 * that take a {@link Hasher}.
 */
import { bitLength, isNonNegativeSafeInteger } from './bits.ts';
import { LedgerError } from './errors.ts';
import type { Hasher } from './hasher.ts';

/**
 * A perfect (complete) subtree: the node at `level` covering leaves
 * [index·2^level, (index+1)·2^level). Level 0 nodes are leaf hashes.
 */
export interface NodeId {
  level: number;
  index: number;
}

/** A half-open range [begin, end) of leaf indices, D[begin:end] in RFC 9162 §2.1 notation. */
export interface Range {
  begin: number;
  end: number;
}

/**
 * The largest power of two strictly less than `n` — the split point k of the MTH
 * recursion (RFC 9162 §2.1.1: "k be the largest power of two smaller than n").
 * @throws LedgerError `invalid_tree_size` unless `n` is a safe integer ≥ 2.
 */
export function largestPowerOfTwoBelow(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2) throw new LedgerError('invalid_tree_size', 'split needs n >= 2');
  return 2 ** (bitLength(n - 1) - 1);
}

/**
 * Decomposes a subtree range D[begin:end] of the RFC 9162 §2.1.1 MTH recursion into
 * its perfect subtrees, largest first (the binary digits of end − begin from high to
 * low). Precondition: 0 ≤ begin < end and begin is a multiple of the largest power of
 * two ≤ end − begin — true of every range that occurs in RFC 9162 §2.1.3.1 and
 * §2.1.4.1 proofs.
 * @throws LedgerError `invalid_tree_size` on an empty, negative or misaligned range.
 */
export function rangeNodes(begin: number, end: number): NodeId[] {
  if (!isNonNegativeSafeInteger(begin) || !isNonNegativeSafeInteger(end) || end <= begin) {
    throw new LedgerError('invalid_tree_size', 'range must be non-empty');
  }
  const nodes: NodeId[] = [];
  let pos = begin;
  let remaining = end - begin;
  for (let level = bitLength(remaining) - 1; level >= 0; level--) {
    const width = 2 ** level;
    if (remaining < width) continue;
    if (pos % width !== 0) throw new LedgerError('invalid_tree_size', 'range is not a subtree of the MTH recursion');
    nodes.push({ level, index: pos / width });
    pos += width;
    remaining -= width;
  }
  return nodes;
}

/**
 * The MTH of a range from the hashes of its perfect subtrees (in {@link rangeNodes}
 * order), folding from the right: HASH(P1, HASH(P2, … HASH(Pk−1, Pk))). This is the
 * RFC 9162 §2.1.1 recursion, whose left part is always the largest perfect subtree.
 * @throws LedgerError `missing_node` when `hashes` is empty.
 */
export function foldRangeHashes(hasher: Hasher, hashes: Uint8Array[]): Uint8Array {
  let acc = hashes[hashes.length - 1];
  if (acc === undefined) throw new LedgerError('missing_node', 'no subtree hashes to fold');
  for (let i = hashes.length - 2; i >= 0; i--) acc = hasher.hashChildren(hashes[i]!, acc);
  return acc;
}

/**
 * The ranges whose MTHs form the inclusion proof PATH(m, D[n]) of RFC 9162 §2.1.3.1,
 * in proof order (the sibling nearest the leaf first).
 * @param index - leaf index m, 0 ≤ m < size.
 * @param size - tree size n ≥ 1.
 * @throws LedgerError `invalid_tree_size` (size not a safe non-negative integer) or
 * `index_out_of_range` (index not in [0, size)).
 */
export function planInclusion(index: number, size: number): Range[] {
  if (!isNonNegativeSafeInteger(size)) throw new LedgerError('invalid_tree_size', 'invalid tree size');
  if (!isNonNegativeSafeInteger(index) || index >= size) {
    throw new LedgerError('index_out_of_range', 'leaf index is outside the tree');
  }
  const ranges: Range[] = [];
  let offset = 0;
  let n = size;
  let m = index;
  while (n > 1) {
    const k = largestPowerOfTwoBelow(n);
    if (m < k) {
      // PATH(m, D[0:k]) : MTH(D[k:n])
      ranges.push({ begin: offset + k, end: offset + n });
      n = k;
    } else {
      // PATH(m - k, D[k:n]) : MTH(D[0:k])
      ranges.push({ begin: offset, end: offset + k });
      offset += k;
      m -= k;
      n -= k;
    }
  }
  return ranges.reverse();
}

/**
 * The ranges whose MTHs form the consistency proof PROOF(m, D[n]) =
 * SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1, in proof order. Equal sizes give [].
 * @param size1 - the earlier size m, 0 < m ≤ size2.
 * @param size2 - the later size n.
 * @throws LedgerError `invalid_tree_size` unless 0 < size1 ≤ size2 (safe integers).
 */
export function planConsistency(size1: number, size2: number): Range[] {
  if (!isNonNegativeSafeInteger(size1) || !isNonNegativeSafeInteger(size2) || size1 === 0 || size1 > size2) {
    throw new LedgerError('invalid_tree_size', 'consistency needs 0 < size1 <= size2');
  }
  const ranges: Range[] = [];
  let offset = 0;
  let n = size2;
  let m = size1;
  let complete = true; // the flag b of SUBPROOF
  while (m !== n) {
    const k = largestPowerOfTwoBelow(n);
    if (m <= k) {
      // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
      ranges.push({ begin: offset + k, end: offset + n });
      n = k;
    } else {
      // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
      ranges.push({ begin: offset, end: offset + k });
      offset += k;
      m -= k;
      n -= k;
      complete = false;
    }
  }
  // SUBPROOF(m, D[m], false) = {MTH(D[m])}; with b = true it is empty.
  if (!complete) ranges.push({ begin: offset, end: offset + m });
  return ranges.reverse();
}

/**
 * Every perfect node needed to compute the MTHs of `ranges` (deduplicated, in first
 * occurrence order): what a storage adapter reads, in one query, to build an
 * RFC 9162 §2.1.3.1 / §2.1.4.1 proof in O(log n) reads.
 */
export function nodesForPlan(ranges: Range[]): NodeId[] {
  const seen = new Set<string>();
  const out: NodeId[] = [];
  for (const r of ranges) {
    for (const id of rangeNodes(r.begin, r.end)) {
      const key = `${id.level}/${id.index}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(id);
    }
  }
  return out;
}

/**
 * Builds proof hashes (RFC 9162 §2.1.3.1 / §2.1.4.1) from a plan: for each range, the
 * MTH folded from its perfect subtrees as supplied by `lookup`.
 * @throws LedgerError `missing_node` when `lookup` lacks a needed node.
 */
export function assembleProof(
  hasher: Hasher,
  ranges: Range[],
  lookup: (id: NodeId) => Uint8Array | undefined,
): Uint8Array[] {
  return ranges.map((r) => {
    const hashes = rangeNodes(r.begin, r.end).map((id) => {
      const h = lookup(id);
      if (h === undefined) throw new LedgerError('missing_node', 'a node hash needed for the proof is missing');
      return h;
    });
    return foldRangeHashes(hasher, hashes);
  });
}

/**
 * The perfect nodes that become complete when leaf `index` is appended, ascending by
 * level: (0, index) and, for each level l ≥ 1 with 2^l dividing index + 1,
 * (l, (index + 1)/2^l − 1). Storing exactly these makes every RFC 9162 proof
 * computable from stored perfect nodes.
 * @throws LedgerError `index_out_of_range` unless `index` is a safe non-negative integer.
 */
export function completedNodes(index: number): NodeId[] {
  if (!isNonNegativeSafeInteger(index)) throw new LedgerError('index_out_of_range', 'invalid leaf index');
  const out: NodeId[] = [{ level: 0, index }];
  let n = index + 1;
  let level = 0;
  while (n % 2 === 0) {
    n /= 2;
    level++;
    out.push({ level, index: n - 1 });
  }
  return out;
}

/**
 * The perfect subtrees, largest first (one per set bit of `size`), whose hashes
 * determine the root of a tree of `size` leaves (RFC 9162 §2.1.1 by
 * {@link foldRangeHashes}) — the "compact range" [0, size).
 * @throws LedgerError `invalid_tree_size` unless `size` is a safe non-negative integer.
 */
export function compactNodeIds(size: number): NodeId[] {
  if (!isNonNegativeSafeInteger(size)) throw new LedgerError('invalid_tree_size', 'invalid tree size');
  return size === 0 ? [] : rangeNodes(0, size);
}
