import { DataDeedError } from '../../errors.ts';

/**
 * The closed set of failure codes of the authenticated state map (docs/state-map.md).
 * Codes are API: they are never renamed; the verifier reports them as reasons and the
 * HTTP boundary maps them to RFC 9457 problems.
 *
 * Inputs:
 * - `invalid_key` — a key is not a byte string of 1 to {@link MAX_MAP_KEY_BYTES} bytes
 *   (docs/state-map.md §2).
 * - `invalid_value` — a value hash is not exactly 32 bytes (§2).
 * - `invalid_root` — a root is not exactly 32 bytes.
 * - `duplicate_key` — one batch of updates names the same key twice.
 *
 * Storage:
 * - `missing_node` — a node needed to update or prove is not in the node store.
 * - `malformed_node` — the store returned bytes that are not an encoded node (§3.4), or a
 *   path longer than 256 levels.
 *
 * Proofs (docs/state-map.md §5–§6):
 * - `malformed_proof` — the proof bytes (or structure) violate the encoding: unknown
 *   version or kind, depth above 256, wrong length, non-zero padding bits in the bitmap,
 *   a present sibling equal to the empty hash, a hash of the wrong size, bad base64.
 * - `proof_kind_mismatch` — a value was given with an absence proof, or none with a
 *   presence proof.
 * - `proof_not_canonical` — the deepest sibling is the empty hash (an honest tree never
 *   has a single key or nothing below an interior node).
 * - `proof_key_mismatch` — an absence proof ends in a leaf whose key hash equals the
 *   queried key's, or does not share the path's prefix with it.
 * - `root_mismatch` — the proof leads to a root other than the trusted one.
 */
export const MAP_ERROR_CODES = [
  'invalid_key',
  'invalid_value',
  'invalid_root',
  'duplicate_key',
  'missing_node',
  'malformed_node',
  'malformed_proof',
  'proof_kind_mismatch',
  'proof_not_canonical',
  'proof_key_mismatch',
  'root_mismatch',
] as const;
export type MapErrorCode = (typeof MAP_ERROR_CODES)[number];

/** Longest accepted map key, in bytes (docs/state-map.md §2). */
export const MAX_MAP_KEY_BYTES = 1024;

/**
 * The one error type of `src/state/map`. Callers switch on {@link MapError.code};
 * messages are short and fixed and never echo input.
 */
export class MapError extends DataDeedError<MapErrorCode> {
  override readonly name = 'MapError';

  /**
   * @param code - the stable failure code.
   * @param message - a fixed, human-readable explanation (not part of the API).
   */
  constructor(code: MapErrorCode, message: string) {
    super(code, message);
  }
}
