import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, concatBytes, fromBase64, fromHex, fromUtf8, isHex64, toBase64, toHex, utf8 } from '../../src/ledger/index.ts';

describe('hex', () => {
  it('encodes lowercase and decodes either case', () => {
    expect(toHex(Uint8Array.of(0, 1, 0xab, 0xff))).toBe('0001abff');
    expect(fromHex('0001ABff')).toEqual(Uint8Array.of(0, 1, 0xab, 0xff));
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });
  it('rejects odd lengths and non-hex characters', () => {
    for (const bad of ['0', 'abc', 'zz', '0g', ' 00', '00 ', '+1', '０００']) expect(() => fromHex(bad)).toThrow(TypeError);
  });
  it('round-trips and agrees with Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        expect(toHex(b)).toBe(Buffer.from(b).toString('hex'));
        expect(fromHex(toHex(b))).toEqual(b);
      }),
    );
  });
});

describe('isHex64', () => {
  /** The definition: 64 lowercase hex digits, as a regular expression. */
  const definition = (v: unknown) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
  it('accepts node:crypto SHA-256 hex digests and nothing else the definition refuses', () => {
    expect(isHex64(createHash('sha256').update('abc').digest('hex'))).toBe(true);
    const d = createHash('sha256').update('x').digest('hex');
    for (const bad of [d.toUpperCase(), d.slice(1), `${d}0`, `${d.slice(0, 63)}g`, `${d.slice(0, 63)}/`, `${d.slice(0, 63)}:`, `${d.slice(0, 63)}\``, ` ${d.slice(1)}`, '', 64, null, undefined])
      expect([isHex64(bad), definition(bad)]).toEqual([false, false]);
    fc.assert(
      fc.property(fc.oneof(fc.string({ minLength: 62, maxLength: 66 }), fc.stringMatching(/^[0-9a-fA-F]{64}$/)), (v) => {
        expect(isHex64(v)).toBe(definition(v));
      }),
    );
  });
});

describe('base64', () => {
  it('matches RFC 4648 §10 test vectors', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, enc] of cases) {
      expect(toBase64(utf8(plain))).toBe(enc);
      expect(fromUtf8(fromBase64(enc))).toBe(plain);
    }
  });
  it('round-trips and agrees with Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const enc = toBase64(b);
        expect(enc).toBe(Buffer.from(b).toString('base64'));
        expect(fromBase64(enc)).toEqual(b);
      }),
    );
  });
  it('is strict: padding, alphabet, whitespace and non-canonical trailing bits', () => {
    for (const bad of ['Zg', 'Zg=', 'Zg===', 'Z===', '====', 'Zm9v\n', ' Zm9v', 'Zm-v', 'Zm_v', 'Zm9v====', 'Zg==Zg==', 'Zh==', 'Zm9=', 'Zé==', '=Zm9']) {
      expect(() => fromBase64(bad), bad).toThrow(TypeError);
    }
  });
  it('does not depend on Buffer', () => {
    const b = randomBytes(33);
    expect(fromBase64(toBase64(b))).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(fromBase64(toBase64(b)))).toBe(false);
  });
});

describe('utf8', () => {
  it('round-trips text and rejects malformed UTF-8', () => {
    expect(fromUtf8(utf8('数据知识产权 — ok'))).toBe('数据知识产权 — ok');
    expect(() => fromUtf8(Uint8Array.of(0xff))).toThrow(TypeError);
    expect(() => fromUtf8(Uint8Array.of(0xe6, 0x95))).toThrow(TypeError);
    expect(() => fromUtf8(Uint8Array.of(0xc0, 0x80))).toThrow(TypeError); // overlong NUL
  });
  it('keeps a leading byte-order mark', () => {
    expect(fromUtf8(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41))).toBe('\ufeffA');
  });
});

describe('concatBytes / bytesEqual', () => {
  it('concatenates', () => {
    expect(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(Uint8Array.of(1, 2, 3));
    expect(concatBytes()).toEqual(new Uint8Array(0));
  });
  it('compares', () => {
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
    expect(bytesEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (b, pos, bit) => {
        const c = b.slice();
        c[pos % c.length]! ^= 1 << bit;
        expect(bytesEqual(b, b.slice())).toBe(true);
        expect(bytesEqual(b, c)).toBe(false);
      }),
    );
  });
});
