import { DataDeedError } from '../errors.ts';

/**
 * Codes of a command that could not do its work (API, never renamed); their exit codes
 * are in `src/cli/exit-codes.ts`.
 * - `file_not_found` — a file named on the command line does not exist or is not a file;
 * - `bad_keys_file` — a `--keys` file is not a saved `GET /v1/keys` document;
 * - `keys_unavailable` — the registry's `/v1/keys` could not be fetched;
 * - `certificate_not_found` — the registry does not know the certificate;
 * - `deposit_not_found` — the registry does not know the deposit;
 * - `online_unavailable` — the registry could not be reached or did not answer as expected;
 * - `deposit_failed` — the registry refused a deposit without a problem code of its own;
 * - `receipt_failed` — a deposit was made but its receipt could not be fetched;
 * - `root_not_trusted` — `verify-file` was given no trusted root to compare with, so it proved nothing.
 */
export const COMMAND_ERROR_CODES = [
  'file_not_found',
  'bad_keys_file',
  'keys_unavailable',
  'certificate_not_found',
  'deposit_not_found',
  'online_unavailable',
  'deposit_failed',
  'receipt_failed',
  'root_not_trusted',
  'write_failed',
] as const;
export type CommandErrorCode = (typeof COMMAND_ERROR_CODES)[number];

/** A command failed for a reason outside the domains (a file, the network, the server's answer). */
export class CommandError extends DataDeedError<CommandErrorCode> {
  /**
   * @param code - the stable failure code.
   * @param message - what failed (may name the file or URL concerned).
   */
  constructor(code: CommandErrorCode, message: string) {
    super(code, message);
    this.name = 'CommandError';
  }
}
