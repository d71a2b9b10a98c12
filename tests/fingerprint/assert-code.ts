import { expect } from 'vitest';
import { FingerprintError, type FingerprintErrorCode } from '../../src/fingerprint/errors.ts';

/** Asserts that `fn` throws a FingerprintError with `code` (codes are the API, not messages). */
export function expectCode(fn: () => unknown, code: FingerprintErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected FingerprintError ${code}`).toBeInstanceOf(FingerprintError);
  expect((thrown as FingerprintError).code).toBe(code);
}
