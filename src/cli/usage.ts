import { DataDeedError } from '../errors.ts';

/**
 * Codes of a bad command line (API, never renamed). Every one exits 2
 * (`src/cli/exit-codes.ts`) and prints `datadeed: [code] message`.
 * - `bad_arguments` — wrong number of arguments, an unknown flag, a malformed value;
 * - `bad_option` — an option's value is invalid;
 * - `missing_option` — a required option is missing;
 * - `unknown_command` — no such command or subcommand;
 * - `bad_key` — a `--key` is not a verifier key (with an optional validity window);
 * - `bad_url` — a URL option is not an http(s) URL;
 * - `no_trusted_keys` — `verify` was given no key to trust.
 */
export const USAGE_ERROR_CODES = ['bad_arguments', 'bad_option', 'missing_option', 'unknown_command', 'bad_key', 'bad_url', 'no_trusted_keys'] as const;
export type UsageErrorCode = (typeof USAGE_ERROR_CODES)[number];

/** A bad command line: printed as `datadeed: [code] message` with exit 2. */
export class UsageError extends DataDeedError<UsageErrorCode> {
  /**
   * @param code - the stable failure code.
   * @param message - what is wrong with the command line.
   */
  constructor(code: UsageErrorCode, message: string) {
    super(code, message);
    this.name = 'UsageError';
  }
}
