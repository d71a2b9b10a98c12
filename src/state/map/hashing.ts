/**
 * The byte constructions of the state map (docs/state-map.md §3): key hash, leaf,
 * interior node and the empty subtree. Every hash is SHA-256 through an injected
 * one-shot function, so the same code runs on @noble/hashes in browsers and on
 * node:crypto on the server. The prefixes 0x10–0x13 are distinct from the log's
 * RFC 6962 prefixes 0x00 (leaf) and 0x01 (node): no map hash is ever the preimage
 * of a log hash or the other way round.
 */
import { fromHex } from '../../ledger/index.ts';
import { MAX_MAP_KEY_BYTES, MapError } from './errors.ts';

/**
 * A one-shot SHA-256 (FIPS 180-4): returns a fresh 32-byte digest of `data` and does not
 * keep `data`. `sha256` of `src/ledger` (pure JavaScript) and `nodeSha256` of
 * `./node/` (node:crypto) both qualify.
 */
export type Sha256 = ((data: Uint8Array) => Uint8Array) & {
  /**
   * Optional: the same digest written into `out` at `offset` (32 bytes) instead of a
   * fresh array — what the in-memory map uses for each of its nodes when present
   * (hundreds of thousands of small arrays fewer when a whole state is mapped).
   */
  into?: (data: Uint8Array, out: Uint8Array, offset: number) => void;
};

/** Byte length of every hash, key hash and value hash of the map. */
export const HASH_BYTES = 32;

/** Depth of the deepest possible node: key hashes have 256 bits (docs/state-map.md §4). */
export const MAX_DEPTH = 256;

/** Prefix of a key hash: K = SHA-256(0x10 ‖ key) (§3.1). */
export const KEY_PREFIX = 0x10;
/** Prefix of a leaf: SHA-256(0x11 ‖ K ‖ V) (§3.2). */
export const LEAF_PREFIX = 0x11;
/** Prefix of an interior node: SHA-256(0x12 ‖ left ‖ right) (§3.3). */
export const INTERIOR_PREFIX = 0x12;
/** The one input byte of the empty-subtree hash: E = SHA-256(0x13) (§3.4). */
export const EMPTY_PREFIX = 0x13;

/**
 * E = SHA-256(0x13), the hash of every empty subtree at every depth and the root of the
 * empty map (docs/state-map.md §3.4). A constant, so that code can recognise it without
 * a hasher; tests recompute it.
 */
export const EMPTY_HASH: Uint8Array = fromHex('ab897fbdedfa502b2d839b6a56100887dccdc507555c282e59589e06300a62e2');

/** A fresh copy of {@link EMPTY_HASH}: the root of the empty map. */
export function emptyMapRoot(): Uint8Array {
  return EMPTY_HASH.slice();
}

/** True when `h` is the empty-subtree hash E. */
export function isEmptyHash(h: Uint8Array): boolean {
  if (h.length !== HASH_BYTES) return false;
  for (let i = 0; i < HASH_BYTES; i++) if (h[i] !== EMPTY_HASH[i]) return false;
  return true;
}

/**
 * Bit `depth` of a key hash, most significant bit of byte 0 first: 0 goes left, 1 goes
 * right at depth `depth` (docs/state-map.md §4). Precondition: 0 ≤ depth < 256.
 */
export function pathBit(keyHash: Uint8Array, depth: number): number {
  return (keyHash[depth >> 3]! >> (7 - (depth & 7))) & 1;
}

/** Checks a map key: a byte string of 1 to 1,024 bytes (§2). */
export function checkKey(key: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length < 1 || key.length > MAX_MAP_KEY_BYTES) {
    throw new MapError('invalid_key', 'a map key is 1 to 1024 bytes');
  }
}

/** Checks a value hash: exactly 32 bytes (§2). */
export function checkValue(value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== HASH_BYTES) {
    throw new MapError('invalid_value', 'a map value is a 32-byte hash');
  }
}

/** Checks a root: exactly 32 bytes. */
export function checkRoot(root: unknown): asserts root is Uint8Array {
  if (!(root instanceof Uint8Array) || root.length !== HASH_BYTES) {
    throw new MapError('invalid_root', 'a map root is a 32-byte hash');
  }
}

/**
 * K = SHA-256(0x10 ‖ key), the key hash that places `key` in the tree (docs/state-map.md §3.1).
 * @throws MapError `invalid_key`.
 */
export function mapKeyHash(key: Uint8Array, sha256: Sha256): Uint8Array {
  checkKey(key);
  const input = new Uint8Array(1 + key.length);
  input[0] = KEY_PREFIX;
  input.set(key, 1);
  return sha256(input);
}

/**
 * The encoded leaf 0x11 ‖ K ‖ V (65 bytes): the preimage of the leaf hash and the form in
 * which a node store keeps it (docs/state-map.md §3.2). Preconditions: 32-byte K and V.
 */
export function encodeLeaf(keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + 2 * HASH_BYTES);
  out[0] = LEAF_PREFIX;
  out.set(keyHash, 1);
  out.set(valueHash, 1 + HASH_BYTES);
  return out;
}

/**
 * The encoded interior node 0x12 ‖ left ‖ right (65 bytes): the preimage of its hash and
 * its stored form (docs/state-map.md §3.3). Preconditions: 32-byte child hashes.
 */
export function encodeInterior(left: Uint8Array, right: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + 2 * HASH_BYTES);
  out[0] = INTERIOR_PREFIX;
  out.set(left, 1);
  out.set(right, 1 + HASH_BYTES);
  return out;
}

/** SHA-256(0x11 ‖ K ‖ V): the hash of a leaf (§3.2). Preconditions: 32-byte K and V. */
export function leafHash(keyHash: Uint8Array, valueHash: Uint8Array, sha256: Sha256): Uint8Array {
  return sha256(encodeLeaf(keyHash, valueHash));
}

/** SHA-256(0x12 ‖ left ‖ right): the hash of an interior node (§3.3). Preconditions: 32-byte hashes. */
export function interiorHash(left: Uint8Array, right: Uint8Array, sha256: Sha256): Uint8Array {
  return sha256(encodeInterior(left, right));
}
