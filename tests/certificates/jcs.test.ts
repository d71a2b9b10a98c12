/** RFC 8785 (JCS) known answers for the canonical JSON of payloads (canonicalJson). */
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/certificates/index.ts';
import { CertificateError } from '../../src/certificates/index.ts';
import { loadVector } from '../ledger/vectors.ts';

interface JcsVectors {
  cases: { name: string; source: string; rfcInput: string; rfcCanonical: string }[];
}
interface NumberVectors {
  source: string;
  cases: [string, string | null][];
}

function fromIeeeHex(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('RFC 8785 canonical JSON', () => {
  for (const c of loadVector<JcsVectors>('jcs.json').cases) {
    it(`${c.name} (${c.source})`, () => {
      expect(canonicalJson(JSON.parse(c.rfcInput))).toBe(c.rfcCanonical);
    });
  }

  const numbers = loadVector<NumberVectors>('jcs-numbers.json');
  for (const [bits, want] of numbers.cases) {
    it(`number ${bits} → ${want ?? 'rejected'} (${numbers.source})`, () => {
      const value = fromIeeeHex(bits);
      if (want === null) {
        expect(() => canonicalJson({ n: value })).toThrow(CertificateError);
      } else {
        expect(canonicalJson(value)).toBe(want);
        expect(canonicalJson({ n: value })).toBe(`{"n":${want}}`);
      }
    });
  }

  it('sorts members by UTF-16 code units at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, A: null })).toBe('{"A":null,"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  });
});
