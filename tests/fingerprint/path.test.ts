import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { comparePaths, isCanonicalPath, normalizeName, normalizePath, utf8Length } from '../../src/fingerprint/index.ts';
import { MAX_PATH_BYTES } from '../../src/fingerprint/index.ts';
import { FingerprintError } from '../../src/fingerprint/index.ts';
import { assertCodes } from '../helpers/assert-code.ts';

const { expectCode } = assertCodes(FingerprintError);

describe('normalizePath', () => {
  it('keeps canonical POSIX relative paths', () => {
    for (const p of ['a', 'a/b/c.csv', '数据/样本.csv', 'a b/c', 'back\\slash', '.hidden/x', 'a..b', '...', '\u{1F600}']) {
      expect(normalizePath(p)).toBe(p);
      expect(isCanonicalPath(p)).toBe(true);
    }
  });

  it('normalises to NFC', () => {
    expect(normalizePath('cafe\u0301.txt')).toBe('caf\u00e9.txt');
    expect(normalizePath('\u1100\u1161/x')).toBe('\uac00/x');
    expect(isCanonicalPath('cafe\u0301.txt')).toBe(false);
  });

  it('rejects what is not a dataset-relative path, each with its code', () => {
    expectCode(() => normalizePath(''), 'path_empty');
    expectCode(() => normalizePath('/etc/passwd'), 'path_absolute');
    expectCode(() => normalizePath('../x'), 'path_traversal');
    expectCode(() => normalizePath('a/../../x'), 'path_traversal');
    expectCode(() => normalizePath('a//b'), 'path_empty_segment');
    expectCode(() => normalizePath('a/'), 'path_empty_segment');
    expectCode(() => normalizePath('./a'), 'path_empty_segment');
    expectCode(() => normalizePath('a/./b'), 'path_empty_segment');
    expectCode(() => normalizePath('a\u0000b'), 'path_nul');
    expectCode(() => normalizePath('bad\uD800name'), 'path_unrepresentable');
    expectCode(() => normalizePath('x'.repeat(MAX_PATH_BYTES + 1)), 'path_too_long');
    expectCode(() => normalizeName('a/b'), 'path_empty_segment');
    expectCode(() => normalizeName('..'), 'path_traversal');
  });

  it('the ASCII fast path agrees with the full normalisation', () => {
    const ascii = fc.string({ unit: fc.constantFrom(...'ab./ -_~\u0000\u007f\u001f'.split('')), maxLength: 12 });
    fc.assert(
      fc.property(ascii, (p) => {
        // The rules written out for ASCII (which is NFC): relative, no empty/./.. segment, no NUL.
        const valid = p !== '' && !p.startsWith('/') && p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..' && !seg.includes('\u0000'));
        expect(isCanonicalPath(p)).toBe(valid);
      }),
      { numRuns: 5000 },
    );
    expect(isCanonicalPath('x'.repeat(MAX_PATH_BYTES))).toBe(true);
    expect(isCanonicalPath('x'.repeat(MAX_PATH_BYTES + 1))).toBe(false);
  });

  it('counts UTF-8 bytes', () => {
    for (const s of ['', 'a', 'é', '数据', '\u{1F600}', 'a\u{1F600}b数']) expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
  });
});

describe('comparePaths (UTF-8 byte order)', () => {
  it('orders U+FF61 before U+1F600, unlike JavaScript string order', () => {
    expect(comparePaths('\uFF61', '\u{1F600}')).toBeLessThan(0);
    expect('\uFF61' < '\u{1F600}').toBe(false);
    expect(comparePaths('\uE000', '\u{10000}')).toBeLessThan(0);
    expect(comparePaths('\u{10FFFF}', '\uFFFF')).toBeGreaterThan(0);
    expect(comparePaths('set-2/a', 'set/a')).toBeLessThan(0);
    expect(comparePaths('a', 'a/b')).toBeLessThan(0);
    expect(comparePaths('same', 'same')).toBe(0);
  });

  it('agrees with Buffer.compare of the UTF-8 encodings on arbitrary Unicode strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(comparePaths(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
      }),
      { numRuns: 2000 },
    );
    // Dense in the interesting region: BMP high characters versus astral ones.
    const char = fc.oneof(fc.integer({ min: 0xe000, max: 0xffff }), fc.integer({ min: 0x10000, max: 0x10ffff }), fc.integer({ min: 0x20, max: 0x7f }));
    const str = fc.array(char, { maxLength: 6 }).map((cps) => String.fromCodePoint(...cps));
    fc.assert(
      fc.property(str, str, (a, b) => {
        expect(Math.sign(comparePaths(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
      }),
      { numRuns: 5000 },
    );
  });
});
