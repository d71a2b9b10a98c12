/**
 * The project's JCS serializer (src/ledger/json.ts) against the `canonicalize` package
 * (the RFC 8785 authors' reference implementation, an independent computation): the
 * same text for any plain JSON value, and a refusal (LedgerError `malformed_entry`)
 * for what has no canonical form. RFC 8785 known answers: tests/certificates/jcs.test.ts.
 */
import canonicalizeModule from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, isCanonicalJsonBytes, isCanonicalJsonText, LedgerError } from '../../src/ledger/index.ts';

const canonicalize = ((canonicalizeModule as unknown as { default?: unknown }).default ?? canonicalizeModule) as (v: unknown) => string;

/** JSON values with any well-formed strings (keys too: astral, BMP, escapes), any finite numbers (−0 included). */
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.array(tie('value')),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('value')),
  ),
})).value;

const expectRefused = (v: unknown) => expect(() => canonicalJson(v)).toThrowError(expect.objectContaining({ code: 'malformed_entry' }));

describe('canonicalJson', () => {
  it('gives the text the canonicalize package gives, for any JSON value', () => {
    fc.assert(
      fc.property(jsonValue, (v) => {
        expect(canonicalJson(v)).toBe(canonicalize(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('drops undefined members, as canonicalize does', () => {
    const v = { b: undefined, a: [1, { d: undefined, c: 'x' }] };
    expect(canonicalJson(v)).toBe(canonicalize(v));
    expect(canonicalJson(v)).toBe('{"a":[1,{"c":"x"}]}');
  });

  it('accepts objects without a prototype and nesting 64 levels deep', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { z: 1, a: 2 });
    expect(canonicalJson(bare)).toBe('{"a":2,"z":1}');
    let deep: unknown = 1;
    for (let i = 0; i < 64; i++) deep = [deep];
    expect(canonicalJson(deep)).toBe(`${'['.repeat(64)}1${']'.repeat(64)}`);
    expectRefused([deep]);
  });

  it('refuses what has no canonical form', () => {
    for (const v of [undefined, NaN, Infinity, -Infinity, 1n, () => 1, Symbol('s'), new Date(0), new Map(), [undefined], [1, , 2], { a: NaN }, { a: () => 1 }, { toJSON: () => 1 }, '\ud800', { '\udc00': 1 }, { a: '\ud83d' }, { a: new Uint8Array(1) }])
      expectRefused(v);
    expect(() => canonicalJson('\ud800')).toThrow(LedgerError);
  });
});

describe('the quick canonical tests before the JCS writer (isCanonicalJsonBytes, isCanonicalJsonText)', () => {
  const enc = (t: string) => new TextEncoder().encode(t);
  /** The definition, by the canonicalize package: the text is its value's canonical JSON. */
  const isCanonical = (text: string): boolean => canonicalize(JSON.parse(text)) === text;
  /** Texts near a value's canonical one that still parse: unsorted, spaced, reversed, a key repeated, a number reformatted, a solidus escaped. */
  const near = (v: unknown, variant: number): string[] => {
    const c = canonicalize(v);
    const out = [c, JSON.stringify(v), JSON.stringify(v, null, variant)];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out.push(JSON.stringify(v, Object.keys(v).reverse()));
      const k = Object.keys(v)[0];
      if (k !== undefined) out.push(`{${JSON.stringify(k)}:0,${c.slice(1)}`);
    }
    out.push(c.replace(/(\d)([,}\]])/, '$1.0$2'), c.replace(/(\d)([,}\]])/, '$1e0$2'), c.replace('/', '\\/'), c.replace(/:0([,}])/, ':-0$1'), c.replace(/:([1-9])/, ':0$1'));
    return out.filter((t) => {
      try {
        JSON.parse(t);
        return true;
      } catch {
        return false;
      }
    });
  };

  it('neither is ever true where the text is not canonical (any JSON value, texts near its canonical one)', () => {
    fc.assert(
      fc.property(jsonValue, fc.integer({ min: 0, max: 3 }), (v, variant) => {
        for (const t of near(v, variant)) {
          if (isCanonicalJsonBytes(enc(t))) expect(isCanonical(t)).toBe(true);
          if (isCanonicalJsonText(t, JSON.parse(t))) expect(isCanonical(t)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  /** Values of the shape log entries have: ASCII keys, small integers, strings with any text. */
  const entryLike = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -(10 ** 15) + 1, max: 10 ** 15 - 1 }),
      fc.string({ unit: 'grapheme' }),
      fc.array(tie('value')),
      fc.dictionary(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789_.-') }), tie('value')),
    ),
  })).value;

  it('the byte scan settles the canonical text of entry-shaped values (ASCII keys, integers, strings without \\u escapes)', () => {
    fc.assert(
      fc.property(entryLike, (v) => {
        const t = canonicalize(v);
        if (!t.includes('\\u')) expect(isCanonicalJsonBytes(enc(t))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  // [name, text, settled by the byte scan, settled by the stringify test]; every text parses
  const cases: [string, string, boolean, boolean][] = [
    ['an entry', '{"kind":"certificate.issued","n":[1,-2,0,true,false,null,{}],"s":"a\\"b\\\\c\\nd\\te","time":"2026-01-01T00:00:00.000Z","v":1}', true, true],
    ['a fraction, nested', '{"a":1,"b":[true,null,"x"],"c":{"d":-1.5}}', false, true],
    ['non-ASCII in a value', '{"a":"数据 ü"}', true, true],
    ['U+2028 raw, as JCS writes it', '{"a":"\u2028"}', true, true],
    ['keys out of order', '{"b":1,"a":2}', false, false],
    ['a key twice', '{"a":1,"a":1}', false, false],
    ['a shorter key after its prefix', '{"ab":1,"a":2}', false, false],
    ['whitespace inside', '{"a": 1}', false, false],
    ['whitespace after', '{"a":1} ', false, false],
    ['an escaped solidus', '{"a":"\\/"}', false, false],
    ['a \\u escape of a plain letter', '{"a":"\\u0041"}', false, false],
    ['a \\u escape', '{"a":"\\u00e9"}', false, false],
    ['a number not in shortest form', '{"a":1.0}', false, false],
    ['an exponent', '{"a":1E2}', false, false],
    ['minus zero', '{"a":-0}', false, false],
    ['16 digits', '{"a":1234567890123456}', false, true],
    ['a non-ASCII key', '{"é":1}', false, true],
    ['integer-like keys in code-unit order (V8 reorders them)', '{"10":1,"9":2}', true, false],
    ['65 levels', `${'['.repeat(65)}${']'.repeat(65)}`, false, true],
    ['64 levels', `${'['.repeat(64)}${']'.repeat(64)}`, true, true],
  ];
  for (const [name, text, scan, quick] of cases) {
    it(`${name}: byte scan ${scan ? 'settles it' : 'leaves it'}, stringify test ${quick ? 'settles it' : 'leaves it'}`, () => {
      expect(isCanonicalJsonBytes(enc(text))).toBe(scan);
      expect(isCanonicalJsonText(text, JSON.parse(text))).toBe(quick);
      expect(isCanonicalJsonText(text, JSON.parse(text), enc(text))).toBe(scan || quick);
      if (scan || quick) expect(isCanonical(text)).toBe(true);
    });
  }
  it('of the cases neither settles, the JCS writer finds none canonical', () => {
    expect(cases.filter(([, t, scan, quick]) => !scan && !quick && isCanonical(t)).map(([n]) => n)).toEqual([]);
  });
});
