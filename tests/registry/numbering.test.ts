/**
 * National certificate numbers and 登记号 (src/registry/numbering.ts) against an
 * independent python3 reference (tests/registry/numbering_ref.py, written from ISO/IEC
 * 7064 and 规发〔2024〕79号) whose answers are tests/vectors/numbering/expected.json; the
 * published ISO 7064 MOD 37,36 example (the GRid A12425GABC1234002M of ISO 7064's
 * annex / IFPI GRid standard); and properties of the check character.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  mod3736CheckCharacter,
  mod3736Valid,
  nationalCertificateNumber,
  parseNationalCertificateNumber,
  registrationNumber,
  validRegistrationNumber,
  type DataSourceType,
  type RegistrantType,
} from '../../src/registry/numbering.ts';
import { certificateNumber } from '../../src/registry/index.ts';

const dir = new URL('../vectors/numbering/', import.meta.url);
const cases = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as {
  check: string[];
  national: [number, number, string, number][];
  registration: [number, DataSourceType, RegistrantType, number][];
};
const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8')) as { check: Record<string, string>; national: string[]; registration: string[] };
const hasPython = spawnSync('python3', ['--version']).status === 0;
const ALPHA = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

describe('national numbering', () => {
  it.runIf(hasPython)('the python3 reference reproduces the known answers', () => {
    const run = spawnSync('python3', [fileURLToPath(new URL('./numbering_ref.py', import.meta.url))], { input: JSON.stringify(cases), encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(expected);
  });

  it('MOD 37,36: the published example and the reference vectors', () => {
    expect(mod3736CheckCharacter('A12425GABC1234002')).toBe('M');
    expect(mod3736Valid('A12425GABC1234002M')).toBe(true);
    for (const [body, c] of Object.entries(expected.check)) expect(mod3736CheckCharacter(body), body).toBe(c);
  });

  it('17-digit certificate numbers: year, month, registry code, 7-digit serial', () => {
    cases.national.forEach((c, i) => expect(nationalCertificateNumber(...c)).toBe(expected.national[i]));
    expect(nationalCertificateNumber(2025, 10, '1200', 7)).toHaveLength(17);
    expect(parseNationalCertificateNumber('20251012000000007')).toEqual({ year: 2025, month: 10, registryCode: '1200', serial: 7 });
    expect(certificateNumber.safeParse('20251012000000007').success).toBe(true);
    expect(certificateNumber.safeParse('20251312000000007').success).toBe(false); // month 13
    expect(certificateNumber.safeParse('DIP-2026-000001').success).toBe(true); // the legacy format stays valid
    expect(() => nationalCertificateNumber(2025, 10, '1200', 10_000_000)).toThrow(RangeError);
    expect(() => nationalCertificateNumber(2025, 10, '120', 1)).toThrow(RangeError);
  });

  it('登记号: 16 characters with the check character', () => {
    cases.registration.forEach((c, i) => {
      const r = registrationNumber(...c);
      expect(r).toBe(expected.registration[i]);
      expect(r).toHaveLength(16);
      expect(validRegistrationNumber(r)).toBe(true);
    });
  });

  it('every single-character change of a 登记号 is detected', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 2099 }),
        fc.constantFrom<DataSourceType>('own', 'licensed', 'purchased', 'public', 'other'),
        fc.constantFrom<RegistrantType>('enterprise', 'organisation', 'person'),
        fc.integer({ min: 1, max: 999_999_999 }),
        fc.nat({ max: 15 }),
        fc.integer({ min: 1, max: 35 }),
        (year, source, registrant, seq, pos, delta) => {
          const r = registrationNumber(year, source, registrant, seq);
          const changed = r.slice(0, pos) + ALPHA[(ALPHA.indexOf(r[pos]!) + delta) % 36] + r.slice(pos + 1);
          return !mod3736Valid(changed);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
