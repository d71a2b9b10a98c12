/**
 * The CJK font of DataDeed PDFs: Noto Sans SC (SIL Open Font License 1.1) from the npm
 * package @expo-google-fonts/noto-sans-sc, so it is present after a plain `npm ci`.
 *
 * pdf-lib's own subsetting draws wrong glyphs with this font (STACK.md), so a page's
 * characters are subset with subset-font (HarfBuzz) to a TrueType `sfnt`, which
 * pdf-lib then embeds whole (`subset: false`, ligatures off). A subset of a page's
 * ~200 distinct characters is ~20 KB. Node only (reads the font file once).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import subsetFont from 'subset-font';

/** The weights the renderer uses. */
export type FontWeight = 'regular' | 'bold';

const FILES: Record<FontWeight, string> = {
  regular: '400Regular/NotoSansSC_400Regular.ttf',
  bold: '700Bold/NotoSansSC_700Bold.ttf',
};

const cache = new Map<FontWeight, Buffer>();

/** The full TTF of a weight (about 10 MB), read once per process. */
export function notoSansSc(weight: FontWeight): Buffer {
  let font = cache.get(weight);
  if (font === undefined) {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'));
    font = readFileSync(path.join(dir, FILES[weight]));
    cache.set(weight, font);
  }
  return font;
}

/**
 * A TrueType subset of Noto Sans SC holding exactly the characters of `text` (plus
 * what HarfBuzz's layout closure adds), ready for `embedFont(bytes, { subset: false,
 * features: { liga: false } })`. Deterministic for a given text.
 */
export async function subsetNotoSansSc(weight: FontWeight, text: string): Promise<Uint8Array> {
  const chars = [...new Set(text)].sort().join('');
  // keepFeatures: [] drops every OpenType layout feature: pdf-lib places glyphs by their
  // advance widths only, and the font's `locl` alternates of Latin digits would
  // otherwise be laid out with full-width advances. It also shrinks the subset ~2.5×.
  const subset = await subsetFont(notoSansSc(weight), chars, { targetFormat: 'sfnt', keepFeatures: [] });
  return new Uint8Array(subset.buffer, subset.byteOffset, subset.byteLength);
}
