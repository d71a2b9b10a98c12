import { DataDeedError } from '../errors.ts';

/**
 * The closed set of failure codes of the keys module. Codes are API: they are never
 * renamed; the CLI prints them and exits non-zero, and tests assert them.
 *
 * - `log_key_missing` — the log already holds a log key, but no key file was found
 *   (a lost file, or another data directory); or the log has entries and holds none.
 * - `log_key_mismatch` — the key file holds a different key from the one the log holds.
 * - `certificate_key_missing` — the log's active certificate key has no key file here,
 *   and no other certificate key file was found (or the log holds no active one).
 * - `certificate_key_mismatch` — certificate key files were found, but none is the
 *   log's active certificate key.
 * - `certificate_key_ambiguous` — an empty log, and several certificate key files: which
 *   one becomes the first is the operator's choice (`datadeed keys rotate --key-id`).
 * - `key_file_exists` — a key file would be overwritten; keys are never replaced.
 * - `document_key_missing` — the log's active document-signing key (its certificate) has
 *   no key file here, and no other document key file was found.
 * - `document_key_mismatch` — document key files were found, but none holds the
 *   certificate the log holds for its active document key.
 * - `document_key_ambiguous` — the log holds no document key yet, and several document
 *   key files were found: which one is published is the operator's choice
 *   (`datadeed keys rotate --purpose document --key-id`).
 */
export const KEY_ERROR_CODES = [
  'log_key_missing',
  'log_key_mismatch',
  'certificate_key_missing',
  'certificate_key_mismatch',
  'certificate_key_ambiguous',
  'key_file_exists',
  'document_key_missing',
  'document_key_mismatch',
  'document_key_ambiguous',
] as const;
export type KeyErrorCode = (typeof KEY_ERROR_CODES)[number];

/**
 * The error of `src/keys`. A refusal to start names the key ID the log expects
 * (`expected`) and the key IDs found on disk (`found`, empty when none).
 */
export class KeyError extends DataDeedError<KeyErrorCode> {
  /**
   * @param code - the stable failure code.
   * @param message - what the operator must fix (names key IDs and files, never a secret).
   * @param expected - the key ID the log holds, when there is one.
   * @param found - the key IDs found on disk.
   */
  constructor(
    code: KeyErrorCode,
    message: string,
    readonly expected: string | null = null,
    readonly found: readonly string[] = [],
  ) {
    super(code, message);
    this.name = 'KeyError';
  }
}
