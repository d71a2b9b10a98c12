import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/**
 * The three hash functions of an RFC 6962 / RFC 9162 Merkle tree (RFC 9162 §2.1.1):
 * the hash of the empty tree, of a leaf, and of an interior node. Implementations are
 * pure and return fresh arrays.
 */
export interface Hasher {
  /** MTH({}) — the hash of an empty tree (RFC 9162 §2.1.1: HASH()). */
  emptyRoot(): Uint8Array;
  /** MTH({d(0)}) = HASH(0x00 ‖ d(0)) (RFC 9162 §2.1.1). */
  hashLeaf(entry: Uint8Array): Uint8Array;
  /** HASH(0x01 ‖ left ‖ right) for the two child subtree hashes (RFC 9162 §2.1.1). */
  hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array;
}

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/**
 * SHA-256 of `data` (FIPS 180-4), via @noble/hashes: runs unchanged in browsers.
 */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/**
 * The RFC 6962 §2.1 hasher with SHA-256 (the hash of RFC 6962 logs and of C2SP
 * tlog-tiles): empty = SHA-256(""), leaf = SHA-256(0x00 ‖ entry),
 * node = SHA-256(0x01 ‖ left ‖ right). Pure JavaScript; see `nodeRfc6962` for the
 * faster node:crypto variant with identical outputs.
 */
export const rfc6962: Hasher = {
  emptyRoot(): Uint8Array {
    return nobleSha256(new Uint8Array(0));
  },
  hashLeaf(entry: Uint8Array): Uint8Array {
    return nobleSha256.create().update(LEAF_PREFIX).update(entry).digest();
  },
  hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
    return nobleSha256.create().update(NODE_PREFIX).update(left).update(right).digest();
  },
};
