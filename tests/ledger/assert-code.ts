import { expect } from 'vitest';
import { LedgerError, type LedgerErrorCode } from '../../src/ledger/errors.ts';

/** Asserts that `fn` throws a LedgerError with `code` (the code is the API, not the message). */
export function expectCode(fn: () => unknown, code: LedgerErrorCode | string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected LedgerError ${code}`).toBeInstanceOf(LedgerError);
  expect((thrown as LedgerError).code).toBe(code);
}

/** Async variant of {@link expectCode}. */
export async function expectCodeAsync(fn: () => Promise<unknown>, code: LedgerErrorCode | string): Promise<void> {
  let thrown: unknown;
  try {
    await fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected LedgerError ${code}`).toBeInstanceOf(LedgerError);
  expect((thrown as LedgerError).code).toBe(code);
}
