/**
 * The closed set of failure codes of the evidence log core. Codes are API: they are
 * never renamed, and callers (HTTP boundary, audit, verifier) switch on them.
 *
 * - `index_out_of_range` — a leaf index is not below the tree size (RFC 9162 §2.1.3).
 * - `invalid_tree_size` — a tree size is negative, not a safe integer, or out of order
 *   (RFC 9162 §2.1.4: 0 ≤ first ≤ second).
 * - `proof_wrong_length` — a proof has more or fewer hashes than the tree geometry requires.
 * - `inclusion_mismatch` — an inclusion proof does not lead to the expected root (RFC 9162 §2.1.3.2).
 * - `consistency_mismatch` — a consistency proof does not lead to the expected roots (RFC 9162 §2.1.4.2).
 * - `malformed_checkpoint` — a checkpoint body violates C2SP tlog-checkpoint.
 * - `malformed_note` — a signed note violates C2SP signed-note.
 * - `note_unverified` — a known key's signature failed, or no known key signed (C2SP signed-note §Signatures).
 * - `malformed_verifier_key` — a verifier key string is not `<name>+<hex id>+<base64(0x01‖pub)>`.
 * - `malformed_signer_key` — a signer key string is not `PRIVATE+KEY+<name>+<hex id>+<base64(0x01‖seed)>`.
 * - `malformed_tile_path` — a path is not a C2SP tlog-tiles tile or entry-bundle path.
 * - `malformed_entry_bundle` — bytes are not a C2SP tlog-tiles entry bundle.
 * - `entry_too_large` — an entry exceeds 65,535 bytes (the uint16 length prefix of tlog-tiles).
 * - `malformed_entry` — a log entry is not the canonical (RFC 8785) encoding of a valid event.
 * - `missing_node` — a node hash needed for a proof or root is not available from storage.
 */
export type LedgerErrorCode =
  | 'index_out_of_range'
  | 'invalid_tree_size'
  | 'proof_wrong_length'
  | 'inclusion_mismatch'
  | 'consistency_mismatch'
  | 'malformed_checkpoint'
  | 'malformed_note'
  | 'note_unverified'
  | 'malformed_verifier_key'
  | 'malformed_signer_key'
  | 'malformed_tile_path'
  | 'malformed_entry_bundle'
  | 'entry_too_large'
  | 'malformed_entry'
  | 'missing_node';

/**
 * The one error type thrown by `src/ledger`. Callers assert and map {@link LedgerError.code};
 * messages are fixed, short and never echo secret material.
 */
export class LedgerError extends Error {
  /** Stable machine-readable reason; see {@link LedgerErrorCode}. */
  readonly code: LedgerErrorCode;

  /**
   * @param code - the stable failure code.
   * @param message - a fixed, human-readable explanation (not part of the API).
   */
  constructor(code: LedgerErrorCode, message: string) {
    super(message);
    this.name = 'LedgerError';
    this.code = code;
  }
}
