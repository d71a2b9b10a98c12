/** One error type for the registry, with a closed union of stable codes (API: never renamed). */
export type RegistryErrorCode =
  // authentication / authorisation
  | 'unauthenticated'
  | 'forbidden'
  | 'reviewer_conflict_of_interest'
  | 'not_owner'
  // lookups
  | 'application_not_found'
  | 'certificate_not_found'
  | 'objection_not_found'
  | 'organisation_not_found'
  | 'user_not_found'
  | 'token_not_found'
  // validation
  | 'invalid_field'
  | 'duplicate_username'
  | 'duplicate_uscc'
  | 'sample_too_large'
  | 'sample_type_not_allowed'
  // state
  | 'illegal_transition'
  | 'version_conflict'
  | 'notice_not_elapsed'
  | 'open_objections'
  | 'renewal_window_closed'
  | 'application_incomplete'
  | 'certificate_not_active'
  | 'certificate_already_pledged'
  | 'certificate_pledged'
  | 'pledge_not_found'
  | 'deposit_not_found'
  | 'evidence_required'
  | 'exclusive_licence_conflict'
  | 'duplicate_policy';

export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    readonly details?: { path: string; message: string }[],
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}
