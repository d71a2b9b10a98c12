import { DataDeedError, type FieldIssue } from '../errors.ts';

/**
 * Failure codes of accounts: organisations, users, API tokens and sessions. Codes are
 * API, never renamed; shared code strings mean what they mean in the registry.
 * - `unauthenticated` — no valid credentials (token or session).
 * - `forbidden` — the caller is authenticated but may not do this.
 * - `invalid_field` — an input field is invalid (`details` names it), e.g. a role that
 *   does not fit the organisation's kind.
 * - `organisation_not_found`, `user_not_found`, `token_not_found` — no such record (or no
 *   such active token).
 * - `duplicate_username` — the username is taken.
 * - `duplicate_uscc` — an organisation with this 统一社会信用代码 exists.
 */
export const ACCOUNT_ERROR_CODES = [
  'unauthenticated',
  'forbidden',
  'invalid_field',
  'organisation_not_found',
  'user_not_found',
  'token_not_found',
  'duplicate_username',
  'duplicate_uscc',
] as const;
export type AccountErrorCode = (typeof ACCOUNT_ERROR_CODES)[number];

/** The one error type of `src/accounts`. */
export class AccountError extends DataDeedError<AccountErrorCode> {
  /**
   * @param code - the stable failure code.
   * @param message - a fixed, human-readable explanation (not part of the API).
   * @param details - the fields that failed, by path.
   */
  constructor(code: AccountErrorCode, message: string, details?: readonly FieldIssue[]) {
    super(code, message, details);
    this.name = 'AccountError';
  }
}
