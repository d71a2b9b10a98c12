/**
 * The one place where error codes become exit statuses of `datadeed` (README, "Exit
 * status"):
 *
 * | exit | meaning |
 * | --- | --- |
 * | 0 | success: every check passed |
 * | 1 | a check failed: a proof, signature, root, file or bundle does not verify |
 * | 2 | usage: a bad command line or configuration (environment variable) |
 * | 3 | input: a file cannot be read, a dataset name is unusable, or the registry refused the request (not found, conflict, invalid field, not allowed) |
 * | 4 | unavailable: the network, the database, a key file or the log cannot be used now, or an internal error |
 * | 130 | interrupted (Ctrl-C) |
 *
 * {@link EXIT_CODE} is a `Record<ErrorCode, …>`: a code added to any domain without an
 * exit code does not compile.
 */
import { DataDeedError } from '../errors.ts';
import { INTERNAL_ERROR, type ErrorCode } from '../error-codes.ts';
import { UsageError } from './usage.ts';

/** The exit statuses of `datadeed`. */
export const EXIT = { ok: 0, checkFailed: 1, usage: 2, input: 3, unavailable: 4, interrupted: 130 } as const;
export type ExitStatus = (typeof EXIT)[keyof typeof EXIT];

const { checkFailed: FAILED, usage: USAGE, input: INPUT, unavailable: UNAVAILABLE, interrupted: INTERRUPTED } = EXIT;

/** The exit status of every error code. */
export const EXIT_CODE: Readonly<Record<ErrorCode, ExitStatus>> = {
  // ledger: what was checked does not verify
  index_out_of_range: FAILED,
  invalid_tree_size: FAILED,
  proof_wrong_length: FAILED,
  inclusion_mismatch: FAILED,
  consistency_mismatch: FAILED,
  malformed_checkpoint: FAILED,
  malformed_note: FAILED,
  note_unverified: FAILED,
  malformed_verifier_key: FAILED,
  malformed_signer_key: FAILED,
  malformed_tile_path: FAILED,
  malformed_entry_bundle: FAILED,
  entry_too_large: INPUT,
  malformed_entry: FAILED,
  missing_node: UNAVAILABLE,
  // the log's own guards: the stored tree does not extend what was signed (a failed check),
  // or the log cannot be used now
  tree_rolled_back: FAILED,
  tree_forked: FAILED,
  tree_state_corrupt: FAILED,
  clock_went_back: UNAVAILABLE,
  tree_state_conflict: UNAVAILABLE,
  // sequencer
  sequencer_stopped: UNAVAILABLE,
  sequencer_fatal: UNAVAILABLE,
  queue_full: UNAVAILABLE,
  // key files: the installation cannot be used
  key_file_unreadable: UNAVAILABLE,
  key_file_unwritable: UNAVAILABLE,
  key_file_permissions: UNAVAILABLE,
  key_file_invalid: UNAVAILABLE,
  key_name_mismatch: UNAVAILABLE,
  key_not_found: INPUT,
  // keys that are not the log's: this installation cannot serve this log (restore the key files)
  log_key_missing: UNAVAILABLE,
  log_key_mismatch: UNAVAILABLE,
  certificate_key_missing: UNAVAILABLE,
  certificate_key_mismatch: UNAVAILABLE,
  certificate_key_ambiguous: UNAVAILABLE,
  document_key_missing: UNAVAILABLE,
  document_key_mismatch: UNAVAILABLE,
  document_key_ambiguous: UNAVAILABLE,
  // a key file is never overwritten: the command was refused
  key_file_exists: INPUT,
  // certificates: a bundle or PDF that does not verify
  invalid_payload: FAILED,
  non_canonical_payload: FAILED,
  invalid_bundle: FAILED,
  signer_mismatch: UNAVAILABLE,
  invalid_trusted_key: USAGE,
  invalid_document: UNAVAILABLE,
  pdf_too_large: FAILED,
  pdf_unreadable: FAILED,
  pdf_no_bundle: FAILED,
  pdf_unsigned: FAILED,
  pdf_byte_range_invalid: FAILED,
  pdf_signature_invalid: FAILED,
  pdf_digest_mismatch: FAILED,
  pdf_signer_untrusted: FAILED,
  // fingerprint: a dataset name that cannot be used is an input error …
  path_empty: INPUT,
  path_absolute: INPUT,
  path_traversal: INPUT,
  path_empty_segment: INPUT,
  path_nul: INPUT,
  path_unrepresentable: INPUT,
  path_too_long: INPUT,
  duplicate_path: INPUT,
  // … a manifest or proof that is not what it claims is a failed check
  path_not_normalized: FAILED,
  unsorted_entries: FAILED,
  malformed_manifest: FAILED,
  manifest_totals_mismatch: FAILED,
  manifest_root_mismatch: FAILED,
  malformed_proof: FAILED,
  proof_mismatch: FAILED,
  root_mismatch: FAILED,
  file_mismatch: FAILED,
  path_not_in_manifest: FAILED,
  // fingerprinting on a file system or in a browser
  dataset_not_found: INPUT,
  not_file_or_directory: INPUT,
  read_failed: INPUT,
  file_changed: INPUT,
  write_failed: UNAVAILABLE,
  interrupted: INTERRUPTED,
  worker_failed: UNAVAILABLE,
  aborted: INTERRUPTED,
  // registry, accounts, evidence: the registry refused the request
  unauthenticated: INPUT,
  forbidden: INPUT,
  reviewer_conflict_of_interest: INPUT,
  not_owner: INPUT,
  application_not_found: INPUT,
  certificate_not_found: INPUT,
  objection_not_found: INPUT,
  organisation_not_found: INPUT,
  user_not_found: INPUT,
  token_not_found: INPUT,
  pledge_not_found: INPUT,
  deposit_not_found: INPUT,
  attestation_invalid: FAILED,
  duplicate_attestation: INPUT,
  invalid_field: INPUT,
  invalid_cursor: INPUT,
  application_incomplete: INPUT,
  evidence_required: INPUT,
  sample_too_large: INPUT,
  sample_type_not_allowed: INPUT,
  duplicate_username: INPUT,
  duplicate_uscc: INPUT,
  illegal_transition: INPUT,
  version_conflict: INPUT,
  notice_not_elapsed: INPUT,
  open_objections: INPUT,
  duplicate_objection: INPUT,
  too_many_objections: INPUT,
  renewal_window_closed: INPUT,
  certificate_not_active: INPUT,
  certificate_already_pledged: INPUT,
  certificate_pledged: INPUT,
  pledgee_consent_required: INPUT,
  objector_interest_required: INPUT,
  exclusive_licence_conflict: INPUT,
  duplicate_policy: INPUT,
  // start-up
  bad_config: USAGE,
  origin_mismatch: UNAVAILABLE,
  database_busy: UNAVAILABLE,
  // the command line
  bad_arguments: USAGE,
  bad_option: USAGE,
  missing_option: USAGE,
  unknown_command: USAGE,
  bad_key: USAGE,
  bad_url: USAGE,
  no_trusted_keys: USAGE,
  file_not_found: INPUT,
  bad_keys_file: INPUT,
  keys_unavailable: UNAVAILABLE,
  online_unavailable: UNAVAILABLE,
  deposit_failed: UNAVAILABLE,
  receipt_failed: UNAVAILABLE,
  root_not_trusted: FAILED,
  // problems a registry answered with (`datadeed deposit`)
  invalid_request: INPUT,
  malformed_json: INPUT,
  malformed_form: INPUT,
  unsupported_media_type: INPUT,
  body_too_large: INPUT,
  bad_request: INPUT,
  route_not_found: UNAVAILABLE,
  method_not_allowed: UNAVAILABLE,
  tile_not_found: INPUT,
  entry_not_found: INPUT,
  size_beyond_tree: INPUT,
  log_empty: UNAVAILABLE,
  not_ready: UNAVAILABLE,
  log_stopped: UNAVAILABLE,
  rate_limited: UNAVAILABLE,
  // the replayed state: tables that disagree with the log are a failed check
  state_diverged: FAILED,
  replay_out_of_order: UNAVAILABLE,
  // the authenticated state map and the witness (`datadeed witness`)
  malformed_request: INPUT,
  malformed_cosigner_key: INPUT,
  malformed_cosignature: FAILED,
  malformed_log_key: INPUT,
  malformed_origin: INPUT,
  malformed_policy: INPUT,
  malformed_response: UNAVAILABLE,
  malformed_timestamp: UNAVAILABLE,
  witness_refused: UNAVAILABLE,
  witness_conflict: UNAVAILABLE,
  no_valid_cosignature: FAILED,
  malformed_attestation: INPUT,
  invalid_key: INPUT,
  invalid_value: INPUT,
  invalid_root: INPUT,
  duplicate_key: UNAVAILABLE,
  malformed_node: UNAVAILABLE,
  proof_kind_mismatch: FAILED,
  proof_not_canonical: FAILED,
  proof_key_mismatch: FAILED,
  key_exists: INPUT,
  key_missing: UNAVAILABLE,
  key_unreadable: UNAVAILABLE,
  key_mode: UNAVAILABLE,
  malformed_key: UNAVAILABLE,
  bad_name: USAGE,
  not_initialised: USAGE,
  already_initialised: INPUT,
  busy: UNAVAILABLE,
  wrong_key: UNAVAILABLE,
  schema_version: UNAVAILABLE,
  state_conflict: UNAVAILABLE,
};

/**
 * The exit status for a code as text (e.g. the `code` of a problem a registry answered
 * with); a string that is no DataDeed code is judged by `httpStatus` when known: a 4xx
 * is an input error, anything else means the registry is unavailable.
 */
export function exitCodeOf(code: string | undefined, httpStatus?: number): ExitStatus {
  if (code !== undefined && Object.hasOwn(EXIT_CODE, code)) return EXIT_CODE[code as ErrorCode];
  return httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500 ? INPUT : UNAVAILABLE;
}

/** A node:util `parseArgs` refusal (unknown option, missing value …). */
function isParseArgsError(err: unknown): err is Error {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** The stable code and exit status of anything a command threw. */
export function classify(err: unknown): { code: string; exit: ExitStatus; message: string; usage: boolean } {
  if (err instanceof DataDeedError && Object.hasOwn(EXIT_CODE, err.code)) {
    return { code: err.code, exit: EXIT_CODE[err.code as ErrorCode], message: err.message, usage: err instanceof UsageError };
  }
  if (isParseArgsError(err)) return { code: 'bad_arguments', exit: EXIT_CODE.bad_arguments, message: err.message, usage: true };
  return { code: INTERNAL_ERROR, exit: UNAVAILABLE, message: err instanceof Error ? err.message : String(err), usage: false };
}

/** The exit status of anything a command threw. */
export function exitCodeFor(err: unknown): ExitStatus {
  return classify(err).exit;
}

/**
 * Prints `<prefix>: [code] message` for a failure (and `usage` after a usage error)
 * to `write`, and returns its exit status.
 */
export function reportFailure(err: unknown, opts: { prefix?: string; usage?: string; write?: (text: string) => void } = {}): ExitStatus {
  const write = opts.write ?? ((t: string) => void process.stderr.write(t));
  const c = classify(err);
  write(`${opts.prefix ?? 'datadeed'}: [${c.code}] ${c.message}\n${c.usage && opts.usage ? opts.usage : ''}`);
  return c.exit;
}
