import { describe, expect, it } from 'vitest';
import { LedgerError } from '../../src/ledger/index.ts';

describe('LedgerError', () => {
  it('carries a stable code and the name LedgerError', () => {
    const e = new LedgerError('missing_node', 'x');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('LedgerError');
    expect(e.code).toBe('missing_node');
    expect(e.message).toBe('x');
  });
});
