import { DataDeedError, type FieldIssue } from '../errors.ts';

/**
 * The registry's closed set of stable codes (API: never renamed). Accounts
 * (`src/accounts`) and evidence deposits (`src/evidence`) have their own errors; a code
 * they share with the registry (`forbidden`, `invalid_field`, …) means the same thing.
 */
export const REGISTRY_ERROR_CODES = [
  // authentication / authorisation
  'unauthenticated',
  'forbidden',
  'reviewer_conflict_of_interest',
  'not_owner',
  // lookups
  'application_not_found',
  'certificate_not_found',
  'objection_not_found',
  'organisation_not_found',
  'pledge_not_found',
  'deposit_not_found',
  // validation
  'invalid_field',
  'invalid_cursor',
  'sample_too_large',
  'sample_type_not_allowed',
  // state
  'illegal_transition',
  'version_conflict',
  'notice_not_elapsed',
  'open_objections',
  'duplicate_objection',
  'too_many_objections',
  'renewal_window_closed',
  'application_incomplete',
  'certificate_not_active',
  'certificate_already_pledged',
  'certificate_pledged',
  'pledgee_consent_required',
  'objector_interest_required',
  'evidence_required',
  'exclusive_licence_conflict',
  'duplicate_policy',
] as const;
export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

/** The one error type of the registry (applications, certificates, encumbrances). */
export class RegistryError extends DataDeedError<RegistryErrorCode> {
  /**
   * @param code - the stable failure code.
   * @param message - a fixed, human-readable explanation (not part of the API).
   * @param details - the fields that failed, by path, for `invalid_field` and the like.
   */
  constructor(code: RegistryErrorCode, message: string, details?: readonly FieldIssue[]) {
    super(code, message, details);
    this.name = 'RegistryError';
  }
}
