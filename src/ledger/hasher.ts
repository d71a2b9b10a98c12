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

/** Slots of a {@link withNodeMemo} table (a power of two). */
const NODE_MEMO_SLOTS = 4096;

/**
 * `hasher` with a small direct-mapped table of the interior nodes it hashed: a
 * `hashChildren` whose two inputs equal, byte for byte, those of a remembered call gets
 * that call's output without hashing (the same inputs give the same output, so every
 * answer is the hash). For verifiers: the inclusion proofs of the entries under one
 * checkpoint share the hashes near the root (the certificates of one issuance batch, the
 * receipts served against one published checkpoint), and a verifier meeting them again
 * recomputes those nodes from the same bytes. Bounded: 4,096 slots of 96 bytes in one
 * flat array (no object is kept, so the garbage collector has nothing more to trace); a
 * slot holds the latest 32-byte node whose left child's first bytes give its index.
 * Other sizes pass through. Not for building trees (their nodes are hashed once).
 */
export function withNodeMemo(hasher: Hasher): Hasher {
  const known = nodeMemos.get(hasher);
  if (known) return known;
  // slot i: left ‖ right ‖ parent at 96i; used[i] = 1 once filled
  const table = new Uint8Array(NODE_MEMO_SLOTS * 96);
  const used = new Uint8Array(NODE_MEMO_SLOTS);
  const memo: Hasher = {
    emptyRoot: () => hasher.emptyRoot(),
    hashLeaf: (entry) => hasher.hashLeaf(entry),
    hashChildren(left, right) {
      if (left.length !== 32 || right.length !== 32) return hasher.hashChildren(left, right);
      const slot = (left[0]! | (left[1]! << 8)) & (NODE_MEMO_SLOTS - 1);
      const at = slot * 96;
      if (used[slot] === 1) {
        let same = true;
        for (let i = 0; i < 32; i++)
          if (table[at + i] !== left[i] || table[at + 32 + i] !== right[i]) {
            same = false;
            break;
          }
        if (same) return table.slice(at + 64, at + 96);
      }
      const parent = hasher.hashChildren(left, right);
      if (parent.length !== 32) return parent;
      table.set(left, at);
      table.set(right, at + 32);
      table.set(parent, at + 64);
      used[slot] = 1;
      return parent;
    },
  };
  nodeMemos.set(hasher, memo);
  return memo;
}

const nodeMemos = new WeakMap<Hasher, Hasher>();
