import { DataDeedError } from '../errors.ts';

/**
 * The closed set of failure codes of the witness core. Codes are API: they are never
 * renamed; the CLI prints them in brackets, the HTTP layer puts them in problems, and
 * tests assert them.
 *
 * - `malformed_request` — an add-checkpoint body violates C2SP tlog-witness
 *   §add-checkpoint (old size line, proof lines, blank line, checkpoint).
 * - `malformed_cosigner_key` — a cosigner verifier key is not
 *   `<name>+<hex id>+<base64(0x04 ‖ 32-byte Ed25519 key)>` with a matching key ID, or
 *   a cosigner signing key or name is invalid.
 * - `malformed_cosignature` — a signature line is not a C2SP tlog-cosignature v1
 *   Ed25519 cosignature (key ID ‖ u64 timestamp ‖ 64-byte signature).
 * - `malformed_log_key` — a log verifier key to trust is not a C2SP signed-note vkey of
 *   an Ed25519 key (type 0x01) with a matching key ID.
 * - `malformed_origin` — a log origin is not one non-empty line without control characters.
 * - `malformed_policy` — a trust policy violates C2SP tlog-policy.
 * - `malformed_response` — a witness's answer violates C2SP tlog-witness (200 without
 *   signature lines, 409 without a `text/x.tlog.size` body).
 * - `witness_refused` — a witness answered with a status other than 200 or 409.
 * - `witness_conflict` — a witness still disagreed about the old size after resynchronising.
 * - `no_valid_cosignature` — a witness's 200 answer held no valid cosignature by its key.
 * - `malformed_attestation` — a notary's attestation statement has a malformed member
 *   (origin, digest, notarial number, office, time; attestation.ts).
 */
export const WITNESS_ERROR_CODES = [
  'malformed_request',
  'malformed_cosigner_key',
  'malformed_cosignature',
  'malformed_log_key',
  'malformed_origin',
  'malformed_policy',
  'malformed_response',
  'witness_refused',
  'witness_conflict',
  'no_valid_cosignature',
  'malformed_attestation',
] as const;
export type WitnessErrorCode = (typeof WITNESS_ERROR_CODES)[number];

/**
 * The one error type thrown by `src/witness`. Callers switch on {@link WitnessError.code};
 * messages are fixed and short.
 */
export class WitnessError extends DataDeedError<WitnessErrorCode> {
  override readonly name = 'WitnessError';

  /**
   * @param code - the stable failure code.
   * @param message - a fixed, human-readable explanation (not part of the API).
   */
  constructor(code: WitnessErrorCode, message: string) {
    super(code, message);
  }
}
