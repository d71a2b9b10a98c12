/**
 * The one error base of DataDeed. Every error a domain throws extends
 * {@link DataDeedError} with a closed union of stable codes, derived from an exported
 * `as const` array (so tests and documentation can walk every code).
 *
 * Codes are API: they are never renamed, and one code string means one thing wherever it
 * appears (the same code in two domains gets the same HTTP status and CLI exit code). The
 * HTTP boundary (`src/api/problem.ts`) and the command line (`src/cli/exit-codes.ts`) map
 * codes — never messages — each in one exhaustive table. Messages are fixed, short
 * explanations written at the throw site: not part of the API, and they never carry
 * secret material.
 *
 * Pure: no I/O, runs unchanged in a browser.
 */

/** One failed field of an input, by path (`items.3.previous`), with a fixed message. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * The base of every DataDeed error.
 * @typeParam Code - the closed union of this domain's stable codes.
 */
export abstract class DataDeedError<Code extends string = string> extends Error {
  /** Stable machine-readable reason (API; never renamed). */
  readonly code: Code;
  /** Which parts of the input failed (empty when the error concerns no field). */
  readonly details: readonly FieldIssue[];

  /**
   * @param code - the stable failure code.
   * @param message - a fixed, human-readable explanation (not part of the API).
   * @param details - optional field paths that failed, with fixed messages.
   * @param options - the underlying cause, kept for logs (never shown to clients).
   */
  protected constructor(code: Code, message: string, details: readonly FieldIssue[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/** True for any DataDeed error (of any domain). */
export function isDataDeedError(err: unknown): err is DataDeedError {
  return err instanceof DataDeedError;
}

/**
 * Narrows a string to one of `codes` (for codes that cross a boundary as text, e.g. a
 * worker's message); `fallback` otherwise.
 */
export function codeOf<C extends string>(codes: readonly C[], text: unknown, fallback: C): C {
  return typeof text === 'string' && (codes as readonly string[]).includes(text) ? (text as C) : fallback;
}
