import { DataDeedError } from '../errors.ts';

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
 * - `tree_rolled_back` — the stored tree is smaller than a tree already signed or acknowledged
 *   (entries were removed behind the log's back). Fatal: writes and signing stop.
 * - `tree_forked` — the stored tree has another root for a size already signed, or is not an
 *   append-only extension of it (RFC 9162 §2.1.4 consistency fails). Fatal.
 * - `clock_went_back` — the clock reads earlier than the newest integration or publication by
 *   more than the allowed skew. Fatal.
 * - `tree_state_corrupt` — the stored tree state is malformed (its right edge does not fold to
 *   its root, or sizes do not fit). Fatal.
 * - `tree_state_conflict` — the tree state changed between the sequencer's read and its
 *   compare-and-swap write (another writer without the lock). The batch is rolled back.
 * - `malformed_timestamp` — an RFC 3161 time-stamp response does not parse, was refused, or is
 *   not for the request sent.
 * - `malformed_proof` — a C2SP tlog-proof text does not parse.
 */
export const LEDGER_ERROR_CODES = [
  'index_out_of_range',
  'invalid_tree_size',
  'proof_wrong_length',
  'inclusion_mismatch',
  'consistency_mismatch',
  'malformed_checkpoint',
  'malformed_note',
  'note_unverified',
  'malformed_verifier_key',
  'malformed_signer_key',
  'malformed_tile_path',
  'malformed_entry_bundle',
  'entry_too_large',
  'malformed_entry',
  'missing_node',
  'tree_rolled_back',
  'tree_forked',
  'clock_went_back',
  'tree_state_corrupt',
  'tree_state_conflict',
  'malformed_timestamp',
  'malformed_proof',
] as const;
export type LedgerErrorCode = (typeof LEDGER_ERROR_CODES)[number];

/**
 * The one error type thrown by `src/ledger`. Callers assert and map {@link LedgerError.code};
 * messages are fixed, short and never echo secret material.
 */
export class LedgerError extends DataDeedError<LedgerErrorCode> {
  /**
   * @param code - the stable failure code.
   * @param message - a fixed, human-readable explanation (not part of the API).
   */
  constructor(code: LedgerErrorCode, message: string) {
    super(code, message);
    this.name = 'LedgerError';
  }
}
