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

describe('isCanonicalJsonText (the quick test before the JCS writer)', () => {
  /** The definition, by the canonicalize package: the text is its value's canonical JSON. */
  const isCanonical = (text: string): boolean => canonicalize(JSON.parse(text)) === text;

  it('is never true where the text is not canonical, and true for canonical texts it can settle', () => {
    fc.assert(
      fc.property(jsonValue, fc.integer({ min: 0, max: 3 }), (v, variant) => {
        // the canonical text, and texts near it: JSON.stringify (insertion order, no sorting), spaced, reversed members
        const canonical = canonicalize(v);
        const texts = [canonical, JSON.stringify(v), JSON.stringify(v, null, variant), JSON.stringify(v, variant === 1 ? Object.keys(v ?? {}).reverse() : null)];
        for (const t of texts) {
          if (t === undefined) continue;
          if (isCanonicalJsonText(t, JSON.parse(t))) expect(isCanonical(t)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  const cases: [string, string, boolean][] = [
    ['canonical', '{"a":1,"b":[true,null,"x"],"c":{"d":-1.5}}', true],
    ['members out of order', '{"b":1,"a":2}', false],
    ['a duplicate member', '{"a":1,"a":1}', false],
    ['whitespace', '{"a": 1}', false],
    ['an escaped solidus', '{"a":"\\/"}', false],
    ['a \\u escape of a plain letter', '{"a":"\\u0041"}', false],
    ['a number not in shortest form', '{"a":1.0}', false],
    ['an exponent', '{"a":1e2}', false],
    ['minus zero', '{"a":-0}', false],
    ['integer-like keys in code-unit order (V8 reorders them)', '{"10":1,"9":2}', false],
    ['a newline escaped as JCS does', '{"a":"x\\ny"}', true],
    ['U+2028 raw, as JCS writes it', '{"a":"\u2028"}', true],
  ];
  for (const [name, text, quick] of cases) {
    it(`${name}: ${quick ? 'settled as canonical' : 'not settled (the JCS writer decides)'}`, () => {
      expect(isCanonicalJsonText(text, JSON.parse(text))).toBe(quick);
      if (quick) expect(isCanonical(text)).toBe(true);
    });
  }
  it('the cases it leaves to the JCS writer are decided there: only the integer-like keys are canonical', () => {
    expect(cases.filter(([, t, quick]) => !quick && isCanonical(t)).map(([n]) => n)).toEqual(['integer-like keys in code-unit order (V8 reorders them)']);
  });
});

describe('isCanonicalJsonBytes (the byte scan before both)', () => {
  const enc = (t: string) => new TextEncoder().encode(t);
  const isCanonical = (text: string): boolean => canonicalize(JSON.parse(text)) === text;
  /** Texts near a canonical one: unsorted, spaced, reversed, a key repeated, a number reformatted, a solidus escaped. */
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

  it('is never true where the text is not canonical (any JSON value, texts near its canonical one)', () => {
    fc.assert(
      fc.property(jsonValue, fc.integer({ min: 0, max: 3 }), (v, variant) => {
        for (const t of near(v, variant)) if (isCanonicalJsonBytes(enc(t))) expect(isCanonical(t)).toBe(true);
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

  it('settles the canonical text of entry-shaped values (ASCII keys, integers, strings without \\u escapes)', () => {
    fc.assert(
      fc.property(entryLike, (v) => {
        const t = canonicalize(v);
        if (!t.includes('\\u')) expect(isCanonicalJsonBytes(enc(t))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  const cases: [string, string, boolean][] = [
    ['an entry', '{"kind":"certificate.issued","n":[1,-2,0,true,false,null,{}],"s":"a\\"b\\\\c\\nd\\te","time":"2026-01-01T00:00:00.000Z","v":1}', true],
    ['non-ASCII in a value', '{"a":"数据 ü"}', true],
    ['keys out of order', '{"b":1,"a":2}', false],
    ['a key twice', '{"a":1,"a":1}', false],
    ['a shorter key after its prefix', '{"ab":1,"a":2}', false],
    ['whitespace', '{"a":1} ', false],
    ['an escaped solidus', '{"a":"\\/"}', false],
    ['a \\u escape', '{"a":"\\u00e9"}', false],
    ['a fraction', '{"a":1.5}', false],
    ['an exponent', '{"a":1E2}', false],
    ['minus zero', '{"a":-0}', false],
    ['a leading zero', '{"a":01}', false],
    ['16 digits', '{"a":1234567890123456}', false],
    ['a non-ASCII key', '{"é":1}', false],
    ['integer-like keys in code-unit order', '{"10":1,"9":2}', true],
    ['65 levels', `${'['.repeat(65)}${']'.repeat(65)}`, false],
    ['64 levels', `${'['.repeat(64)}${']'.repeat(64)}`, true],
  ];
  for (const [name, text, scan] of cases) {
    it(`${name}: ${scan ? 'settled as canonical' : 'left to the other tests'}`, () => {
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      if (parses) expect(isCanonicalJsonBytes(enc(text))).toBe(scan);
      if (scan) expect(isCanonical(text)).toBe(true);
    });
  }
});
