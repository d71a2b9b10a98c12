import { createHash, hash as oneShotHash } from 'node:crypto';
import type { Hasher } from '../hasher.ts';
import { concatBytes } from '../bytes.ts';

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

/** One-shot SHA-256 (crypto.hash, Node ≥ 20.12, ~2× faster for small inputs than createHash); createHash otherwise. */
const sha256Once: (data: Uint8Array) => Uint8Array =
  typeof oneShotHash === 'function'
    ? (data) => {
        const out = oneShotHash('sha256', data, 'buffer') as unknown as Buffer;
        // Copy out of the Buffer so callers always see a plain Uint8Array.
        return new Uint8Array(out.buffer.slice(out.byteOffset, out.byteOffset + 32));
      }
    : (data) => new Uint8Array(createHash('sha256').update(data).digest());

function digestOf(...parts: Uint8Array[]): Uint8Array {
  return sha256Once(concatBytes(...parts));
}

/**
 * The RFC 6962 §2.1 / RFC 9162 §2.1.1 SHA-256 hasher backed by node:crypto (OpenSSL,
 * SHA extensions): the same outputs as `rfc6962`, several times faster on the server.
 * Node only: it lives in the ledger's `node/` adapter and is reached through
 * `src/ledger/node/index.ts`, never through the browser-safe core `index.ts`.
 */
export const nodeRfc6962: Hasher = {
  emptyRoot(): Uint8Array {
    return digestOf();
  },
  hashLeaf(entry: Uint8Array): Uint8Array {
    return digestOf(LEAF_PREFIX, entry);
  },
  hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
    return digestOf(NODE_PREFIX, left, right);
  },
};
