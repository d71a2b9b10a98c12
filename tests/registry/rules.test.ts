/**
 * One set of rules, from the form to the certificate payload: whatever the
 * application form accepts as a name, the payload accepts (property test over
 * arbitrary strings, with tabs, NULs, lone surrogates and decomposed accents mixed
 * in); the named bad names are refused at the form with a field error; terms of
 * pledges, licences and policies accept only real calendar dates in range.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { certificateFieldsSchema } from '../../src/certificates/index.ts';
import { CompleteSchema, DraftSchema, LicenceSchema, PledgeSchema, PolicySchema } from '../../src/registry/index.ts';
import { textProblem } from '../../src/text.ts';
import { sampleFields } from '../certificates/fixtures.ts';
import { completeForm } from '../helpers/registry.ts';

const USCC = '91350100M000100Y43';

/** Strings that exercise the rules: arbitrary code points with the awkward ones mixed in. */
const SPECIAL = ['\t', '\n', '\r', '\u0000', '\u0085', '\u007f', '\ud800', '\udfff', 'e\u0301', '\u0301', ' ', '\u3000', '\u00a0', '\u2028', '\u202e', '\ufeff', '😀', '福'];
const awkward = fc
  .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom(...SPECIAL), fc.string({ unit: 'grapheme-ascii', maxLength: 8 })), { maxLength: 12 })
  .map((parts) => parts.join(''));
const longish = fc.tuple(fc.constantFrom('x', '福', '😀', 'é'), fc.integer({ min: 190, max: 210 })).map(([c, n]) => c.repeat(n));

function payloadAccepts(datasetName: string, holderName: string): boolean {
  const f = sampleFields();
  return certificateFieldsSchema.safeParse({ ...f, holder: { ...f.holder, name: holderName }, dataset: { ...f.dataset, name: datasetName } }).success;
}

describe('the form and the certificate payload share their text rules', () => {
  it('whatever the complete form accepts as names, the payload accepts', () => {
    fc.assert(
      fc.property(fc.oneof(awkward, longish), fc.oneof(awkward, longish), (datasetName, holderName) => {
        const r = CompleteSchema.safeParse(completeForm(USCC, { datasetName, holder: { name: holderName, uscc: USCC } }));
        if (r.success) expect(payloadAccepts(r.data.datasetName, r.data.holder.name), JSON.stringify([datasetName, holderName])).toBe(true);
      }),
      { numRuns: 3000, seed: 20260115 },
    );
  });

  it('whatever a draft accepts as a dataset name, the payload accepts', () => {
    fc.assert(
      fc.property(fc.oneof(awkward, longish), (datasetName) => {
        const r = DraftSchema.safeParse({ datasetName });
        if (r.success) expect(payloadAccepts(r.data.datasetName!, '福建数据科技有限公司'), JSON.stringify(datasetName)).toBe(true);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('whatever the payload accepts, the form accepts unchanged (the same rules, not stricter ones)', () => {
    fc.assert(
      fc.property(fc.oneof(awkward, longish), (name) => {
        if (!payloadAccepts(name, name)) return;
        const r = DraftSchema.safeParse({ datasetName: name, holder: { name } });
        expect(r.success, JSON.stringify(name)).toBe(true);
        expect(r.data?.datasetName).toBe(name);
      }),
      { numRuns: 3000, seed: 11 },
    );
  });

  it.each([
    ['a tab', 'Ordos\tdrilling records'],
    ['text not in NFC', 'Caf\u0065\u0301 records'],
    ['a NUL', 'Ordos\u0000records'],
    ['a lone high surrogate', 'Ordos \ud800 records'],
    ['a lone low surrogate', '\udc00Ordos'],
    ['a line break', 'Ordos\nrecords'],
    ['a right-to-left override', 'Ordos \u202erecords'],
    ['only spaces', '   '],
    ['201 characters', 'x'.repeat(201)],
  ])('refuses a dataset name with %s, naming the field', (_what, datasetName) => {
    for (const schema of [DraftSchema, CompleteSchema]) {
      const r = schema.safeParse(completeForm(USCC, { datasetName }));
      expect(r.success).toBe(false);
      expect(r.error!.issues.map((i) => i.path.join('.'))).toContain('datasetName');
    }
    expect(payloadAccepts(datasetName, '福建数据科技有限公司')).toBe(false);
  });

  it('accepts real names in any script, trimming surrounding spaces at the form', () => {
    for (const name of ['鄂尔多斯盆地钻井记录 Ordos drilling records', 'Café données 2025', 'داده‌های ترافیک', '😀'.repeat(150), '福'.repeat(200)]) {
      const r = DraftSchema.safeParse({ datasetName: `  ${name} ` });
      expect(r.success, name).toBe(true);
      expect(r.data!.datasetName).toBe(name);
      expect(payloadAccepts(name, name), name).toBe(true);
    }
  });
});

describe('textProblem', () => {
  const NAME = { minChars: 1, maxChars: 5, maxBytes: 12 };
  it.each<[string, string | undefined]>([
    ['abc', undefined],
    ['福福福福', undefined], // 4 characters, 12 bytes
    ['福福福福福', 'must have at most 12 UTF-8 bytes'], // 5 characters, 15 bytes
    ['abcdef', 'must have at most 5 characters'],
    ['😀😀😀', undefined], // 3 characters (6 UTF-16 units), 12 bytes
    ['', 'must have at least 1 character'],
    ['a\u0000', 'must not contain NUL'],
    ['a\ud800', 'must not contain an unpaired surrogate'],
    ['a\tb', 'must not contain control characters'],
    ['a\u0085', 'must not contain control characters'],
    [' a', 'must not begin or end with white space'],
    ['e\u0301', 'must be in Unicode NFC'],
  ])('%j → %s', (text, problem) => {
    expect(textProblem(text, NAME)).toBe(problem);
  });

  it('multi-line text allows line feeds and nothing else of the controls', () => {
    const TEXT = { minChars: 1, maxChars: 100, multiline: true };
    expect(textProblem('line one\nline two', TEXT)).toBeUndefined();
    expect(textProblem('line one\r\nline two', TEXT)).toBe('must not contain control characters');
    expect(textProblem('a\tb', TEXT)).toBe('must not contain control characters');
    expect(textProblem('a\u2028b', TEXT)).toBe('must not contain control characters');
  });
});

describe('terms accept real calendar dates in range', () => {
  const money = { value: '100.00', currency: 'CNY' };
  const commands = [
    ['pledge', PledgeSchema, (term: unknown) => ({ loanReference: 'L-1', amount: money, term })],
    ['licence', LicenceSchema, (term: unknown) => ({ licensee: 'Acme', scope: 'training', term, exclusive: false })],
    ['policy', PolicySchema, (term: unknown) => ({ policyNumber: 'P-1', insuredAmount: money, term, coverageType: 'loss' })],
  ] as const;

  it.each(commands)('%s: impossible or out-of-range dates are refused with the term path', (_kind, schema, body) => {
    for (const [term, path] of [
      [{ start: '0000-00-00', end: '2027-01-01' }, 'term.start'],
      [{ start: '2026-01-01', end: '9999-99-99' }, 'term.end'],
      [{ start: '2025-02-30', end: '2027-01-01' }, 'term.start'],
      [{ start: '2026-02-29', end: '2027-01-01' }, 'term.start'], // 2026 is no leap year
      [{ start: '2026-13-01', end: '2027-01-01' }, 'term.start'],
      [{ start: '1999-12-31', end: '2027-01-01' }, 'term.start'],
      [{ start: '2026-01-01', end: '2201-01-01' }, 'term.end'],
      [{ start: '2026-1-01', end: '2027-01-01' }, 'term.start'],
      [{ start: '2027-01-01', end: '2026-01-01' }, 'term.end'],
      [{ start: '2026-01-01', end: '2026-01-01' }, 'term.end'],
      [{ start: '2026-01-01\u0000', end: '2027-01-01' }, 'term.start'],
    ] as const) {
      const r = (schema as typeof PledgeSchema).safeParse(body(term));
      expect(r.success, JSON.stringify(term)).toBe(false);
      expect(r.error!.issues.map((i) => i.path.join('.')), JSON.stringify(term)).toContain(path);
    }
  });

  it.each(commands)('%s: real dates are accepted', (_kind, schema, body) => {
    for (const term of [
      { start: '2024-02-29', end: '2028-02-29' },
      { start: '2000-01-01', end: '2200-12-31' },
      { start: '2026-01-31', end: '2026-02-01' },
    ])
      expect((schema as typeof PledgeSchema).safeParse(body(term)).success, JSON.stringify(term)).toBe(true);
  });
});
