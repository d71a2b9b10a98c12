import { createHash } from 'node:crypto';
import type { Hasher } from './hasher.ts';

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

function digestOf(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  // Copy out of the Buffer so callers always see a plain Uint8Array.
  return new Uint8Array(h.digest());
}

/**
 * The RFC 6962 §2.1 / RFC 9162 §2.1.1 SHA-256 hasher backed by node:crypto (OpenSSL,
 * SHA extensions): the same outputs as `rfc6962`, several times faster on the server.
 * Node only — the one file of `src/ledger` that imports a `node:` module; not
 * re-exported from the browser-safe `index.ts`.
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
