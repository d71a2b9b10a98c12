/**
 * Verification of RFC 9162 inclusion and consistency proofs, exactly by the
 * bit-manipulation algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2. Preconditions
 * (sizes, index, proof length, hash sizes) are checked before any hashing; computing a
 * root is separate from checking it.
 */
import { bitLength, isNonNegativeSafeInteger, isPowerOfTwo, popcount, shr, trailingZeros, xor } from './bits.ts';
import { bytesEqual } from './bytes.ts';
import { LedgerError } from './errors.ts';
import type { Hasher } from './hasher.ts';

function lsb(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

/**
 * Number of hashes in PATH(index, D[size]) (RFC 9162 §2.1.3.1): one per level where
 * the paths to `index` and to the last leaf diverge ("inner"), plus one per left
 * sibling above that ("border").
 */
function inclusionProofLength(index: number, size: number): number {
  const inner = bitLength(xor(index, size - 1));
  return inner + popcount(shr(index, inner));
}

/**
 * Number of hashes in PROOF(size1, D[size2]) (RFC 9162 §2.1.4.1) for 0 < size1 < size2.
 */
function consistencyProofLength(size1: number, size2: number): number {
  const inner = bitLength(xor(size1 - 1, size2 - 1));
  const border = popcount(shr(size1 - 1, inner));
  const shift = trailingZeros(size1);
  return (isPowerOfTwo(size1) ? 0 : 1) + (inner - shift) + border;
}

function checkHashSizes(hashSize: number, hashes: Uint8Array[], code: 'inclusion_mismatch' | 'consistency_mismatch'): void {
  for (const h of hashes) {
    if (!(h instanceof Uint8Array) || h.length !== hashSize) {
      throw new LedgerError(code, 'a hash has the wrong size');
    }
  }
}

/**
 * Computes the root implied by an inclusion proof (RFC 9162 §2.1.3.2, steps 1–4):
 * the caller compares it with a trusted root, or uses {@link verifyInclusion}.
 * @param index - leaf index, 0 ≤ index < size.
 * @param size - tree size.
 * @param leafHash - MTH({entry}) = HASH(0x00 ‖ entry).
 * @param proof - PATH(index, D[size]) in RFC order.
 * @throws LedgerError `invalid_tree_size`, `index_out_of_range`, `proof_wrong_length`
 *   (count differs from what the geometry requires) or `inclusion_mismatch` (a hash of
 *   the wrong size, or the algorithm's own failure condition).
 */
export function rootFromInclusionProof(
  hasher: Hasher,
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: Uint8Array[],
): Uint8Array {
  if (!isNonNegativeSafeInteger(size)) throw new LedgerError('invalid_tree_size', 'invalid tree size');
  // Step 1: leaf_index must be below tree_size.
  if (!isNonNegativeSafeInteger(index) || index >= size) {
    throw new LedgerError('index_out_of_range', 'leaf index is outside the tree');
  }
  if (proof.length !== inclusionProofLength(index, size)) {
    throw new LedgerError('proof_wrong_length', 'inclusion proof has the wrong number of hashes');
  }
  const hashSize = hasher.emptyRoot().length;
  checkHashSizes(hashSize, [leafHash, ...proof], 'inclusion_mismatch');

  // Steps 2–3.
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  // Step 4.
  for (const p of proof) {
    if (sn === 0) throw new LedgerError('inclusion_mismatch', 'inclusion proof does not verify');
    if (lsb(fn) || fn === sn) {
      r = hasher.hashChildren(p, r);
      // If LSB(fn) is not set, shift until it is or fn is 0.
      while (!lsb(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = hasher.hashChildren(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5 (first half): sn must have reached 0.
  if (sn !== 0) throw new LedgerError('inclusion_mismatch', 'inclusion proof does not verify');
  return r === leafHash ? leafHash.slice() : r;
}

/**
 * Verifies that `leafHash` is the leaf at `index` of the tree of `size` leaves whose
 * root is `root` (RFC 9162 §2.1.3.2).
 * @throws LedgerError `invalid_tree_size`, `index_out_of_range`, `proof_wrong_length`
 *   or `inclusion_mismatch`.
 */
export function verifyInclusion(
  hasher: Hasher,
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: Uint8Array[],
  root: Uint8Array,
): void {
  const computed = rootFromInclusionProof(hasher, index, size, leafHash, proof);
  if (!bytesEqual(computed, root)) throw new LedgerError('inclusion_mismatch', 'inclusion proof does not verify');
}

/**
 * Computes the pair (first root, second root) implied by a consistency proof for
 * 0 < size1 < size2 (RFC 9162 §2.1.4.2, steps 1–6). Preconditions already checked.
 */
function rootsFromConsistencyProof(
  hasher: Hasher,
  size1: number,
  size2: number,
  proof: Uint8Array[],
  root1: Uint8Array,
): [Uint8Array, Uint8Array] {
  // Step 1 (empty proof) is excluded by the length check of the caller.
  // Step 2: a power-of-two first tree is its own left subtree; prepend its hash.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  // Step 3.
  let fn = size1 - 1;
  let sn = size2 - 1;
  // Step 4.
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5.
  let fr = path[0]!;
  let sr = path[0]!;
  // Step 6.
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) throw new LedgerError('consistency_mismatch', 'consistency proof does not verify');
    if (lsb(fn) || fn === sn) {
      fr = hasher.hashChildren(c, fr);
      sr = hasher.hashChildren(c, sr);
      // If LSB(fn) is not set, shift until it is or fn is 0.
      while (!lsb(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = hasher.hashChildren(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 7 (first part): sn must have reached 0.
  if (sn !== 0) throw new LedgerError('consistency_mismatch', 'consistency proof does not verify');
  return [fr, sr];
}

/**
 * Verifies that the tree of `size2` leaves with root `root2` extends the tree of
 * `size1` leaves with root `root1` (RFC 9162 §2.1.4.2).
 *
 * Edge cases outside the RFC algorithm (which covers 0 < size1 < size2):
 * size1 = size2 requires an empty proof and equal roots; size1 = 0 requires an empty
 * proof and `root1` equal to the empty-tree hash (the empty tree is a prefix of every
 * tree). Roots (and proof hashes) must be as long as the hasher's output.
 * @throws LedgerError `invalid_tree_size` (size1 > size2, or not safe non-negative
 *   integers), `proof_wrong_length`, or `consistency_mismatch`.
 */
export function verifyConsistency(
  hasher: Hasher,
  size1: number,
  size2: number,
  proof: Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  if (!isNonNegativeSafeInteger(size1) || !isNonNegativeSafeInteger(size2) || size1 > size2) {
    throw new LedgerError('invalid_tree_size', 'consistency needs 0 <= size1 <= size2');
  }
  if (size1 === size2 || size1 === 0) {
    if (proof.length !== 0) throw new LedgerError('proof_wrong_length', 'consistency proof must be empty');
    const empty = hasher.emptyRoot();
    checkHashSizes(empty.length, [root1, root2], 'consistency_mismatch');
    const expected = size1 === 0 ? empty : root2;
    if (!bytesEqual(root1, expected)) throw new LedgerError('consistency_mismatch', 'consistency proof does not verify');
    return;
  }
  if (proof.length !== consistencyProofLength(size1, size2)) {
    throw new LedgerError('proof_wrong_length', 'consistency proof has the wrong number of hashes');
  }
  checkHashSizes(hasher.emptyRoot().length, [root1, root2, ...proof], 'consistency_mismatch');
  const [fr, sr] = rootsFromConsistencyProof(hasher, size1, size2, proof, root1);
  // Step 7: both roots must match (evaluate both; no early exit on the first).
  const ok1 = bytesEqual(fr, root1);
  const ok2 = bytesEqual(sr, root2);
  if (!(ok1 && ok2)) throw new LedgerError('consistency_mismatch', 'consistency proof does not verify');
}
