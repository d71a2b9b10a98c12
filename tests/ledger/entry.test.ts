import canonicalizeModule from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../../src/ledger/index.ts';
import { MAX_ENTRY_BYTES, decodeEntry, encodeEntry, type LogEvent } from '../../src/ledger/index.ts';
import { LedgerError } from '../../src/ledger/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';
import { loadVector } from './vectors.ts';

const { expectCode } = assertCodes(LedgerError);

const canonicalize = ((canonicalizeModule as unknown as { default?: unknown }).default ?? canonicalizeModule) as (v: unknown) => string;

interface JcsVector {
  cases: { name: string; rfcInput: string; rfcCanonical: string; kind: string; time: string; entry: string }[];
}
const jcs = loadVector<JcsVector>('jcs.json');
const base: LogEvent = { kind: 'certificate.issued', time: '2026-11-25T07:48:32.123Z' };

describe('RFC 8785 known answers', () => {
  for (const c of jcs.cases) {
    it(c.name, () => {
      const parsed = JSON.parse(c.rfcInput) as Record<string, unknown>;
      expect(canonicalize(parsed)).toBe(c.rfcCanonical);
      const bytes = encodeEntry({ ...parsed, kind: c.kind, time: c.time });
      expect(fromUtf8(bytes)).toBe(c.entry);
      expect(decodeEntry(bytes)).toEqual({ v: 1, kind: c.kind, time: c.time, ...parsed });
    });
  }
});

describe('encodeEntry', () => {
  it('puts v:1 first among sorted keys and writes no whitespace', () => {
    expect(fromUtf8(encodeEntry({ ...base, z: [1, 'a', null], b: { y: true, x: -0.5 } }))).toBe(
      '{"b":{"x":-0.5,"y":true},"kind":"certificate.issued","time":"2026-11-25T07:48:32.123Z","v":1,"z":[1,"a",null]}',
    );
  });
  it('validates kind', () => {
    for (const kind of ['certificate.issued', 'pledge.recorded', 'a.b.c', 'signing_key.added', 'x1.y2']) {
      expect(() => encodeEntry({ ...base, kind })).not.toThrow();
    }
    for (const kind of ['certificate', '', 'Certificate.issued', 'certificate.', '.issued', 'a..b', '1a.b', 'a.1b', 'a-b.c', 'a.b ', 'a.b\n', 'ä.b']) {
      expectCode(() => encodeEntry({ ...base, kind }), 'malformed_entry');
    }
    expectCode(() => encodeEntry({ ...base, kind: 5 as unknown as string }), 'malformed_entry');
  });
  it('validates time (RFC 3339 UTC with Z)', () => {
    for (const time of ['2026-11-25T07:48:32.123Z', '2026-11-25T07:48:32Z', '2024-02-29T00:00:00Z', '1999-12-31T23:59:59.999Z']) {
      expect(() => encodeEntry({ ...base, time })).not.toThrow();
    }
    const bad = [
      '2026-11-25T07:48:32.123+00:00',
      '2026-11-25T07:48:32.123z',
      '2026-11-25 07:48:32Z',
      '2026-11-25T07:48Z',
      '2026-11-25T07:48:32.12Z',
      '2026-11-25T07:48:32.123456Z',
      '2026-11-25',
      '2026-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-00-01T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-11-25T24:00:00Z',
      '2026-11-25T23:60:00Z',
      '2026-12-31T23:59:60Z',
      '+02026-11-25T07:48:32Z',
      '',
    ];
    for (const time of bad) expectCode(() => encodeEntry({ ...base, time }), 'malformed_entry');
  });
  it('rejects values JCS cannot represent faithfully', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, -Infinity, 1n, () => 1, Symbol('s'), new Date(0), new Map(), [undefined], 'lone \udc00']) {
      expectCode(() => encodeEntry({ ...base, value }), 'malformed_entry');
    }
    expectCode(() => encodeEntry({ ...base, nested: { deeper: [1, Number.NaN] } }), 'malformed_entry');
    expectCode(() => encodeEntry({ ...base, v: 2 }), 'malformed_entry');
    expect(fromUtf8(encodeEntry({ ...base, v: 1 }))).toContain('"v":1');
    expect(fromUtf8(encodeEntry({ ...base, optional: undefined }))).not.toContain('optional');
    expectCode(() => encodeEntry(null as unknown as LogEvent), 'malformed_entry');
  });
  it('limits an entry to 65,535 bytes', () => {
    const overhead = encodeEntry({ ...base, pad: '' }).length;
    const exact = encodeEntry({ ...base, pad: 'x'.repeat(MAX_ENTRY_BYTES - overhead) });
    expect(exact.length).toBe(65535);
    expect(decodeEntry(exact).pad).toHaveLength(MAX_ENTRY_BYTES - overhead);
    expectCode(() => encodeEntry({ ...base, pad: 'x'.repeat(MAX_ENTRY_BYTES - overhead + 1) }), 'entry_too_large');
    expectCode(() => decodeEntry(new Uint8Array(65536)), 'entry_too_large');
  });
});

describe('decodeEntry', () => {
  it('round-trips random events', () => {
    const json = fc.jsonValue({ maxDepth: 3 }).filter((x) => !JSON.stringify(x).includes('"__proto__"'));
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => k !== 'v' && k !== 'kind' && k !== 'time' && k !== '__proto__'), json, { maxKeys: 5 }), (fields) => {
        const event = { ...fields, ...base };
        const bytes = encodeEntry(event);
        const decoded = decodeEntry(bytes);
        expect(encodeEntry(decoded)).toEqual(bytes);
      }),
      { numRuns: 100 },
    );
  });
  it('accepts only exactly canonical bytes', () => {
    const ok = '{"kind":"a.b","time":"2026-01-01T00:00:00Z","v":1}';
    expect(decodeEntry(utf8(ok))).toEqual({ kind: 'a.b', time: '2026-01-01T00:00:00Z', v: 1 });
    const bad = [
      '{"kind":"a.b", "time":"2026-01-01T00:00:00Z","v":1}', // whitespace
      '{"time":"2026-01-01T00:00:00Z","kind":"a.b","v":1}', // key order
      '{"kind":"a.b","time":"2026-01-01T00:00:00Z","v":1.0}', // number form
      '{"kind":"a.b","time":"2026-01-01T00:00:00Z","v":1,"x":"\\u0061"}', // needless escape
      '{"kind":"a.b","kind":"a.b","time":"2026-01-01T00:00:00Z","v":1}', // duplicate key
      `${ok}\n`,
      '\ufeff' + ok,
      '{"kind":"a.b","time":"2026-01-01T00:00:00Z"}', // no v
      '{"kind":"a.b","time":"2026-01-01T00:00:00Z","v":2}',
      '{"kind":"a","time":"2026-01-01T00:00:00Z","v":1}', // bad kind
      '{"kind":"a.b","time":"2026-01-01T00:00:00+01:00","v":1}', // bad time
      '[1]',
      'null',
      '"x"',
      '',
      '{',
    ];
    for (const text of bad) expectCode(() => decodeEntry(utf8(text)), 'malformed_entry');
    expectCode(() => decodeEntry(Uint8Array.of(0x7b, 0xff, 0x7d)), 'malformed_entry');
  });
});
