import { DataDeedError, type FieldIssue } from '../errors.ts';

/**
 * Failure codes of evidence deposits (数据存证). Codes are API, never renamed; shared
 * code strings mean what they mean in the registry.
 * - `forbidden` — the caller may not deposit (only data holders do).
 * - `invalid_field` — an item is invalid (`details` names it), or the request has no items / too many.
 * - `deposit_not_found` — no deposit with this id (or, for an attestation, of this digest).
 * - `attestation_invalid` — a notary's signature does not verify over the attestation
 *   statement under the key it names (`details` names the field).
 * - `duplicate_attestation` — the notary office already recorded this notarial certificate number.
 */
export const EVIDENCE_ERROR_CODES = ['forbidden', 'invalid_field', 'deposit_not_found', 'attestation_invalid', 'duplicate_attestation'] as const;
export type EvidenceErrorCode = (typeof EVIDENCE_ERROR_CODES)[number];

/** The one error type of `src/evidence`. */
export class EvidenceError extends DataDeedError<EvidenceErrorCode> {
  /**
   * @param code - the stable failure code.
   * @param message - a fixed, human-readable explanation (not part of the API).
   * @param details - the items that failed, by path (`items.3.previous`).
   */
  constructor(code: EvidenceErrorCode, message: string, details?: readonly FieldIssue[]) {
    super(code, message, details);
    this.name = 'EvidenceError';
  }
}
