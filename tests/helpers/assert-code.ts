/**
 * Asserting errors by class and stable code (codes are the API, not messages). One
 * helper for every domain: `const { expectCode, expectCodeAsync } = assertCodes(LedgerError)`
 * gives assertions typed with that domain's closed union of codes.
 */
import { expect } from 'vitest';
import type { DataDeedError } from '../../src/errors.ts';

/** A DataDeed error class whose codes are `C`. */
export type ErrorClass<C extends string> = abstract new (...args: never[]) => DataDeedError<C>;

function check<C extends string>(thrown: unknown, type: ErrorClass<C>, code: C): void {
  expect(thrown, `expected ${type.name} ${code}`).toBeInstanceOf(type);
  expect((thrown as DataDeedError<C>).code).toBe(code);
}

/** Asserts that `fn` throws a `type` with `code`. */
export function expectCode<C extends string>(fn: () => unknown, type: ErrorClass<C>, code: C): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  check(thrown, type, code);
}

/** Asserts that `fn` rejects with a `type` with `code`. */
export async function expectCodeAsync<C extends string>(fn: () => Promise<unknown>, type: ErrorClass<C>, code: C): Promise<void> {
  let thrown: unknown;
  try {
    await fn();
  } catch (e) {
    thrown = e;
  }
  check(thrown, type, code);
}

/** {@link expectCode} and {@link expectCodeAsync} bound to one error class. */
export function assertCodes<C extends string>(type: ErrorClass<C>) {
  return {
    expectCode: (fn: () => unknown, code: C): void => expectCode(fn, type, code),
    expectCodeAsync: (fn: () => Promise<unknown>, code: C): Promise<void> => expectCodeAsync(fn, type, code),
  };
}
