/**
 * The CJK font of DataDeed PDFs: Noto Sans SC (SIL Open Font License 1.1) from the npm
 * package @expo-google-fonts/noto-sans-sc, so it is present after a plain `npm ci`.
 *
 * pdf-lib's own subsetting draws wrong glyphs with this font (STACK.md), so a page's
 * characters are subset with HarfBuzz (`hb_subset`, the WebAssembly build of harfbuzzjs
 * that subset-font wraps) to a TrueType `sfnt`, which pdf-lib then embeds whole
 * (`subset: false`, ligatures off). A subset of a page's ~200 distinct characters is
 * ~20 KB.
 *
 * subset-font copies the 10 MB font into a fresh HarfBuzz face on every call (~50 ms
 * per call, two calls per PDF). Here each weight is loaded into the WebAssembly memory
 * once per process and its face kept: HarfBuzz's lazily built tables (cmap, glyph
 * offsets) then serve every later subset, which takes well under a millisecond, with
 * the same options (`keepFeatures: []`, default flags) and byte for byte the same
 * output as subset-font. Recent subsets are also kept by their character set. Memory:
 * the WebAssembly heap holds both weights (~70 MB, once). Node only.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

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

/** The HarfBuzz exports of harfbuzz-subset.wasm that are used here. */
interface HarfBuzz {
  memory: WebAssembly.Memory;
  _initialize(): void;
  malloc(n: number): number;
  hb_blob_create(data: number, length: number, mode: number, userData: number, destroy: number): number;
  hb_blob_destroy(blob: number): void;
  hb_blob_get_data(blob: number, length: number): number;
  hb_blob_get_length(blob: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(face: number): void;
  hb_face_reference_blob(face: number): number;
  hb_set_add(set: number, value: number): void;
  hb_set_clear(set: number): void;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(input: number): void;
  hb_subset_input_set(input: number, which: number): number;
  hb_subset_input_unicode_set(input: number): number;
  hb_subset_or_fail(face: number, input: number): number;
}

const HB_MEMORY_MODE_READONLY = 1;
const HB_SUBSET_SETS_LAYOUT_FEATURE_TAG = 6;

let harfbuzz: HarfBuzz | undefined;
const faces = new Map<FontWeight, number>();

function hb(): HarfBuzz {
  if (!harfbuzz) {
    // harfbuzzjs is subset-font's dependency: resolved from there, as subset-font does.
    const fromSubsetFont = createRequire(createRequire(import.meta.url).resolve('subset-font'));
    const module = new WebAssembly.Module(readFileSync(fromSubsetFont.resolve('harfbuzzjs/dist/harfbuzz-subset.wasm')));
    const instance = new WebAssembly.Instance(module, {});
    const exports = instance.exports as unknown as HarfBuzz;
    exports._initialize();
    harfbuzz = exports;
  }
  return harfbuzz;
}

/** The weight's HarfBuzz face, created once: the font bytes live in the WebAssembly heap for the process's life. */
function face(weight: FontWeight): number {
  let f = faces.get(weight);
  if (f === undefined) {
    const h = hb();
    const font = notoSansSc(weight);
    const at = h.malloc(font.byteLength);
    if (at === 0) throw new Error('HarfBuzz: out of memory loading the font');
    new Uint8Array(h.memory.buffer).set(font, at);
    const blob = h.hb_blob_create(at, font.byteLength, HB_MEMORY_MODE_READONLY, 0, 0);
    f = h.hb_face_create(blob, 0);
    h.hb_blob_destroy(blob);
    faces.set(weight, f);
  }
  return f;
}

/** Recent subsets by weight and character set (a page's text mostly repeats: labels, notes). */
const subsets = new Map<string, Uint8Array>();
const MAX_SUBSETS = 64;

/** `hb_subset` of `chars` (distinct code points), without layout features. */
function subsetChars(weight: FontWeight, chars: string): Uint8Array {
  const h = hb();
  const f = face(weight);
  const input = h.hb_subset_input_create_or_fail();
  if (input === 0) throw new Error('HarfBuzz: hb_subset_input_create_or_fail failed');
  let subset: number;
  try {
    // keepFeatures: [] — an empty layout-feature set.
    h.hb_set_clear(h.hb_subset_input_set(input, HB_SUBSET_SETS_LAYOUT_FEATURE_TAG));
    const unicodes = h.hb_subset_input_unicode_set(input);
    for (const c of chars) h.hb_set_add(unicodes, c.codePointAt(0)!);
    subset = h.hb_subset_or_fail(f, input);
  } finally {
    h.hb_subset_input_destroy(input);
  }
  if (subset === 0) throw new Error('HarfBuzz: hb_subset_or_fail failed');
  const blob = h.hb_face_reference_blob(subset);
  try {
    const at = h.hb_blob_get_data(blob, 0);
    const length = h.hb_blob_get_length(blob);
    if (length === 0) throw new Error('HarfBuzz: empty subset');
    // A fresh view: the heap may have grown (and its old buffer been detached) meanwhile.
    return new Uint8Array(h.memory.buffer, at, length).slice();
  } finally {
    h.hb_blob_destroy(blob);
    h.hb_face_destroy(subset);
  }
}

/**
 * A TrueType subset of Noto Sans SC holding exactly the characters of `text` (plus
 * what HarfBuzz's closure adds), ready for `embedFont(bytes, { subset: false,
 * features: { liga: false } })`. Deterministic for a given text. The returned bytes
 * are the caller's (a copy of the cached subset).
 */
export async function subsetNotoSansSc(weight: FontWeight, text: string): Promise<Uint8Array> {
  const chars = [...new Set(text)].sort().join('');
  const key = `${weight}\u0000${chars}`;
  let subset = subsets.get(key);
  if (subset === undefined) {
    // keepFeatures: [] drops every OpenType layout feature: pdf-lib places glyphs by their
    // advance widths only, and the font's `locl` alternates of Latin digits would
    // otherwise be laid out with full-width advances. It also shrinks the subset ~2.5×.
    subset = subsetChars(weight, chars);
    if (subsets.size >= MAX_SUBSETS) subsets.delete(subsets.keys().next().value!);
  } else {
    subsets.delete(key); // most recently used last
  }
  subsets.set(key, subset);
  return subset.slice();
}
