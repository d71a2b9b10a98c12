/**
 * Map proofs (docs/state-map.md §5–§6): the structure, its byte encoding (strict, bounded
 * parsing; base64 for JSON), and verification. Computing the root a proof implies
 * ({@link rootFromMapProof}) is separate from checking it against a trusted root
 * ({@link verifyMapProof}, {@link assertMapProof}); every precondition is checked
 * before any hashing. No I/O; runs unchanged in browsers.
 */
import { bytesEqual, fromBase64, toBase64 } from '../../ledger/index.ts';
import { MapError } from './errors.ts';
import {
  EMPTY_HASH,
  HASH_BYTES,
  MAX_DEPTH,
  checkKey,
  checkRoot,
  checkValue,
  interiorHash,
  isEmptyHash,
  leafHash,
  mapKeyHash,
  pathBit,
  type Sha256,
} from './hashing.ts';

/** How the path of a proof ends (docs/state-map.md §5.1). */
export type MapProofEnd =
  /** The queried key's own leaf: the key is in the map with the value given to the verifier. */
  | { readonly kind: 'present' }
  /** An empty subtree: no key of the map starts with the path's bits, so the key is absent. */
  | { readonly kind: 'empty' }
  /** Another key's leaf, the only key below that point of the path: the key is absent. */
  | { readonly kind: 'leaf'; readonly keyHash: Uint8Array; readonly valueHash: Uint8Array };

/**
 * A proof for one key (docs/state-map.md §5.1): the siblings along the key's path from
 * the root down, `siblings[i]` being the sibling of the path's node at depth i + 1
 * (`null` for the empty subtree E), and how the path ends. Its length is the depth at
 * which the path ends, 0 to 256.
 */
export interface MapProof {
  readonly siblings: readonly (Uint8Array | null)[];
  readonly end: MapProofEnd;
}

/** Version byte of the proof encoding (§5.2). */
export const MAP_PROOF_VERSION = 0x01;

const KIND_PRESENT = 0x01;
const KIND_EMPTY = 0x02;
const KIND_LEAF = 0x03;
const HEADER_BYTES = 4;

/** Largest encoded proof: header, a 32-byte bitmap, 256 siblings and another key's leaf (§5.2). */
export const MAX_MAP_PROOF_BYTES = HEADER_BYTES + MAX_DEPTH / 8 + MAX_DEPTH * HASH_BYTES + 2 * HASH_BYTES;

function malformed(message: string): MapError {
  return new MapError('malformed_proof', message);
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_BYTES;
}

/** Checks the shape of a proof structure: every rule of the encoding (§5.2) except bytes. */
function checkProofShape(proof: unknown): asserts proof is MapProof {
  if (typeof proof !== 'object' || proof === null) throw malformed('a map proof is an object');
  const { siblings, end } = proof as { siblings?: unknown; end?: unknown };
  if (!Array.isArray(siblings) || siblings.length > MAX_DEPTH) throw malformed('a map proof has 0 to 256 siblings');
  for (const s of siblings) {
    if (s === null) continue;
    if (!isHash(s)) throw malformed('a sibling is a 32-byte hash');
    if (isEmptyHash(s)) throw malformed('an empty sibling is marked in the bitmap, not sent');
  }
  if (typeof end !== 'object' || end === null) throw malformed('a map proof has an end');
  const e = end as { kind?: unknown; keyHash?: unknown; valueHash?: unknown };
  if (e.kind === 'leaf') {
    if (!isHash(e.keyHash) || !isHash(e.valueHash)) throw malformed('a leaf end has a 32-byte key hash and value hash');
  } else if (e.kind !== 'present' && e.kind !== 'empty') {
    throw malformed('unknown proof end');
  }
}

/**
 * Encodes a proof (docs/state-map.md §5.2): version 0x01 ‖ kind ‖ depth (uint16 big-endian)
 * ‖ bitmap (⌈depth/8⌉ bytes, bit i set when sibling i is sent) ‖ the sent siblings, root
 * first ‖ (kind 0x03 only) K′ ‖ V′.
 * @throws MapError `malformed_proof` when the structure has no valid encoding.
 */
export function encodeMapProof(proof: MapProof): Uint8Array {
  checkProofShape(proof);
  const depth = proof.siblings.length;
  const bitmapBytes = Math.ceil(depth / 8);
  let sent = 0;
  for (const s of proof.siblings) if (s !== null) sent++;
  const tail = proof.end.kind === 'leaf' ? 2 * HASH_BYTES : 0;
  const out = new Uint8Array(HEADER_BYTES + bitmapBytes + sent * HASH_BYTES + tail);
  out[0] = MAP_PROOF_VERSION;
  out[1] = proof.end.kind === 'present' ? KIND_PRESENT : proof.end.kind === 'empty' ? KIND_EMPTY : KIND_LEAF;
  out[2] = depth >> 8;
  out[3] = depth & 0xff;
  let at = HEADER_BYTES + bitmapBytes;
  for (let i = 0; i < depth; i++) {
    const s = proof.siblings[i];
    if (s === null || s === undefined) continue;
    out[HEADER_BYTES + (i >> 3)]! |= 0x80 >> (i & 7);
    out.set(s, at);
    at += HASH_BYTES;
  }
  if (proof.end.kind === 'leaf') {
    out.set(proof.end.keyHash, at);
    out.set(proof.end.valueHash, at + HASH_BYTES);
  }
  return out;
}

/**
 * Strictly decodes proof bytes (docs/state-map.md §5.2): known version and kind, depth ≤ 256,
 * zero padding bits in the bitmap, exactly the announced length, no sent sibling equal to
 * E. Every proof structure has exactly one accepted encoding.
 * @throws MapError `malformed_proof`.
 */
export function decodeMapProof(bytes: Uint8Array): MapProof {
  if (!(bytes instanceof Uint8Array)) throw malformed('a map proof is bytes');
  if (bytes.length < HEADER_BYTES || bytes.length > MAX_MAP_PROOF_BYTES) throw malformed('map proof length out of bounds');
  if (bytes[0] !== MAP_PROOF_VERSION) throw malformed('unknown map proof version');
  const kind = bytes[1];
  if (kind !== KIND_PRESENT && kind !== KIND_EMPTY && kind !== KIND_LEAF) throw malformed('unknown map proof kind');
  const depth = (bytes[2]! << 8) | bytes[3]!;
  if (depth > MAX_DEPTH) throw malformed('map proof deeper than 256');
  const bitmapBytes = Math.ceil(depth / 8);
  if (bytes.length < HEADER_BYTES + bitmapBytes) throw malformed('map proof truncated');
  let sent = 0;
  for (let i = 0; i < bitmapBytes * 8; i++) {
    const set = (bytes[HEADER_BYTES + (i >> 3)]! >> (7 - (i & 7))) & 1;
    if (i >= depth && set) throw malformed('map proof bitmap has padding bits set');
    sent += set;
  }
  const tail = kind === KIND_LEAF ? 2 * HASH_BYTES : 0;
  if (bytes.length !== HEADER_BYTES + bitmapBytes + sent * HASH_BYTES + tail) throw malformed('map proof has the wrong length');
  const siblings: (Uint8Array | null)[] = [];
  let at = HEADER_BYTES + bitmapBytes;
  for (let i = 0; i < depth; i++) {
    if (((bytes[HEADER_BYTES + (i >> 3)]! >> (7 - (i & 7))) & 1) === 0) {
      siblings.push(null);
      continue;
    }
    const s = bytes.slice(at, at + HASH_BYTES);
    if (isEmptyHash(s)) throw malformed('an empty sibling is marked in the bitmap, not sent');
    siblings.push(s);
    at += HASH_BYTES;
  }
  if (kind === KIND_PRESENT) return { siblings, end: { kind: 'present' } };
  if (kind === KIND_EMPTY) return { siblings, end: { kind: 'empty' } };
  return { siblings, end: { kind: 'leaf', keyHash: bytes.slice(at, at + HASH_BYTES), valueHash: bytes.slice(at + HASH_BYTES, at + 2 * HASH_BYTES) } };
}

/** Standard padded base64 (RFC 4648 §4) of {@link encodeMapProof}. */
export function mapProofToBase64(proof: MapProof): string {
  return toBase64(encodeMapProof(proof));
}

/** Longest base64 text of a proof. */
const MAX_MAP_PROOF_BASE64 = Math.ceil(MAX_MAP_PROOF_BYTES / 3) * 4;

/**
 * Strict inverse of {@link mapProofToBase64}: canonical padded base64 (RFC 4648 §4, §3.5),
 * bounded length, then {@link decodeMapProof}.
 * @throws MapError `malformed_proof`.
 */
export function mapProofFromBase64(text: string): MapProof {
  if (typeof text !== 'string' || text.length > MAX_MAP_PROOF_BASE64) throw malformed('map proof base64 out of bounds');
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(text);
  } catch {
    throw malformed('map proof is not canonical base64');
  }
  return decodeMapProof(bytes);
}

/** True when a and b agree on their first `bits` bits. */
function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[whole]! & mask) === (b[whole]! & mask);
}

/**
 * Computes the root that a proof implies for `key` (docs/state-map.md §6, steps 1–6):
 * `value` is the 32-byte value hash claimed for a present key, or `null` to claim absence.
 * The caller compares the result with a trusted root, or uses {@link verifyMapProof}.
 * Preconditions are checked before any hashing, in this order: key, value, proof shape
 * (or strict decoding when bytes are given), kind against value, canonical depth; then the
 * key hash, and for an absence proof ending in another leaf, that leaf's key hash.
 * @throws MapError `invalid_key`, `invalid_value`, `malformed_proof`,
 *   `proof_kind_mismatch`, `proof_not_canonical`, `proof_key_mismatch`.
 */
export function rootFromMapProof(key: Uint8Array, value: Uint8Array | null, proof: MapProof | Uint8Array, sha256: Sha256): Uint8Array {
  checkKey(key);
  if (value !== null) checkValue(value);
  let p: MapProof;
  if (proof instanceof Uint8Array) p = decodeMapProof(proof);
  else {
    checkProofShape(proof);
    p = proof;
  }
  if ((value !== null) !== (p.end.kind === 'present')) {
    throw new MapError('proof_kind_mismatch', value === null ? 'a presence proof needs a value' : 'an absence proof takes no value');
  }
  const depth = p.siblings.length;
  if (depth > 0 && p.siblings[depth - 1] === null) throw new MapError('proof_not_canonical', 'the deepest sibling of a map proof is never empty');

  const k = mapKeyHash(key, sha256);
  let h: Uint8Array;
  if (p.end.kind === 'present') h = leafHash(k, value!, sha256);
  else if (p.end.kind === 'empty') h = EMPTY_HASH;
  else {
    if (bytesEqual(p.end.keyHash, k)) throw new MapError('proof_key_mismatch', 'an absence proof ends in the key’s own leaf');
    if (!samePrefix(p.end.keyHash, k, depth)) throw new MapError('proof_key_mismatch', 'the other leaf is not on the key’s path');
    h = leafHash(p.end.keyHash, p.end.valueHash, sha256);
  }
  for (let i = depth - 1; i >= 0; i--) {
    const s = p.siblings[i] ?? EMPTY_HASH;
    h = pathBit(k, i) === 1 ? interiorHash(s, h, sha256) : interiorHash(h, s, sha256);
  }
  return h === EMPTY_HASH ? EMPTY_HASH.slice() : h;
}

/**
 * Checks that `proof` shows `key` ↦ `value` (present) or `key` absent (`value` null) in the
 * map whose root is `root` (docs/state-map.md §6).
 * @throws MapError `invalid_root`, any code of {@link rootFromMapProof}, or `root_mismatch`.
 */
export function assertMapProof(root: Uint8Array, key: Uint8Array, value: Uint8Array | null, proof: MapProof | Uint8Array, sha256: Sha256): void {
  checkRoot(root);
  const computed = rootFromMapProof(key, value, proof, sha256);
  if (!bytesEqual(computed, root)) throw new MapError('root_mismatch', 'the map proof leads to another root');
}

/**
 * {@link assertMapProof} as a predicate: true when the proof verifies, false for any
 * failure (malformed input included). Use `assertMapProof` to learn the reason code.
 */
export function verifyMapProof(root: Uint8Array, key: Uint8Array, value: Uint8Array | null, proof: MapProof | Uint8Array, sha256: Sha256): boolean {
  try {
    assertMapProof(root, key, value, proof, sha256);
    return true;
  } catch (err) {
    if (err instanceof MapError) return false;
    throw err;
  }
}
