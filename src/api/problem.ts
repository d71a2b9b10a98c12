/**
 * RFC 9457 problem details: the one shape of every error response, and the one place
 * where error codes become HTTP statuses.
 *
 * Domain code throws its own errors (all {@link DataDeedError}s with stable codes);
 * {@link HTTP_STATUS} maps every code of every domain to a status — a
 * `Record<ErrorCode, …>`, so a code added without a status does not compile. hono's own
 * `HTTPException`s (wrong Content-Type, malformed JSON or form, body too large) become
 * problems with stable codes too. Anything else — and any code whose status is 500 — is
 * a generic 500 that reveals nothing; the caller logs it (`internal`).
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { DataDeedError, type FieldIssue } from '../errors.ts';
import { INTERNAL_ERROR, type ErrorCode } from '../error-codes.ts';
import { ApiError, type ApiErrorCode } from './errors.ts';

export { ApiError, notFound } from './errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  /** Field errors of a validation failure. */
  errors?: FieldIssue[];
}

/** The statuses a problem can have. */
export type ProblemStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

/**
 * The HTTP status of every error code. 500 means "a bug or a server-side fault": such an
 * error is served as a generic `internal_error` and logged. Codes that only the command
 * line or the browser raise are 500 here: reaching the server would be a bug.
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, ProblemStatus>> = {
  // ledger (src/ledger): proofs, notes, checkpoints, tiles, entries
  index_out_of_range: 400,
  invalid_tree_size: 400,
  proof_wrong_length: 400,
  inclusion_mismatch: 400,
  consistency_mismatch: 400,
  malformed_checkpoint: 400,
  malformed_note: 400,
  note_unverified: 400,
  malformed_verifier_key: 400,
  malformed_signer_key: 400,
  malformed_tile_path: 400,
  malformed_entry_bundle: 400,
  entry_too_large: 413,
  malformed_entry: 400,
  missing_node: 500,
  // the log stopped writing and signing (rollback or fork guard, corrupt state, clock), or lost a race
  tree_rolled_back: 503,
  tree_forked: 503,
  clock_went_back: 503,
  tree_state_corrupt: 503,
  tree_state_conflict: 503,
  // sequencer (src/ledger/pg): the log does not accept writes now
  sequencer_stopped: 503,
  sequencer_fatal: 503,
  queue_full: 503,
  // key files (src/keys/node, src/certificates): server-side
  key_file_unreadable: 500,
  key_file_unwritable: 500,
  key_file_permissions: 500,
  key_file_invalid: 500,
  key_name_mismatch: 500,
  key_not_found: 500,
  // keys that are not the log's (src/keys): start-up and key commands only
  log_key_missing: 500,
  log_key_mismatch: 500,
  certificate_key_missing: 500,
  certificate_key_mismatch: 500,
  certificate_key_ambiguous: 500,
  key_file_exists: 500,
  document_key_missing: 500,
  document_key_mismatch: 500,
  document_key_ambiguous: 500,
  // certificates (src/certificates)
  invalid_payload: 422,
  non_canonical_payload: 400,
  invalid_bundle: 400,
  signer_mismatch: 500,
  invalid_trusted_key: 400,
  invalid_document: 500,
  pdf_too_large: 413,
  pdf_unreadable: 400,
  pdf_no_bundle: 422,
  pdf_unsigned: 422,
  pdf_byte_range_invalid: 422,
  pdf_signature_invalid: 422,
  pdf_digest_mismatch: 422,
  pdf_signer_untrusted: 422,
  // fingerprint core (src/fingerprint): paths, manifests, file proofs
  path_empty: 400,
  path_absolute: 400,
  path_traversal: 400,
  path_empty_segment: 400,
  path_nul: 400,
  path_unrepresentable: 400,
  path_not_normalized: 400,
  path_too_long: 400,
  duplicate_path: 400,
  unsorted_entries: 400,
  malformed_manifest: 400,
  manifest_totals_mismatch: 422,
  manifest_root_mismatch: 422,
  malformed_proof: 400,
  proof_mismatch: 422,
  root_mismatch: 422,
  file_mismatch: 422,
  path_not_in_manifest: 422,
  // fingerprinting on a file system or in a browser: never on the server
  dataset_not_found: 500,
  not_file_or_directory: 500,
  read_failed: 500,
  file_changed: 500,
  write_failed: 500,
  interrupted: 500,
  worker_failed: 500,
  aborted: 500,
  // registry, accounts, evidence
  unauthenticated: 401,
  forbidden: 403,
  reviewer_conflict_of_interest: 403,
  not_owner: 403,
  application_not_found: 404,
  certificate_not_found: 404,
  objection_not_found: 404,
  organisation_not_found: 404,
  user_not_found: 404,
  token_not_found: 404,
  pledge_not_found: 404,
  deposit_not_found: 404,
  attestation_invalid: 422,
  duplicate_attestation: 409,
  invalid_field: 422,
  invalid_cursor: 400,
  application_incomplete: 422,
  evidence_required: 422,
  sample_too_large: 413,
  sample_type_not_allowed: 415,
  duplicate_username: 409,
  duplicate_uscc: 409,
  illegal_transition: 409,
  version_conflict: 409,
  notice_not_elapsed: 409,
  open_objections: 409,
  duplicate_objection: 409,
  too_many_objections: 409,
  renewal_window_closed: 409,
  certificate_not_active: 409,
  certificate_already_pledged: 409,
  certificate_pledged: 409,
  pledgee_consent_required: 409,
  objector_interest_required: 422,
  exclusive_licence_conflict: 409,
  duplicate_policy: 409,
  // start-up: configuration, stores (never while serving a request, except a busy database)
  bad_config: 500,
  origin_mismatch: 500,
  database_busy: 503,
  // the command line: never on the server
  bad_arguments: 500,
  bad_option: 500,
  missing_option: 500,
  unknown_command: 500,
  bad_key: 500,
  bad_url: 500,
  no_trusted_keys: 500,
  file_not_found: 500,
  bad_keys_file: 500,
  keys_unavailable: 500,
  online_unavailable: 500,
  deposit_failed: 500,
  receipt_failed: 500,
  root_not_trusted: 500,
  // the HTTP layer (src/api)
  invalid_request: 400,
  malformed_json: 400,
  malformed_form: 400,
  unsupported_media_type: 415,
  body_too_large: 413,
  bad_request: 400,
  route_not_found: 404,
  method_not_allowed: 405,
  tile_not_found: 404,
  entry_not_found: 404,
  size_beyond_tree: 400,
  log_empty: 503,
  not_ready: 503,
  log_stopped: 503,
  rate_limited: 429,
  // the authenticated state map (src/state/map)
  invalid_key: 400,
  invalid_value: 400,
  invalid_root: 400,
  duplicate_key: 500,
  malformed_node: 500,
  proof_kind_mismatch: 422,
  proof_not_canonical: 422,
  proof_key_mismatch: 422,
  // the replayed state (src/state): a write the log forbids, or tables that disagree with the log
  state_diverged: 409,
  replay_out_of_order: 500,
  // the witness (src/witness): its own server answers per C2SP; these reach the registry only as bugs or client-side failures
  malformed_request: 400,
  malformed_cosigner_key: 400,
  malformed_cosignature: 400,
  malformed_log_key: 400,
  malformed_origin: 400,
  malformed_policy: 400,
  malformed_response: 500,
  malformed_timestamp: 500,
  witness_refused: 500,
  witness_conflict: 500,
  no_valid_cosignature: 500,
  malformed_attestation: 422,
  key_exists: 500,
  key_missing: 500,
  key_unreadable: 500,
  key_mode: 500,
  malformed_key: 500,
  bad_name: 500,
  not_initialised: 500,
  already_initialised: 500,
  busy: 503,
  wrong_key: 500,
  schema_version: 500,
  state_conflict: 503,
};

const TITLES: Record<ProblemStatus, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** What a client is told about a 503 of a domain (its message may name internal state). */
const UNAVAILABLE_DETAIL = 'The service cannot do this right now; try again later.';

/** The status of a code (500 for a string that is no DataDeed code). */
export function statusOf(code: string): ProblemStatus {
  return Object.hasOwn(HTTP_STATUS, code) ? HTTP_STATUS[code as ErrorCode] : 500;
}

/** The generic problem of an unexpected failure: reveals nothing. */
export function internalProblem(): Problem {
  return problem(500, INTERNAL_ERROR, TITLES[500], 'An unexpected error occurred.');
}

/** The problem for `code` (its status from {@link HTTP_STATUS}), with a detail for the client. */
export function problemFor(code: ErrorCode, detail?: string, errors?: readonly FieldIssue[]): Problem {
  const status = HTTP_STATUS[code];
  if (status === 500) return internalProblem();
  return problem(status, code, TITLES[status], detail, errors?.length ? errors : undefined);
}

/** hono's own refusals: the status it chose, and a stable code for it. */
function httpExceptionCode(err: HTTPException): ApiErrorCode | undefined {
  switch (err.status) {
    case 415:
      return 'unsupported_media_type';
    case 413:
      return 'body_too_large';
    case 404:
      return 'route_not_found';
    case 405:
      return 'method_not_allowed';
    case 400:
      // hono's validators: "Malformed JSON in request body", "Malformed FormData request. …"
      if (/json/i.test(err.message)) return 'malformed_json';
      if (/formdata/i.test(err.message)) return 'malformed_form';
      return 'bad_request';
    default:
      return err.status >= 400 && err.status < 500 ? 'bad_request' : undefined;
  }
}

const HTTP_EXCEPTION_DETAIL: Partial<Record<ApiErrorCode, string>> = {
  unsupported_media_type: 'The request body has a Content-Type this route does not accept.',
  body_too_large: 'The request body is too large.',
  malformed_json: 'The request body is not valid JSON.',
  malformed_form: 'The request body is not a valid form.',
  route_not_found: 'No such route.',
  method_not_allowed: 'This route does not allow this method.',
  bad_request: 'The request cannot be processed.',
};

/**
 * Map any thrown value to a problem. `internal` tells the caller to log it (a bug, a
 * server-side fault or an unavailable service): such problems never carry the error's message.
 */
export function toProblem(err: unknown): { problem: Problem; internal: boolean } {
  if (err instanceof DataDeedError && Object.hasOwn(HTTP_STATUS, err.code)) {
    const code = err.code as ErrorCode;
    const status = HTTP_STATUS[code];
    if (status === 500) return { problem: internalProblem(), internal: true };
    // the HTTP layer writes its details for clients; a domain's 503 may name internal state
    const detail = status === 503 && !(err instanceof ApiError) ? UNAVAILABLE_DETAIL : err.message;
    return { problem: problemFor(code, detail, err.details), internal: status >= 500 };
  }
  if (err instanceof HTTPException) {
    const code = httpExceptionCode(err);
    if (code) return { problem: problemFor(code, HTTP_EXCEPTION_DETAIL[code]), internal: false };
  }
  return { problem: internalProblem(), internal: true };
}

/** A failed database query (drizzle's DrizzleQueryError): its message and stack repeat the parameters. */
function isQueryError(err: Error): err is Error & { query: unknown } {
  return 'query' in err && 'params' in err;
}

/**
 * What the server logs of an internal error: its type, code, message, stack and cause —
 * but never the parameters of a failed database query (they can hold password hashes,
 * token hashes, personal data): for a query error, the SQL text and the database's error
 * (SQLSTATE and message) only.
 */
export function errorForLog(err: unknown, depth = 0): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const code = (err as { code?: unknown }).code;
  const base = { type: err.name, ...(typeof code === 'string' ? { code } : {}) };
  if (isQueryError(err)) {
    const cause = err.cause instanceof Error ? { type: err.cause.name, code: (err.cause as { code?: unknown }).code, message: err.cause.message } : undefined;
    return { ...base, query: typeof err.query === 'string' ? err.query : undefined, cause };
  }
  return { ...base, message: err.message, stack: err.stack, ...(err.cause !== undefined && depth < 4 ? { cause: errorForLog(err.cause, depth + 1) } : {}) };
}

/** A problem document (RFC 9457 §3) with DataDeed's `code` (and `errors` for field failures). */
export function problem(status: number, code: string, title: string, detail?: string, errors?: readonly FieldIssue[]): Problem {
  return {
    type: `/problems/${code}`,
    title,
    status,
    code,
    ...(detail ? { detail } : {}),
    ...(errors ? { errors: errors.map((e) => ({ path: e.path, message: e.message })) } : {}),
  };
}

/** Send a problem response. */
export function sendProblem(c: Context, p: Problem): Response {
  // an unavailable service (a full append queue, a database failing over) is worth retrying soon
  const retry: Record<string, string> = p.status === 503 ? { 'Retry-After': '1' } : {};
  return c.body(JSON.stringify(p), p.status as ContentfulStatusCode, { 'Content-Type': 'application/problem+json', ...retry });
}
