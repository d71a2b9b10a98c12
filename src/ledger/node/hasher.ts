import { createHash, hash as oneShotHash } from 'node:crypto';
import type { Hasher } from '../hasher.ts';
import { concatBytes } from '../bytes.ts';

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** One-shot SHA-256 (crypto.hash, Node ≥ 20.12, ~2× faster for small inputs than createHash); createHash otherwise. */
const sha256Once: (data: Uint8Array) => Uint8Array =
  typeof oneShotHash === 'function'
    ? (data) => {
        // Copied out of the Buffer (one allocation) so callers always see a plain Uint8Array.
        return new Uint8Array(oneShotHash('sha256', data, 'buffer') as unknown as Buffer);
      }
    : (data) => new Uint8Array(createHash('sha256').update(data).digest());

function digestOf(...parts: Uint8Array[]): Uint8Array {
  return sha256Once(concatBytes(...parts));
}

/** SHA-256 of the empty string, the root of the empty tree (a copy is handed out). */
const EMPTY_ROOT = digestOf();

/**
 * The input of an interior node with two 32-byte children, reused: 0x01 ‖ left ‖ right
 * written in place rather than concatenated anew (a proof hashes one per level). The
 * hasher is synchronous, so no two calls share it at once.
 */
const nodeInput = new Uint8Array(65);
nodeInput[0] = 0x01;

/**
 * The RFC 6962 §2.1 / RFC 9162 §2.1.1 SHA-256 hasher backed by node:crypto (OpenSSL,
 * SHA extensions): the same outputs as `rfc6962`, several times faster on the server.
 * Node only: it lives in the ledger's `node/` adapter and is reached through
 * `src/ledger/node/index.ts`, never through the browser-safe core `index.ts`.
 */
export const nodeRfc6962: Hasher = {
  emptyRoot(): Uint8Array {
    return EMPTY_ROOT.slice();
  },
  hashLeaf(entry: Uint8Array): Uint8Array {
    return digestOf(LEAF_PREFIX, entry);
  },
  hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
    if (left.length !== 32 || right.length !== 32) return digestOf(NODE_PREFIX, left, right);
    nodeInput.set(left, 1);
    nodeInput.set(right, 33);
    return sha256Once(nodeInput);
  },
};
