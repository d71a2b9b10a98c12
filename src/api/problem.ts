/**
 * RFC 9457 problem details: the one shape of every error response.
 * Domain code throws its own errors (LedgerError …); `toProblem` maps their
 * stable codes to HTTP status in one place. Unknown errors become a generic 500
 * that reveals nothing (and are logged by the caller).
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { LedgerError, type LedgerErrorCode } from '../ledger/errors.ts';
import { SequencerError } from '../ledger/sequencer.ts';
import { RegistryError, type RegistryErrorCode } from '../registry/errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  /** Field errors of a validation failure. */
  errors?: { path: string; message: string }[];
}

/** An error raised by the HTTP layer itself (bad parameter, not found …). */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: { path: string; message: string }[],
  ) {
    super(detail ?? title);
    this.name = 'ApiError';
  }
}

function ledgerStatus(code: LedgerErrorCode): ContentfulStatusCode {
  switch (code) {
    case 'index_out_of_range':
    case 'invalid_tree_size':
    case 'malformed_tile_path':
    case 'malformed_entry':
    case 'malformed_entry_bundle':
    case 'malformed_checkpoint':
    case 'malformed_note':
    case 'malformed_verifier_key':
    case 'malformed_signer_key':
    case 'proof_wrong_length':
    case 'inclusion_mismatch':
    case 'consistency_mismatch':
    case 'note_unverified':
      return 400;
    case 'entry_too_large':
      return 413;
    case 'missing_node':
      return 500;
  }
}

function registryStatus(code: RegistryErrorCode): ContentfulStatusCode {
  switch (code) {
    case 'unauthenticated':
      return 401;
    case 'forbidden':
    case 'reviewer_conflict_of_interest':
    case 'not_owner':
      return 403;
    case 'application_not_found':
    case 'certificate_not_found':
    case 'objection_not_found':
    case 'organisation_not_found':
    case 'user_not_found':
    case 'token_not_found':
    case 'pledge_not_found':
    case 'deposit_not_found':
      return 404;
    case 'invalid_field':
    case 'application_incomplete':
    case 'evidence_required':
      return 422;
    case 'sample_too_large':
      return 413;
    case 'sample_type_not_allowed':
      return 415;
    case 'duplicate_username':
    case 'duplicate_uscc':
    case 'illegal_transition':
    case 'version_conflict':
    case 'notice_not_elapsed':
    case 'open_objections':
    case 'renewal_window_closed':
    case 'certificate_not_active':
    case 'certificate_already_pledged':
    case 'certificate_pledged':
    case 'exclusive_licence_conflict':
    case 'duplicate_policy':
      return 409;
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Map any thrown value to a problem. `internal` tells the caller to log it. */
export function toProblem(err: unknown): { problem: Problem; internal: boolean } {
  if (err instanceof ApiError) {
    return {
      problem: problem(err.status, err.code, err.title, err.detail, err.errors),
      internal: false,
    };
  }
  if (err instanceof LedgerError) {
    const status = ledgerStatus(err.code);
    if (status === 500) return { problem: problem(500, 'internal_error', TITLES[500]!), internal: true };
    return { problem: problem(status, err.code, TITLES[status] ?? 'Error', err.message), internal: false };
  }
  if (err instanceof RegistryError) {
    const status = registryStatus(err.code);
    return { problem: problem(status, err.code, TITLES[status] ?? 'Error', err.message, err.details), internal: false };
  }
  if (err instanceof SequencerError) {
    return { problem: problem(503, err.code, TITLES[503]!, 'The log is not accepting writes right now.'), internal: true };
  }
  return { problem: problem(500, 'internal_error', TITLES[500]!, 'An unexpected error occurred.'), internal: true };
}

export function problem(
  status: number,
  code: string,
  title: string,
  detail?: string,
  errors?: { path: string; message: string }[],
): Problem {
  return {
    type: `/problems/${code}`,
    title,
    status,
    code,
    ...(detail ? { detail } : {}),
    ...(errors ? { errors } : {}),
  };
}

/** Send a problem response. */
export function sendProblem(c: Context, p: Problem): Response {
  return c.body(JSON.stringify(p), p.status as ContentfulStatusCode, { 'Content-Type': 'application/problem+json' });
}

export const notFound = (what: string, detail?: string) => new ApiError(404, `${what}_not_found`, 'Not Found', detail);
