/**
 * The replay's quick canonical-form check and the status records' JCS writer give exactly
 * the answers of the general code they stand in for: an entry is accepted when its bytes
 * are `encodeEntry` of its JSON (src/ledger, RFC 8785), and named malformed with the same
 * message otherwise — for crafted edge cases (member order, escapes, lone surrogates,
 * number forms, integer-like keys, a byte-order mark, deep nesting, oversize) and for
 * random JSON (fast-check); a record's text is `canonicalJson` of it, or both throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, canonicalJson, encodeEntry, isUtcTimestamp, toHex, type LogEvent } from '../../src/ledger/index.ts';
import { applyEntry, emptyState, recordBytes, recordJson, type CertificateRecord, type CertificateStatusRecord, type EarliestDepositRecord, type PledgeRecord } from '../../src/state/index.ts';
import { certificateStatusBytes, certificateStatusRecord } from '../../src/state/records.ts';

const T = '2026-01-15T09:00:00.000Z';
const KIND = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** What the replay must say of an entry's form: the check as written before the quick path (decode, envelope, re-encode, compare). */
function reference(data: Uint8Array): string | null {
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data)) as Record<string, unknown>;
  } catch {
    return 'the entry is not UTF-8 JSON';
  }
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return 'the entry is not a JSON object';
  if (e.v !== 1) return 'the entry has no v: 1';
  if (typeof e.kind !== 'string' || !KIND.test(e.kind)) return 'the entry has no valid kind';
  if (typeof e.time !== 'string' || !isUtcTimestamp(e.time)) return 'the entry has no valid time';
  let again: Uint8Array;
  try {
    again = encodeEntry(e as LogEvent);
  } catch {
    return 'the entry is not plain JSON';
  }
  return bytesEqual(again, data) ? null : 'the entry is not in canonical form';
}

/** The replay's verdict: its malformed_entry message, or null (a kind it ignores otherwise). */
function verdict(data: Uint8Array): string | null {
  const s = emptyState();
  const found = applyEntry(s, { index: 0, data });
  const m = found.find((a) => a.code === 'malformed_entry');
  return m ? m.message : null;
}

const utf8 = (t: string) => new TextEncoder().encode(t);

describe('the replay’s canonical-form check', () => {
  const cases: [string, Uint8Array][] = [
    ['canonical', utf8(`{"kind":"test.x","time":"${T}","v":1}`)],
    ['members out of order', utf8(`{"time":"${T}","kind":"test.x","v":1}`)],
    ['whitespace', utf8(`{"kind":"test.x", "time":"${T}","v":1}`)],
    ['an escaped letter', utf8(`{"a":"\\u0041","kind":"test.x","time":"${T}","v":1}`)],
    ['a control character escaped as JCS does', utf8(`{"a":"\\u001f","kind":"test.x","time":"${T}","v":1}`)],
    ['a control character escaped otherwise', utf8(`{"a":"\\u001F","kind":"test.x","time":"${T}","v":1}`)],
    ['a newline escape', utf8(`{"a":"x\\ny","kind":"test.x","time":"${T}","v":1}`)],
    ['a lone surrogate', utf8(`{"a":"\\ud800","kind":"test.x","time":"${T}","v":1}`)],
    ['a surrogate pair escaped', utf8(`{"a":"\\ud83d\\ude00","kind":"test.x","time":"${T}","v":1}`)],
    ['an emoji and CJK as UTF-8', utf8(`{"a":"😀 数据","kind":"test.x","time":"${T}","v":1}`)],
    ['1.0', utf8(`{"a":1.0,"kind":"test.x","time":"${T}","v":1}`)],
    ['1e2', utf8(`{"a":1e2,"kind":"test.x","time":"${T}","v":1}`)],
    ['-0', utf8(`{"a":-0,"kind":"test.x","time":"${T}","v":1}`)],
    ['1e400', utf8(`{"a":1e400,"kind":"test.x","time":"${T}","v":1}`)],
    ['a shortest float', utf8(`{"a":0.1,"kind":"test.x","time":"${T}","v":1}`)],
    ['integer-like members in JCS order', utf8(`{"10":1,"9":2,"kind":"test.x","time":"${T}","v":1}`)],
    ['integer-like members in numeric order', utf8(`{"9":2,"10":1,"kind":"test.x","time":"${T}","v":1}`)],
    ['a duplicate member', utf8(`{"a":1,"a":1,"kind":"test.x","time":"${T}","v":1}`)],
    ['__proto__ as a member', utf8(`{"__proto__":{"b":1},"kind":"test.x","time":"${T}","v":1}`)],
    ['nested objects in order', utf8(`{"a":{"b":[{"c":1,"d":null}],"e":true},"kind":"test.x","time":"${T}","v":1}`)],
    ['nested objects out of order', utf8(`{"a":{"b":[{"d":null,"c":1}],"e":true},"kind":"test.x","time":"${T}","v":1}`)],
    ['upper-case members sort first', utf8(`{"Z":1,"a":2,"kind":"test.x","time":"${T}","v":1}`)],
    ['a byte-order mark', new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(`{"kind":"test.x","time":"${T}","v":1}`)])],
    ['64 levels of nesting', utf8(`{"a":${'['.repeat(63)}1${']'.repeat(63)},"kind":"test.x","time":"${T}","v":1}`)],
    ['65 levels of nesting', utf8(`{"a":${'['.repeat(64)}1${']'.repeat(64)},"kind":"test.x","time":"${T}","v":1}`)],
    ['over 65,535 bytes', utf8(`{"a":"${'x'.repeat(65_600)}","kind":"test.x","time":"${T}","v":1}`)],
    ['not UTF-8', new Uint8Array([0x7b, 0xff, 0x7d])],
    ['no v', utf8(`{"kind":"test.x","time":"${T}"}`)],
  ];
  for (const [name, data] of cases) {
    it(name, () => {
      expect(verdict(data)).toBe(reference(data));
    });
  }

  it('a few reference answers, by hand', () => {
    expect(reference(cases[0]![1])).toBeNull();
    expect(reference(cases[4]![1])).toBeNull();
    expect(reference(cases[15]![1])).toBeNull();
    expect(reference(cases[1]![1])).toBe('the entry is not in canonical form');
    expect(reference(cases[7]![1])).toBe('the entry is not plain JSON');
    expect(reference(cases[24]![1])).toBe('the entry is not plain JSON');
  });

  it('random JSON members, written canonically or not: the same verdict', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 }), fc.boolean(), (members, canonical) => {
        const event = { ...members, kind: 'test.x', time: T, v: 1 };
        let text: string;
        try {
          text = canonical ? canonicalJson(event) : JSON.stringify(event);
        } catch {
          return;
        }
        const data = utf8(text);
        expect(verdict(data)).toBe(reference(data));
      }),
      { numRuns: 500 },
    );
  });
});

describe('the status records’ canonical JSON', () => {
  const text = fc.oneof(fc.string({ maxLength: 8 }), fc.stringMatching(/^[ -~]{0,12}$/), fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom('\ud800', 'a\udfff', '"\\', '\u0000\u001f', '数据'));
  const pledge = fc.record({ pledgeNumber: text, pledgee: text, termStart: text, termEnd: text });
  const certificate = fc.record({
    number: text,
    status: text,
    version: fc.oneof(fc.integer(), fc.double()),
    holderUscc: text,
    validUntil: text,
    supersededBy: fc.option(text),
    pledges: fc.array(pledge, { maxLength: 3 }),
    licences: fc.nat(),
    policies: fc.nat(),
    lastEvent: fc.nat(),
  });
  const deposit = fc.record({ digest: text, depositId: text, depositor: text, index: fc.nat(), time: text });
  const same = (r: unknown) => {
    let want: string | Error;
    try {
      want = canonicalJson(r);
    } catch (e) {
      want = e as Error;
    }
    if (want instanceof Error) {
      expect(() => recordJson(r as CertificateStatusRecord)).toThrow();
      expect(() => recordBytes(r as CertificateStatusRecord)).toThrow();
    } else {
      expect(recordJson(r as CertificateStatusRecord | EarliestDepositRecord)).toBe(want);
      // the bytes a state commitment hashes: the UTF-8 of that text
      expect(toHex(recordBytes(r as CertificateStatusRecord | EarliestDepositRecord))).toBe(toHex(utf8(want)));
    }
  };
  it('equals canonicalJson (or throws as it does) for status and earliest-deposit records', () => {
    fc.assert(fc.property(certificate, same), { numRuns: 2000 });
    fc.assert(fc.property(deposit, same), { numRuns: 1000 });
  });
  it('another shape goes through canonicalJson', () => {
    same({ number: 'DIP-2026-000001', extra: 1 });
    same({ digest: 'a', depositId: 'b', depositor: 'c', index: 1 });
  });
  it('written straight from a certificate record: the bytes of canonicalJson of its status record (or throws as it does)', () => {
    const state = fc.record({ c: certificate, missing: fc.boolean() });
    fc.assert(
      fc.property(state, ({ c: r, missing }) => {
        const s = emptyState();
        r.pledges.forEach((p, i) => {
          if (!(missing && i === 0)) s.pledges.set(p.pledgeNumber, { pledgee: p.pledgee, termStart: p.termStart, termEnd: p.termEnd } as PledgeRecord);
        });
        const c = {
          number: r.number,
          status: r.status,
          version: r.version,
          holderUscc: r.holderUscc,
          validUntil: r.validUntil,
          supersededBy: r.supersededBy,
          pledges: r.pledges.map((p) => p.pledgeNumber),
          licences: Array.from({ length: r.licences % 5 }, () => 'l'),
          policies: Array.from({ length: r.policies % 5 }, () => 'p'),
          lastEvent: r.lastEvent,
        } as unknown as CertificateRecord;
        s.certificates.set(r.number, c);
        let want: string | Error;
        try {
          want = canonicalJson(certificateStatusRecord(s, r.number));
        } catch (e) {
          want = e as Error;
        }
        if (want instanceof Error) expect(() => certificateStatusBytes(s, c)).toThrow();
        else expect(toHex(certificateStatusBytes(s, c))).toBe(toHex(utf8(want)));
      }),
      { numRuns: 2000 },
    );
  });
});
