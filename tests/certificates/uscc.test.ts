/** 统一社会信用代码 (GB 32100-2015) known answers from tests/vectors/uscc.json (independently computed). */
import { describe, expect, it } from 'vitest';
import { orgCodeCheckDigit, usccCheckCharacter, validateUscc } from '../../src/certificates/index.ts';
import { loadVector } from '../ledger/vectors.ts';

interface UsccVectors {
  valid: { name: string; code: string; source: string }[];
  invalid: { name: string; code: string; wantError: string }[];
}

const vectors = loadVector<UsccVectors>('uscc.json');

describe('validateUscc', () => {
  for (const v of vectors.valid) {
    it(`accepts ${v.name} ${v.code}`, () => {
      expect(validateUscc(v.code)).toEqual({ ok: true });
      expect(usccCheckCharacter(v.code.slice(0, 17))).toBe(v.code[17]);
      expect(orgCodeCheckDigit(v.code.slice(8, 16))).toBe(v.code[16]);
    });
  }
  for (const v of vectors.invalid) {
    it(`rejects ${v.name} with ${v.wantError}`, () => {
      const result = validateUscc(v.code);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.code).toBe(v.wantError);
        expect(result.message).not.toContain(v.code || '\u0000');
      }
    });
  }

  it('rejects non-strings', () => {
    expect(validateUscc(undefined as unknown as string)).toMatchObject({ ok: false, code: 'uscc_length' });
    expect(validateUscc(91350100 as unknown as string)).toMatchObject({ ok: false, code: 'uscc_length' });
  });

  it('every single-character substitution of a valid code is caught', () => {
    // The mod-31 check character detects every single substitution (31 is prime, weights non-zero).
    const charset = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    const code = '91350100M000100Y43';
    for (let i = 0; i < 18; i++) {
      for (const c of charset) {
        if (c === code[i]) continue;
        const mutated = code.slice(0, i) + c + code.slice(i + 1);
        expect(validateUscc(mutated).ok, mutated).toBe(false);
      }
    }
  });
});
