import { DataDeedError, type FieldIssue } from '../errors.ts';

/**
 * Codes raised by the HTTP layer itself (API, never renamed). Their statuses are in
 * `problem.ts`, with every other code's.
 * - `invalid_request` — a parameter or body failed its schema (`errors` names the fields);
 * - `malformed_json` — a JSON body does not parse;
 * - `malformed_form` — a form body (urlencoded or multipart) does not parse;
 * - `unsupported_media_type` — the body's Content-Type is not one the route accepts;
 * - `body_too_large` — the body exceeds the route's bound;
 * - `bad_request` — any other request the HTTP framework refuses;
 * - `route_not_found`, `method_not_allowed` — no such route / method;
 * - `tile_not_found`, `entry_not_found` — beyond the tree, or a partial tile not yet that wide;
 * - `size_beyond_tree` — a requested tree size exceeds the current tree;
 * - `index_out_of_range`, `invalid_tree_size`, `malformed_tile_path` — as in the ledger (same meaning);
 * - `log_empty` — the log has no checkpoint yet; `not_ready` — the database is not reachable;
 *   `log_stopped` — a guard of the log (rollback, fork, clock) stopped writes and signing;
 * - `rate_limited` — too many requests or failed sign-ins from this client; retry after `Retry-After`.
 */
export const API_ERROR_CODES = [
  'invalid_request',
  'malformed_json',
  'malformed_form',
  'unsupported_media_type',
  'body_too_large',
  'bad_request',
  'route_not_found',
  'method_not_allowed',
  'tile_not_found',
  'entry_not_found',
  'size_beyond_tree',
  'index_out_of_range',
  'invalid_tree_size',
  'malformed_tile_path',
  'log_empty',
  'not_ready',
  'log_stopped',
  'rate_limited',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** An error raised by the HTTP layer itself (bad parameter, not found …). */
export class ApiError extends DataDeedError<ApiErrorCode> {
  /**
   * @param code - the stable failure code; its status comes from `problem.ts`.
   * @param detail - a fixed explanation for the client (it is served).
   * @param errors - the fields that failed, by path.
   * @param options - the underlying cause, for the server's log only.
   */
  constructor(code: ApiErrorCode, detail: string, errors?: readonly FieldIssue[], options?: { cause?: unknown }) {
    super(code, detail, errors, options);
    this.name = 'ApiError';
  }
}

/** A `<what>_not_found` problem for a resource the HTTP layer looks up itself. */
export const notFound = (what: 'tile' | 'entry', detail: string) => new ApiError(`${what}_not_found`, detail);
