import { expect } from 'vitest';
import { CertificateError, type CertificateErrorCode } from '../../src/certificates/errors.ts';

/** Asserts that `fn` throws a CertificateError with `code` (codes are the API, not messages). */
export function expectCertificateError(fn: () => unknown, code: CertificateErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected CertificateError ${code}`).toBeInstanceOf(CertificateError);
  expect((thrown as CertificateError).code).toBe(code);
}

/** Async variant of {@link expectCertificateError}. */
export async function expectCertificateErrorAsync(fn: () => Promise<unknown>, code: CertificateErrorCode): Promise<void> {
  let thrown: unknown;
  try {
    await fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected CertificateError ${code}`).toBeInstanceOf(CertificateError);
  expect((thrown as CertificateError).code).toBe(code);
}
