/**
 * The PDF font subsetter (src/certificates/pdf/fonts.ts) keeps one HarfBuzz face per
 * weight for the process's life: its subsets must be byte for byte those of
 * subset-font (which loads a fresh face per call) with the same options, whatever was
 * subset before on the same face, and a returned subset must be the caller's own copy.
 */
import subsetFont from 'subset-font';
import { describe, expect, it } from 'vitest';
import { notoSansSc, subsetNotoSansSc, type FontWeight } from '../../src/certificates/pdf/fonts.ts';

const TEXTS = [
  '福建数据科技有限公司 城市交通出行数据集 2025 Q2 DIP-2025-000123',
  'DataDeed 数据知识产权登记平台 Data Intellectual Property Registry …·/ ',
  '0123456789abcdef',
  '證書 «Ünïcödé» — ½ 𠀀 ✓',
];

describe('font subsets', () => {
  it('equal subset-font byte for byte, in any order of calls on the kept face', async () => {
    for (const weight of ['regular', 'bold'] as FontWeight[]) {
      for (const text of [...TEXTS, ...TEXTS.slice().reverse(), TEXTS.join('')]) {
        const chars = [...new Set(text)].sort().join('');
        const expected = await subsetFont(notoSansSc(weight), chars, { targetFormat: 'sfnt', keepFeatures: [] });
        const ours = await subsetNotoSansSc(weight, text);
        expect(Buffer.from(ours).equals(expected)).toBe(true);
      }
    }
  }, 120_000);

  it('hands out a copy: changing one result does not change the next', async () => {
    const a = await subsetNotoSansSc('regular', TEXTS[0]!);
    const first = Buffer.from(a);
    a.fill(0);
    expect(Buffer.from(await subsetNotoSansSc('regular', TEXTS[0]!)).equals(first)).toBe(true);
  });
});

describe('plain-text layout', () => {
  it("lays out ASCII, Latin-1, punctuation and CJK text with fontkit's own glyphs and advances", async () => {
    const { default: fontkit } = await import('@pdf-lib/fontkit');
    const { plainLayoutFontkit } = await import('../../src/certificates/pdf/render.ts');
    const sample = TEXTS.slice(0, 3).join('') + 'ÀÉÎÕÜßçñ¡¿«»©®°±µ¶·¼½¾×÷‐–—‘’“”•…‰′″‹›、。〈〉《》「」『』【】〔〕！＂＃％＆（）＊＋，－．／０９：；＜＝＞？＠Ａｚ［］｛｝～｡｢｣､･ｦﾝ￠￡￥';
    for (const weight of ['regular', 'bold'] as FontWeight[]) {
      const bytes = await subsetNotoSansSc(weight, sample);
      const reference = fontkit.create(bytes) as unknown as { layout(t: string, f: unknown): { glyphs: { id: number; advanceWidth: number }[] } };
      const fast = plainLayoutFontkit.create(bytes) as unknown as typeof reference;
      const chars = [...sample];
      for (let n = 0; n < 300; n++) {
        let text = '';
        for (let k = (n * 7) % 23; k >= 0; k--) text += chars[(n * 31 + k * 17) % chars.length];
        const a = reference.layout(text, { liga: false, locl: false }).glyphs.map((g) => [g.id, g.advanceWidth]);
        const b = fast.layout(text, { liga: false, locl: false }).glyphs.map((g) => [g.id, g.advanceWidth]);
        expect(b).toEqual(a);
      }
    }
  });
});
