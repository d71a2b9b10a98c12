/**
 * The RFC 6962 hasher that folds a manifest's Merkle tree on the main thread while the
 * hashing threads work: RFC 9162 §2.1.1 leaf = SHA-256(0x00 ‖ d), node =
 * SHA-256(0x01 ‖ left ‖ right), the same outputs as the ledger's `rfc6962` and
 * `nodeRfc6962`. A node is one one-shot digest of a reused 65-byte buffer (no
 * concatenation, no Hash object), its result copied into a slab of fresh digests: a
 * tree over 10,000 files is 10,000 node hashes, and the general-purpose hashers spent
 * most of their time allocating around each one.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import type { Hasher } from '../../ledger/index.ts';

/** Digests handed out, 32 bytes each, from slabs of this many. */
const SLAB_DIGESTS = 1024;
let slab = Buffer.allocUnsafeSlow(32 * SLAB_DIGESTS);
let used = 0;

/** The next 32 bytes of the slab (a plain Uint8Array view that is never written again). */
function fresh(): { buffer: Buffer; offset: number } {
  if (used === SLAB_DIGESTS) {
    slab = Buffer.allocUnsafeSlow(32 * SLAB_DIGESTS);
    used = 0;
  }
  return { buffer: slab, offset: 32 * used++ };
}

/**
 * SHA-256 of `data` as a fresh 32-byte Uint8Array. crypto.hash (Node ≥ 20.12) answers
 * a latin1 string (one byte per character) several times faster than a Buffer, which
 * it allocates outside the V8 heap; createHash where crypto.hash is missing.
 */
const sha256Once: (data: Uint8Array) => Uint8Array =
  typeof oneShotHash === 'function'
    ? (data) => {
        const { buffer, offset } = fresh();
        buffer.write(oneShotHash('sha256', data, 'binary'), offset, 32, 'latin1');
        return new Uint8Array(buffer.buffer, buffer.byteOffset + offset, 32);
      }
    : (data) => new Uint8Array(createHash('sha256').update(data).digest());

/** 0x01 ‖ left ‖ right, rewritten for every node. */
const node = Buffer.alloc(65);
node[0] = 0x01;

/** RFC 6962 SHA-256 over node:crypto with one reused node buffer. Synchronous, one thread. */
export const treeHasher: Hasher = {
  emptyRoot(): Uint8Array {
    return sha256Once(new Uint8Array(0));
  },
  hashLeaf(entry: Uint8Array): Uint8Array {
    const input = Buffer.allocUnsafe(entry.length + 1);
    input[0] = 0x00;
    input.set(entry, 1);
    return sha256Once(input);
  },
  hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
    node.set(left, 1);
    node.set(right, 33);
    return sha256Once(node);
  },
};
