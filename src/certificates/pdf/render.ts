/**
 * PDF documents of the registry (DESIGN §5): the registration certificate
 * (数据知识产权登记证书) and, through the same generic renderer, the evidence receipt
 * (存证证书, DESIGN §5a).
 *
 * One A4 page, Chinese and English, an embedded subset of Noto Sans SC (see
 * pdf-fonts.ts), a QR code holding the verification URL, a seal-like mark, and the
 * verification bundle attached as an embedded file, so the PDF alone verifies offline
 * (`datadeed verify file.pdf`). The document declares what it is about in its
 * metadata keywords (`datadeed-id:<id>`), and its attachment is `<id>.datadeed.json`;
 * the extractor compares both with the bundle (check `pdf_binding`).
 *
 * Signed (PAdES baseline B, ETSI EN 319 142-1) when a document signer is given: the
 * proof that the log holds the signer's certificate is embedded beside the bundle, a
 * signature field is added (@signpdf/placeholder-pdf-lib), the file is saved without
 * object streams, and a CAdES detached signature (cades.ts) over every byte but its own
 * /Contents is written into it (in place, as @signpdf/signpdf would) — so any later change of the page, the
 * attachments or the metadata fails the signature in any PDF reader and in
 * `datadeed verify`.
 *
 * Deterministic up to the signature: the same input and clock give the same bytes
 * (metadata dates, the signature's /M and the attachment's dates come from the injected
 * `now`); an ECDSA signature value differs from one signing to the next.
 * Node only (pdf-lib, fontkit, the font file).
 */
import fontkit from '@pdf-lib/fontkit';
import {
  AFRelationship,
  degrees,
  drawEllipse,
  drawLine,
  drawRectangle,
  drawSvgPath,
  PDFDocument,
  PDFContext,
  PDFHexString,
  type PDFRef,
  rgb,
  setFillingRgbColor,
  type Color,
  type PDFFont,
  type PDFOperator,
} from 'pdf-lib';
import { createHash } from 'node:crypto';
import QRCode from 'qrcode';
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { CertificateError } from '../errors.ts';
import { cadesDetachedSignature, SUBFILTER_CADES, type DocumentSigner } from '../cades.ts';
import { subsetNotoSansSc } from './fonts.ts';
import { useNodeDeflate } from './deflate.ts';
import { operatorsText, PageContent, pdfNumber, staticShapes } from './content.ts';
import type { CertificatePayload } from '../payload.ts';
import { bundleFileName, serializeBundle, type Bundle } from '../bundle.ts';
import { utf8 } from '../../ledger/index.ts';
import { formatBytes } from '../../fingerprint/index.ts';
import { DEFAULT_TIME_ZONE, localTime } from '../../time.ts';

/** A text in Chinese and English. */
export interface Bilingual {
  zh: string;
  en: string;
}

/** One row of the document's table: a bilingual label and its value. */
export interface DocumentField extends Bilingual {
  value: string;
}

/** Everything {@link renderDocumentPdf} draws. Strings are shown as given. */
export interface DocumentSpec {
  /** The registry's name, in the header. */
  issuer: Bilingual;
  /** A stamp across the page (a revoked certificate: 已撤销 / REVOKED and the date), in red. */
  stamp?: Bilingual;
  /** The document title, e.g. 数据知识产权登记证书 / Data Intellectual Property Registration Certificate. */
  title: Bilingual;
  /** The document's identifier (certificate number, deposit id): shown large, declared in metadata as `datadeed-id:<value>`. */
  id: { label: Bilingual; value: string };
  /** An optional sentence under the identifier ("This is to certify …"). */
  statement?: Bilingual;
  /** The table rows (at most 12). */
  fields: DocumentField[];
  /** A digest shown in monospaced hex, split over lines (manifest root, deposited digest). */
  fingerprint: { label: Bilingual; hex: string };
  /** The QR code's URL (verification page) and a caption. */
  qr: { url: string; caption: Bilingual };
  /** The seal: text around the ring (a registry name), text under the star; the date under it. */
  seal: { ring: string; center: string; date: string };
  /** Footer lines (how to verify, what the signature covers). */
  notes: Bilingual[];
  /** The embedded file (the verification bundle). */
  attachment: { name: string; bytes: Uint8Array; mimeType: string; description: string };
  /** Document information: title and subject (keywords get `datadeed-id:<id>` added). */
  metadata: { title: string; subject: string; keywords?: string[] };
  /** The injected clock: creation and modification dates of the PDF and its attachment, and the signing time. */
  now: Date;
  /** The registry's document signer; null renders an unsigned document (which `datadeed verify` refuses). */
  signer?: DocumentSigner | null;
}

/** Room for the CMS signature in /Contents, in bytes (two certificates and a signature need ~1.3 KB). */
const SIGNATURE_BYTES = 4096;

/**
 * Signs a finished document: embeds the signer's attachments, adds the signature field,
 * saves without object streams and writes the signature over the whole file but its /Contents.
 */
async function signDocument(doc: PDFDocument, signer: DocumentSigner, now: Date): Promise<Uint8Array> {
  for (const a of await signer.attachments()) {
    await doc.attach(a.bytes, a.name, { mimeType: a.mimeType, description: a.description, creationDate: now, modificationDate: now, afRelationship: AFRelationship.Supplement });
  }
  pdflibAddPlaceholder({
    pdfDoc: doc,
    reason: 'Issued by the registry: any change to this document invalidates this signature',
    contactInfo: '',
    name: signer.name,
    location: '',
    signingTime: now,
    signatureLength: SIGNATURE_BYTES,
    subFilter: SUBFILTER_CADES,
  });
  const pdf = await doc.save({ useObjectStreams: false, objectsPerTick: Number.POSITIVE_INFINITY });
  return signPlaceholder(pdf, signer);
}

/** The ByteRange that @signpdf/placeholder-pdf-lib writes (its default placeholder name), as pdf-lib writes the array. */
const BYTE_RANGE_PLACEHOLDER = '/ByteRange [ 0 /********** /********** /********** ]';
const LATIN1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

function unsignable(message: string): never {
  throw new CertificateError('invalid_document', message);
}

/**
 * Writes the signature into a document saved with one signature placeholder, in place:
 * the /ByteRange placeholder becomes `[0 a b c]` (padded with spaces to its length),
 * where `[a, b)` is the /Contents hex string that follows it, and that string gets the
 * CAdES signature (cades.ts) of the SHA-256 of every other byte, in hex padded with
 * `0`. The bytes are those @signpdf/signpdf's `SignPdf.sign` writes (the same
 * placeholder search and layout), without copying the file four times over.
 * @throws CertificateError `invalid_document` when the placeholder is missing, twice, or too small.
 */
async function signPlaceholder(pdf: Uint8Array, signer: DocumentSigner): Promise<Uint8Array> {
  const file = LATIN1(pdf);
  // A file must end with its %%EOF line (as SignPdf requires; pdf-lib writes no newline after it).
  if (file.toString('latin1', file.length - 6, file.length) !== '\n%%EOF') unsignable('the unsigned document does not end with %%EOF');
  const at = file.indexOf(BYTE_RANGE_PLACEHOLDER, 0, 'latin1');
  if (at < 0 || file.indexOf(BYTE_RANGE_PLACEHOLDER, at + 1, 'latin1') >= 0) unsignable('the unsigned document has not exactly one signature placeholder');
  const rangeEnd = at + BYTE_RANGE_PLACEHOLDER.length;
  const contents = file.indexOf('/Contents ', rangeEnd, 'latin1');
  const a = contents < 0 ? -1 : file.indexOf('<', contents, 'latin1');
  const close = a < 0 ? -1 : file.indexOf('>', a, 'latin1');
  if (close < 0) unsignable('the signature placeholder has no /Contents');
  const b = close + 1;
  const range = `/ByteRange [0 ${a} ${b} ${file.length - b}]`;
  if (range.length > BYTE_RANGE_PLACEHOLDER.length) unsignable('the /ByteRange does not fit its placeholder');
  file.write(range.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' '), at, 'latin1');
  const digest = createHash('sha256').update(file.subarray(0, a)).update(file.subarray(b)).digest();
  const cms = await cadesDetachedSignature(new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength), signer);
  const room = b - a - 2;
  if (cms.length * 2 > room) unsignable(`the signature exceeds its placeholder: ${cms.length * 2} > ${room}`);
  file.fill(0x30, a + 1, b - 1);
  file.write(LATIN1(cms).toString('hex'), a + 1, 'latin1');
  return pdf;
}

// ---------------------------------------------------------------- page geometry and colours

const A4: [number, number] = [595.28, 841.89];
const INK = rgb(0.1, 0.14, 0.27);
const MUTED = rgb(0.38, 0.41, 0.48);
const GOLD = rgb(0.69, 0.55, 0.25);
const PALE = rgb(0.86, 0.8, 0.66);
const RULE = rgb(0.82, 0.83, 0.86);
const SEAL = rgb(0.74, 0.1, 0.1);

const MAX_FIELDS = 12;
const MAX_TEXT = 400;
const MAX_ATTACHMENT = 1024 * 1024;
const ATTACHMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/;

function invalid(message: string): never {
  throw new CertificateError('invalid_document', message);
}

function checkText(t: unknown, what: string, allowEmpty = false): void {
  if (typeof t !== 'string' || (!allowEmpty && t.length === 0) || t.length > MAX_TEXT || /[\u0000-\u001f\u007f]/.test(t)) invalid(`${what} must be 1–${MAX_TEXT} characters without control characters`);
}

function checkSpec(spec: DocumentSpec): void {
  for (const [what, b] of [
    ['issuer', spec.issuer],
    ['title', spec.title],
    ['id label', spec.id.label],
    ['fingerprint label', spec.fingerprint.label],
    ['QR caption', spec.qr.caption],
  ] as const) {
    checkText(b.zh, what);
    checkText(b.en, what);
  }
  checkText(spec.id.value, 'id');
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(spec.id.value)) invalid('id must be a plain identifier');
  if (spec.statement) {
    checkText(spec.statement.zh, 'statement');
    checkText(spec.statement.en, 'statement');
  }
  if (!Array.isArray(spec.fields) || spec.fields.length > MAX_FIELDS) invalid(`at most ${MAX_FIELDS} fields`);
  for (const f of spec.fields) {
    checkText(f.zh, 'field label');
    checkText(f.en, 'field label');
    checkText(f.value, 'field value');
  }
  if (!/^[0-9a-f]{2,128}$/.test(spec.fingerprint.hex)) invalid('fingerprint must be lowercase hex');
  let url: URL;
  try {
    url = new URL(spec.qr.url);
  } catch {
    invalid('QR URL must be an http(s) URL');
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || spec.qr.url.length > 512) invalid('QR URL must be an http(s) URL');
  checkText(spec.seal.ring, 'seal text');
  checkText(spec.seal.center, 'seal text');
  checkText(spec.seal.date, 'seal date');
  if (spec.notes.length > 6) invalid('at most 6 notes');
  for (const n of spec.notes) {
    checkText(n.zh, 'note');
    checkText(n.en, 'note');
  }
  const a = spec.attachment;
  if (!ATTACHMENT_NAME.test(a.name) || !(a.bytes instanceof Uint8Array) || a.bytes.length > MAX_ATTACHMENT || !/^[a-z]+\/[a-z0-9.+-]+$/.test(a.mimeType)) {
    invalid('attachment needs a plain file name, at most 1 MiB and a MIME type');
  }
  checkText(a.description, 'attachment description', true);
  checkText(spec.metadata.title, 'metadata title');
  checkText(spec.metadata.subject, 'metadata subject');
  if (!(spec.now instanceof Date) || Number.isNaN(spec.now.getTime())) invalid('now must be a valid Date');
}

// ---------------------------------------------------------------- text layout

const CJK = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/;

/** Splits text into breakable units: each CJK character alone, Latin words with their trailing spaces. */
function tokens(text: string): string[] {
  const out: string[] = [];
  let word = '';
  for (const ch of text) {
    if (CJK.test(ch)) {
      if (word) out.push(word);
      word = '';
      out.push(ch);
    } else if (ch === ' ') {
      word += ch;
      out.push(word);
      word = '';
    } else {
      word += ch;
    }
  }
  if (word) out.push(word);
  return out;
}

/** Greedy line breaking to `width`; at most `maxLines` lines, the last ellipsised if cut. */
function wrap(font: PDFFont, size: number, text: string, width: number, maxLines = 3): string[] {
  const lines: string[] = [];
  let line = '';
  const fits = (s: string) => font.widthOfTextAtSize(s.trimEnd(), size) <= width;
  for (const token of tokens(text)) {
    if (fits(line + token)) {
      line += token;
      continue;
    }
    if (line) lines.push(line.trimEnd());
    line = '';
    // A token wider than the line (a long identifier): break it by characters.
    for (const ch of token) {
      if (!fits(line + ch) && line) {
        lines.push(line.trimEnd());
        line = '';
      }
      line += ch;
    }
  }
  if (line.trim() || lines.length === 0) lines.push(line.trimEnd());
  if (lines.length > maxLines) {
    const kept = lines.slice(0, maxLines);
    let last = kept[maxLines - 1]!;
    while (last && !fits(`${last}…`)) last = last.slice(0, -1);
    kept[maxLines - 1] = `${last}…`;
    return kept;
  }
  return lines;
}

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
}

function text(page: PageContent, s: string, x: number, y: number, font: PDFFont, size: number, color: Color = INK): void {
  if (s) page.text(s, { x, y, font, size, color });
}

function centered(page: PageContent, s: string, y: number, font: PDFFont, size: number, color: Color = INK): void {
  text(page, s, (A4[0] - font.widthOfTextAtSize(s, size)) / 2, y, font, size, color);
}

/**
 * Monospaced hex: each character centred in a fixed cell, groups of 8 separated by a
 * gap. Each line is one marked-content span whose /ActualText is the line's text, so
 * text extraction and copy give "5f9c4ab0 8cac7457 …" rather than the spaced-out
 * glyphs (poppler and Acrobat honour ActualText).
 */
function drawHex(page: PageContent, hex: string, x: number, y: number, font: PDFFont, size: number, perLine: number): number {
  const cell = size * 0.62;
  const gap = size * 0.55;
  let line = 0;
  for (let start = 0; start < hex.length; start += perLine) {
    const chunk = hex.slice(start, start + perLine);
    const actual = chunk.replace(/(.{8})(?=.)/g, '$1 ');
    // An inline property list (ISO 32000-1 §14.6.2), written as pdf-lib writes a dictionary.
    page.raw(`/Span <<\n/ActualText ${PDFHexString.fromText(actual).toString()}\n>> BDC`);
    let cx = x;
    for (let i = 0; i < chunk.length; i++) {
      if (i > 0 && i % 8 === 0) cx += gap;
      const ch = chunk[i]!;
      page.text(ch, { x: cx + (cell - font.widthOfTextAtSize(ch, size)) / 2, y: y - line * size * 1.45, font, size, color: INK });
      cx += cell;
    }
    page.raw('EMC');
    line++;
  }
  return line;
}

/**
 * The QR code (error correction M, a one-module quiet zone) as vector shapes: a white
 * square, then each row's runs of dark modules as rectangles of one path, filled at once. Sharp at
 * any zoom and far cheaper than a PNG encoded and then decoded again for embedding.
 */
function drawQr(page: PageContent, url: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  const cell = size / (n + 2);
  const num = pdfNumber;
  let ops = `q\n${QR_WHITE}\n${num(x)} ${num(y)} ${num(size)} ${num(size)} re\nf\n${QR_DARK}`;
  for (let row = 0; row < n; row++) {
    const top = y + size - (row + 1) * cell;
    for (let col = 0; col < n; ) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      let end = col + 1;
      while (end < n && modules.get(row, end)) end++;
      const x0 = x + (col + 1) * cell;
      const x1 = x + (end + 1) * cell;
      ops += `\n${num(r2(x0))} ${num(r2(top))} ${num(r2(x1 - x0))} ${num(r2(cell))} re`;
      col = end;
    }
  }
  page.raw(`${ops}\nf\nQ`);
}

/** The QR code's colours as pdf-lib writes them (white, then the dark modules' #1a2345). */
const QR_WHITE = setFillingRgbColor(1, 1, 1).toString();
const QR_DARK = setFillingRgbColor(0x1a / 255, 0x23 / 255, 0x45 / 255).toString();

/** A coordinate rounded to 1/100 point (keeps the content stream short). */
function r2(v: number): number {
  return Math.round(v * 100) / 100;
}

// ---------------------------------------------------------------- text shaping

/**
 * Code points that fontkit lays out one by one when the font has no OpenType features
 * (as our HarfBuzz subsets, `./fonts.ts`, `keepFeatures: []`): ASCII, Latin-1 (without
 * the soft hyphen, a default-ignorable), general punctuation (without the invisible
 * U+2028–U+202F and U+205F–U+206F), CJK symbols and punctuation, CJK ideographs
 * (extension A and the basic block), halfwidth and fullwidth forms. No shaper of
 * fontkit touches them (no Hangul, Arabic, Indic, marks, variation selectors).
 */
const PLAIN_TEXT = /^[\u0020-\u007e\u00a0-\u00ac\u00ae-\u00ff\u2010-\u2027\u2030-\u205e\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff01-\uffef]*$/;

interface FontkitGlyph {
  id: number;
  advanceWidth: number;
}
interface FontkitFont {
  layout(text: string, features?: unknown): { glyphs: FontkitGlyph[] };
  glyphForCodePoint(codePoint: number): FontkitGlyph;
}

type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];
type Font = ReturnType<Fontkit['create']>;

/**
 * fontkit for pdf-lib (`registerFontkit`), whose fonts lay out {@link PLAIN_TEXT} by a
 * cached cmap lookup per character: the glyphs fontkit's own layout gives there, since
 * it has no feature to apply (tests/certificates/fonts.test.ts compares them), without
 * building a shaping plan per call. pdf-lib lays text out for every width it measures
 * and every line it draws — a few hundred times a page (line breaking, monospaced
 * hex, seal), which was most of a page's drawing time. Other text goes to fontkit.
 */
export const plainLayoutFontkit: Fontkit = {
  create(data: Uint8Array, postscriptName?: string): Font {
    // A subset seen before (the same characters: `./fonts.ts` caches subsets) is parsed once.
    const key = `${createHash('sha256').update(data).digest('hex')}:${postscriptName ?? ''}`;
    let font = parsedFonts.get(key);
    if (font === undefined) {
      font = plainLayout((fontkit as unknown as { create(data: Uint8Array, name?: string): FontkitFont }).create(data, postscriptName));
      if (parsedFonts.size >= 32) parsedFonts.delete(parsedFonts.keys().next().value!);
    } else {
      parsedFonts.delete(key);
    }
    parsedFonts.set(key, font);
    return font as unknown as Font;
  },
};

/** Parsed fonts by content (fontkit fonts are read-only to pdf-lib's embedder). */
const parsedFonts = new Map<string, FontkitFont>();

/** The font with {@link PLAIN_TEXT} laid out per character (see {@link plainLayoutFontkit}). */
function plainLayout(font: FontkitFont): FontkitFont {
  const shaped = font.layout.bind(font);
  const glyphs = new Map<number, FontkitGlyph>();
  font.layout = (text, features) => {
    if (!PLAIN_TEXT.test(text)) return shaped(text, features);
    const out: FontkitGlyph[] = [];
    for (let i = 0; i < text.length; i++) {
      const cp = text.charCodeAt(i); // PLAIN_TEXT is all in the BMP
      let g = glyphs.get(cp);
      if (g === undefined) {
        g = font.glyphForCodePoint(cp);
        glyphs.set(cp, g);
      }
      out.push(g);
    }
    return { glyphs: out };
  };
  return font;
}

/** What pdf-lib's CustomFontEmbedder (1.17) computes from the whole font when it embeds one without subsetting. */
interface FontEmbedderInternals {
  font: object;
  computeWidths(): (number | number[])[];
  embedUnicodeCmap(context: PDFContext): PDFRef;
}

/** A font's /W array and ToUnicode CMap (ASCII, as bytes) by parsed font (one per subset: {@link plainLayoutFontkit}). */
const fontTables = new WeakMap<object, { widths: (number | number[])[]; cmap: Uint8Array }>();

/**
 * Makes an embedded font (`subset: false`) reuse the /W widths and the ToUnicode CMap
 * computed for the same subset in an earlier document. pdf-lib's embedder derives both
 * from every glyph of the font on each embedding (a cmap lookup per character, the CMap
 * text, its compression): the same tables each time for a subset seen before. The
 * CMap goes to the same `flateStream` as bytes rather than text — the same bytes
 * (ASCII), so the compressed stream is reused too (`./deflate.ts`). The objects written
 * are unchanged, byte for byte.
 */
function sharedFontTables(font: PDFFont): PDFFont {
  const embedder = (font as unknown as { embedder: FontEmbedderInternals }).embedder;
  if (typeof embedder?.computeWidths !== 'function' || typeof embedder.embedUnicodeCmap !== 'function' || typeof embedder.font !== 'object') {
    throw new Error('pdf-lib font embedder without computeWidths/embedUnicodeCmap (pdf-lib 1.17 is pinned)');
  }
  const key = embedder.font;
  const computeWidths = embedder.computeWidths.bind(embedder);
  const embedUnicodeCmap = embedder.embedUnicodeCmap.bind(embedder);
  // Computed when pdf-lib first asks (at save, after the page is laid out, as before:
  // the glyphs fontkit made while laying out are the ones the tables are built from).
  const tables = () => {
    let t = fontTables.get(key);
    if (t === undefined) {
      let cmapText: string | undefined;
      const scratch = PDFContext.create();
      scratch.flateStream = (contents) => {
        if (typeof contents !== 'string') throw new Error('pdf-lib font embedder: the ToUnicode CMap is not text');
        cmapText = contents;
        return PDFContext.create().stream(new Uint8Array(0));
      };
      embedUnicodeCmap(scratch);
      if (cmapText === undefined) throw new Error('pdf-lib font embedder wrote no ToUnicode CMap');
      t = { widths: computeWidths(), cmap: new TextEncoder().encode(cmapText) };
      fontTables.set(key, t);
    }
    return t;
  };
  embedder.computeWidths = () => tables().widths;
  embedder.embedUnicodeCmap = (context) => context.register(context.flateStream(tables().cmap));
  return font;
}

// ---------------------------------------------------------------- ornaments

/** pdf-lib's drawRectangle operators for a plain (unrotated, unfilled) framed rectangle, as PDFPage.drawRectangle passes them. */
function frame(x: number, y: number, width: number, height: number, borderColor: Color, borderWidth: number, graphicsState?: string): PDFOperator[] {
  const zero = degrees(0);
  return drawRectangle({ x, y, width, height, rotate: zero, xSkew: zero, ySkew: zero, borderWidth, color: undefined, borderColor, graphicsState });
}

/** pdf-lib's drawSvgPath operators, as PDFPage.drawSvgPath passes them (no graphics state: see {@link withState}). */
function svgPath(path: string, o: { x: number; y: number; color?: Color; borderColor?: Color; borderWidth?: number }): PDFOperator[] {
  return drawSvgPath(path, { x: o.x, y: o.y, scale: undefined, rotate: degrees(0), color: o.color, borderColor: o.borderColor, borderWidth: o.borderWidth ?? 0 });
}

/** Operators text that begins `q` with a graphics state set right after it (as pdf-lib's drawing methods write an opacity). */
function withState(text: string, stateKey: string): string {
  return `q\n${stateKey} gs${text.slice(1)}`;
}

function borders(page: PageContent): void {
  page.raw(staticShapes('borders', bordersOperators));
}

function bordersOperators(): PDFOperator[] {
  const [w, h] = A4;
  const ops = [
    ...frame(20, 20, w - 40, h - 40, GOLD, 2.6),
    ...frame(27, 27, w - 54, h - 54, GOLD, 0.7),
    ...frame(30.5, 30.5, w - 61, h - 61, PALE, 0.35),
  ];
  // Corner ornaments: a small diamond with short flourishes at each inner corner.
  for (const [cx, cy] of [
    [27, 27],
    [w - 27, 27],
    [27, h - 27],
    [w - 27, h - 27],
  ] as const) {
    const d = 7;
    ops.push(...svgPath(`M 0 ${-d} L ${d} 0 L 0 ${d} L ${-d} 0 Z`, { x: cx, y: cy, color: GOLD }));
    ops.push(...svgPath(`M 0 ${-3} L 3 0 L 0 3 L -3 0 Z`, { x: cx, y: cy, color: rgb(1, 1, 1) }));
  }
  return ops;
}

/** A pale guilloche rosette (three phase-shifted sine rings) behind the table. */
function rosette(page: PageContent, cx: number, cy: number): void {
  const state = page.stateKey(undefined, 0.55);
  for (const ring of staticRings(cx, cy)) page.raw(withState(ring, state));
}

/** The rosette's rings (without their graphics state), built once per process. */
function staticRings(cx: number, cy: number): string[] {
  const key = `rosette ${cx} ${cy}`;
  let rings = rosettes.get(key);
  if (rings === undefined) {
    rings = rosetteRings(cx, cy);
    rosettes.set(key, rings);
  }
  return rings;
}

const rosettes = new Map<string, string[]>();

function rosetteRings(cx: number, cy: number): string[] {
  const out: string[] = [];
  const rings: [number, number, number, number][] = [
    [150, 9, 18, 0],
    [150, 9, 18, Math.PI / 18],
    [118, 7, 14, 0],
    [118, 7, 14, Math.PI / 14],
    [86, 6, 10, 0],
  ];
  for (const [r0, amp, lobes, phase] of rings) {
    let d = '';
    for (let i = 0; i <= 360; i += 2) {
      const t = (i * Math.PI) / 180;
      const r = r0 + amp * Math.sin(lobes * t + phase);
      d += `${i === 0 ? 'M' : 'L'}${(r * Math.cos(t)).toFixed(1)} ${(r * Math.sin(t)).toFixed(1)}`;
    }
    out.push(operatorsText(svgPath(`${d}Z`, { x: cx, y: cy, borderColor: PALE, borderWidth: 0.45 })));
  }
  return out;
}

function ornamentRule(page: PageContent, y: number): void {
  const mid = A4[0] / 2;
  page.raw(
    staticShapes(`ornament rule ${y}`, () => [
      ...line({ x: mid - 130, y }, { x: mid - 9, y }, 0.7, GOLD),
      ...line({ x: mid + 9, y }, { x: mid + 130, y }, 0.7, GOLD),
      ...svgPath('M 0 -4 L 4 0 L 0 4 L -4 0 Z', { x: mid, y, color: GOLD }),
    ]),
  );
}

/** pdf-lib's drawLine operators, as PDFPage.drawLine passes them. */
function line(start: { x: number; y: number }, end: { x: number; y: number }, thickness: number, color: Color): PDFOperator[] {
  return drawLine({ start, end, thickness, color, dashArray: undefined, dashPhase: undefined, lineCap: undefined, graphicsState: undefined });
}

/** The seal: double red ring, text along the upper arc, a five-pointed star, a line of text below it. */
/** A large red stamp across the page, framed, rotated 30° (a revoked certificate). */
function stampAcross(page: PageContent, fonts: Fonts, stamp: Bilingual): void {
  const [W, H] = A4;
  const angle = 30;
  const rad = (angle * Math.PI) / 180;
  const lines: [string, number][] = [
    [stamp.zh, 44],
    [stamp.en, 22],
  ];
  const width = Math.max(...lines.map(([t, size]) => fonts.bold.widthOfTextAtSize(t, size)));
  const height = 44 * 1.3 + 22 * 1.3;
  // the box's lower-left corner, so that its centre is the page's
  const cx = W / 2;
  const cy = H / 2;
  const ox = cx - (Math.cos(rad) * (width + 24)) / 2 + (Math.sin(rad) * (height + 16)) / 2;
  const oy = cy - (Math.sin(rad) * (width + 24)) / 2 - (Math.cos(rad) * (height + 16)) / 2;
  page.operators(
    drawRectangle({
      x: ox,
      y: oy,
      width: width + 24,
      height: height + 16,
      rotate: degrees(angle),
      xSkew: degrees(0),
      ySkew: degrees(0),
      borderWidth: 3,
      color: undefined,
      borderColor: SEAL,
      graphicsState: page.stateKey(undefined, 0.8).slice(1),
    }),
  );
  // baselines in the box's own frame: the Chinese line above, the English below
  const baselines = [12 + 22 * 1.3 + 6, 12];
  lines.forEach(([text, size], i) => {
    const dx = 12 + (width - fonts.bold.widthOfTextAtSize(text, size)) / 2;
    const dy = baselines[i]!;
    page.text(text, { x: ox + Math.cos(rad) * dx - Math.sin(rad) * dy, y: oy + Math.sin(rad) * dx + Math.cos(rad) * dy, font: fonts.bold, size, color: SEAL, opacity: 0.8, rotate: angle });
  });
}

function seal(page: PageContent, fonts: Fonts, cx: number, cy: number, ring: string, center: string): void {
  const R = 50;
  const opacity = 0.88;
  const circle = (size: number, borderWidth: number) =>
    withState(
      staticShapes(`seal circle ${cx} ${cy} ${size} ${borderWidth}`, () =>
        drawEllipse({ x: cx, y: cy, xScale: size, yScale: size, rotate: undefined, color: undefined, borderColor: SEAL, borderWidth, borderDashArray: undefined, borderDashPhase: undefined, borderLineCap: undefined, graphicsState: undefined }),
      ),
      page.stateKey(undefined, opacity),
    );
  page.raw(circle(R, 2.4));
  page.raw(circle(R - 4.2, 0.6));
  // Star (SVG y grows downwards).
  let star = '';
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? 13 : 5.2;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    star += `${i === 0 ? 'M' : 'L'}${(r * Math.cos(a)).toFixed(2)} ${(r * Math.sin(a)).toFixed(2)}`;
  }
  page.raw(withState(staticShapes(`seal star ${cx} ${cy}`, () => svgPath(`${star}Z`, { x: cx, y: cy + 2, color: SEAL })), page.stateKey(opacity, undefined)));
  // Ring text, clockwise over the top.
  const chars = [...ring];
  const size = chars.length > 14 ? 8.5 : 10.5;
  const span = Math.min(250, 22 * chars.length);
  const rText = R - 7 - size;
  for (let i = 0; i < chars.length; i++) {
    const theta = ((90 + span / 2 - ((i + 0.5) * span) / chars.length) * Math.PI) / 180;
    const ch = chars[i]!;
    const w = fonts.bold.widthOfTextAtSize(ch, size);
    const px = cx + rText * Math.cos(theta) - (w / 2) * Math.sin(theta);
    const py = cy + rText * Math.sin(theta) + (w / 2) * Math.cos(theta);
    page.text(ch, { x: px, y: py, font: fonts.bold, size, color: SEAL, opacity, rotate: (theta * 180) / Math.PI - 90 });
  }
  const cw = fonts.bold.widthOfTextAtSize(center, 9);
  page.text(center, { x: cx - cw / 2, y: cy - 24, font: fonts.bold, size: 9, color: SEAL, opacity });
}

// ---------------------------------------------------------------- the generic document

function allText(spec: DocumentSpec): { regular: string; bold: string } {
  const parts = [
    spec.issuer.zh,
    spec.issuer.en,
    spec.id.label.zh,
    spec.id.label.en,
    spec.statement?.zh ?? '',
    spec.statement?.en ?? '',
    ...spec.fields.flatMap((f) => [f.zh, f.en, f.value]),
    spec.fingerprint.label.zh,
    spec.fingerprint.label.en,
    spec.fingerprint.hex,
    spec.qr.caption.zh,
    spec.qr.caption.en,
    spec.qr.url,
    spec.seal.date,
    ...spec.notes.flatMap((n) => [n.zh, n.en]),
    '…·/ ',
    ALWAYS_SUBSET,
  ];
  return {
    regular: parts.join(''),
    bold: [spec.title.zh, spec.title.en, spec.id.value, spec.seal.ring, spec.seal.center, spec.stamp?.zh ?? '', spec.stamp?.en ?? '', ALWAYS_SUBSET].join(''),
  };
}

/**
 * Characters in both subsets whatever the page says: the digits, and the first letters
 * of binary size units (KiB … EiB). Numbers, dates, log indices and sizes are then no
 * reason for a new subset: documents whose names are the same share one subset
 * (`./fonts.ts` keeps subsets by character set) and its compressed stream
 * (`./deflate.ts`). A few hundred bytes more per PDF.
 */
const ALWAYS_SUBSET = '0123456789KMGTPE';

/**
 * Renders a one-page, bilingual A4 document with an attached file (the generic
 * renderer of certificates and evidence receipts). Layout, top to bottom: issuer,
 * title, identifier, statement, field table, fingerprint, then QR code, verification
 * notes and seal, then footer notes.
 * @returns the PDF bytes (deterministic for a given spec, `now` included).
 * @throws CertificateError `invalid_document` for an unusable spec.
 */
export async function renderDocumentPdf(spec: DocumentSpec): Promise<Uint8Array> {
  checkSpec(spec);
  useNodeDeflate();
  const [W, H] = A4;
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(plainLayoutFontkit);
  const chars = allText(spec);
  const [regularBytes, boldBytes] = await Promise.all([subsetNotoSansSc('regular', chars.regular), subsetNotoSansSc('bold', chars.bold)]);
  const fonts: Fonts = {
    regular: sharedFontTables(await doc.embedFont(regularBytes, { subset: false, features: { liga: false, locl: false } })),
    bold: sharedFontTables(await doc.embedFont(boldBytes, { subset: false, features: { liga: false, locl: false } })),
  };
  const { regular, bold } = fonts;
  const page = new PageContent(doc.addPage(A4));

  borders(page);
  rosette(page, W / 2, 470);
  page.cut(); // the same first content stream in every document

  // Header and title.
  centered(page, spec.issuer.zh, H - 66, regular, 10.5, MUTED);
  centered(page, spec.issuer.en, H - 79, regular, 7.5, MUTED);
  centered(page, spec.title.zh, H - 122, bold, 27, INK);
  centered(page, spec.title.en, H - 145, bold, 12, INK);
  ornamentRule(page, H - 160);

  // Identifier.
  centered(page, `${spec.id.label.zh}  ${spec.id.label.en}`, H - 184, regular, 8.5, MUTED);
  centered(page, spec.id.value, H - 205, bold, 17, INK);

  // Statement.
  let y = H - 234;
  if (spec.statement) {
    for (const l of wrap(regular, 10.5, spec.statement.zh, 450, 2)) {
      centered(page, l, y, regular, 10.5, INK);
      y -= 15;
    }
    for (const l of wrap(regular, 8.5, spec.statement.en, 450, 2)) {
      centered(page, l, y, regular, 8.5, MUTED);
      y -= 12;
    }
    y -= 8;
  }

  // Field table. Rows are laid out first, then spaced to fit above the bottom block
  // (QR code, notes, seal): long names take up to three lines, padding gives way first.
  const labelX = 72;
  const valueX = 218;
  const valueWidth = W - valueX - 68;
  const TABLE_FLOOR = 212;
  const valueLines = spec.fields.map((f) => wrap(regular, 10.5, f.value, valueWidth, 3));
  const hexLines = Math.ceil(spec.fingerprint.hex.length / 32);
  const contents = [...valueLines.map((l) => Math.max(12, (l.length - 1) * 14)), Math.max(12, (hexLines - 1) * 14.5)];
  const natural = contents.reduce((a, c) => a + c + 27, 0);
  const squeeze = Math.min(9, Math.max(0, (natural - (y - TABLE_FLOOR)) / contents.length));
  const padTop = 16 - squeeze * (5 / 9);
  const padBottom = 11 - squeeze * (4 / 9);
  page.operators(line({ x: labelX, y }, { x: W - 68, y }, 0.8, GOLD));
  const row = (label: Bilingual, content: number, draw: (top: number) => void) => {
    const top = y - padTop;
    text(page, label.zh, labelX, top, regular, 10.5, INK);
    text(page, label.en, labelX, top - 12, regular, 7.5, MUTED);
    draw(top);
    y = top - content - padBottom;
    page.operators(line({ x: labelX, y }, { x: W - 68, y }, 0.4, RULE));
  };
  spec.fields.forEach((f, r) => {
    row(f, contents[r]!, (top) => valueLines[r]!.forEach((l, i) => text(page, l, valueX, top - i * 14, regular, 10.5, INK)));
  });
  row(spec.fingerprint.label, contents[contents.length - 1]!, (top) => drawHex(page, spec.fingerprint.hex, valueX, top, regular, 10, 32));
  page.operators(line({ x: labelX, y }, { x: W - 68, y }, 0.8, GOLD));

  // QR code with its caption.
  const qrSize = 92;
  const qrX = 66;
  const qrY = 96;
  drawQr(page, spec.qr.url, qrX, qrY, qrSize);
  text(page, spec.qr.caption.zh, qrX + (qrSize - regular.widthOfTextAtSize(spec.qr.caption.zh, 8.5)) / 2, qrY - 12, regular, 8.5, INK);
  text(page, spec.qr.caption.en, qrX + (qrSize - regular.widthOfTextAtSize(spec.qr.caption.en, 7)) / 2, qrY - 22, regular, 7, MUTED);

  // Verification notes beside the QR code.
  let ny = qrY + qrSize - 8;
  const noteX = qrX + qrSize + 16;
  const sealX = W - 118;
  const sealY = 146;
  const noteWidth = sealX - 50 - 14 - noteX;
  for (const n of spec.notes) {
    for (const l of wrap(regular, 8, n.zh, noteWidth, 3)) {
      text(page, l, noteX, ny, regular, 8, INK);
      ny -= 11;
    }
    for (const l of wrap(regular, 6.8, n.en, noteWidth, 3)) {
      text(page, l, noteX, ny, regular, 6.8, MUTED);
      ny -= 9.5;
    }
    ny -= 5;
  }
  const urlLines = wrap(regular, 7.5, spec.qr.url, noteWidth, 2);
  urlLines.forEach((l, i) => text(page, l, noteX, Math.max(ny, 70) - i * 10, regular, 7.5, INK));

  // Seal and date.
  seal(page, fonts, sealX, sealY, spec.seal.ring, spec.seal.center);
  if (spec.stamp) stampAcross(page, fonts, spec.stamp);
  text(page, spec.seal.date, sealX - regular.widthOfTextAtSize(spec.seal.date, 9.5) / 2, sealY - 66, regular, 9.5, INK);
  page.finish();

  // Attachment and metadata.
  const a = spec.attachment;
  await doc.attach(a.bytes, a.name, {
    mimeType: a.mimeType,
    description: a.description,
    creationDate: spec.now,
    modificationDate: spec.now,
    afRelationship: AFRelationship.Data,
  });
  doc.setTitle(spec.metadata.title, { showInWindowTitleBar: true });
  doc.setSubject(spec.metadata.subject);
  doc.setAuthor(`${spec.issuer.zh} / ${spec.issuer.en}`);
  doc.setKeywords([...(spec.metadata.keywords ?? []), `datadeed-id:${spec.id.value}`]);
  doc.setCreator('DataDeed');
  doc.setProducer('DataDeed (pdf-lib)');
  doc.setLanguage('zh-CN');
  doc.setCreationDate(spec.now);
  doc.setModificationDate(spec.now);
  if (spec.signer) return signDocument(doc, spec.signer, spec.now);
  return doc.save({ useObjectStreams: true, objectsPerTick: Number.POSITIVE_INFINITY });
}

// ---------------------------------------------------------------- the certificate

/** The default registry name on certificates. */
export const DEFAULT_ISSUER: Bilingual = { zh: 'DataDeed 数据知识产权登记平台', en: 'DataDeed Data Intellectual Property Registry' };

/** The verification URL of a certificate: `<public base URL>/verify/<number>`. */
export function verificationUrl(publicUrl: string, number: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/verify/${encodeURIComponent(number)}`;
}

/** A dataset size: the exact count, and in binary units beside it from 1 KiB on: "73,014,444,032 B (68.0 GiB)". */
function datasetSize(n: number): string {
  const exact = `${n.toLocaleString('en-US')} B`;
  return n < 1024 ? exact : `${exact} (${formatBytes(n)})`;
}

/** `2025-07-01T08:00:00Z` → `2025-07-01` (UTC date). */
/** The calendar date of an instant in the registry's time zone (a certificate issued at 06:48 on 1 December in Beijing is dated 1 December). */
function day(timestamp: string, timeZone: string = DEFAULT_TIME_ZONE): string {
  const key = `${timeZone}\u0000${timestamp}`;
  let d = days.get(key);
  if (d === undefined) {
    d = localTime(new Date(timestamp), timeZone).date;
    if (days.size >= 256) days.delete(days.keys().next().value!);
    days.set(key, d);
  }
  return d;
}

/** Recent calendar dates by time zone and timestamp (a page shows four or five; Intl's formatting is slow). */
const days = new Map<string, string>();

/** `2025-07-01T08:00:00Z` → `2025年07月01日` (in the time zone). */
function chineseDate(timestamp: string, timeZone: string = DEFAULT_TIME_ZONE): string {
  const d = day(timestamp, timeZone);
  return `${d.slice(0, 4)}年${d.slice(5, 7)}月${d.slice(8, 10)}日`;
}

/**
 * The independent parties a document names (issue 17), each a formatted line: the
 * witnesses (notary offices) that cosigned the checkpoint of the attached proof, the
 * RFC 3161 time over it, the notarial attestations of the fingerprint.
 */
export interface AttestedBy {
  witnesses?: string;
  timestamp?: string;
  notaries?: string;
}

/** The field rows of {@link AttestedBy} (none for what is absent). */
export function attestedFields(a: AttestedBy | undefined): DocumentField[] {
  if (!a) return [];
  return [
    ...(a.witnesses ? [{ zh: '见证联署', en: 'Cosigned by witnesses', value: a.witnesses }] : []),
    ...(a.timestamp ? [{ zh: '可信时间戳', en: 'Trusted time-stamp', value: a.timestamp }] : []),
    ...(a.notaries ? [{ zh: '公证', en: 'Notarised by', value: a.notaries }] : []),
  ];
}

/** Input of {@link renderCertificatePdf}. */
export interface CertificatePdfInput {
  /** The signed payload (already verified or freshly issued). */
  payload: CertificatePayload;
  /** The certificate's verification bundle, attached as `<number>.datadeed.json`. */
  bundle: Bundle;
  /** DATADEED_PUBLIC_URL: the QR code holds `<publicUrl>/verify/<number>`. */
  publicUrl: string;
  /** The injected clock (PDF dates). */
  now: Date;
  /** The registry's name (default {@link DEFAULT_ISSUER}). */
  issuer?: Bilingual;
  /** The seal's ring text (DATADEED_SEAL_TEXT; default the issuer's Chinese name). */
  seal?: string;
  /** The registry's time zone for the dates shown (DATADEED_TIMEZONE; default Asia/Shanghai). */
  timeZone?: string;
  /** Independent witnesses, time-stamp and notaries to name. */
  attestedBy?: AttestedBy;
  /** The registry's document signer (PAdES); null renders an unsigned certificate. */
  signer: DocumentSigner | null;
  /** A revoked (or cancelled) certificate is served stamped so: the status and its date (YYYY-MM-DD). */
  stamp?: { status: 'revoked' | 'cancelled'; date: string };
}

/**
 * Renders the registration certificate (数据知识产权登记证书) of DESIGN §5: number,
 * holder and its 统一社会信用代码, dataset name, manifest root, file count and size,
 * validity, issue date, key ID and log position, a QR code with the verification URL,
 * and the bundle attached. The bundle must be this payload's (same number), else
 * `invalid_document`.
 * @throws CertificateError `invalid_document`.
 */
export async function renderCertificatePdf(input: CertificatePdfInput): Promise<Uint8Array> {
  const { payload, bundle, publicUrl, now } = input;
  if (bundle.type !== 'certificate' || bundle.payload === undefined || !bundle.payload.includes(`"number":"${payload.number}"`)) {
    invalid('the bundle is not this certificate’s');
  }
  const issuer = input.issuer ?? DEFAULT_ISSUER;
  const tz = input.timeZone ?? DEFAULT_TIME_ZONE;
  const url = verificationUrl(publicUrl, payload.number);
  const fields: DocumentField[] = [
    { zh: '数据持有人', en: 'Holder', value: payload.holder.name },
    { zh: '统一社会信用代码', en: 'Unified Social Credit Code', value: payload.holder.uscc },
    { zh: '数据名称', en: 'Dataset', value: payload.dataset.name },
    {
      zh: '文件数量 / 数据量',
      en: 'Files / size',
      value: `${payload.dataset.files.toLocaleString('en-US')} 个文件 files · ${datasetSize(payload.dataset.bytes)}`,
    },
    { zh: '有效期', en: 'Valid', value: `${day(payload.validFrom, tz)} 至 to ${day(payload.validUntil, tz)}` },
    { zh: '发证日期', en: 'Date of issue', value: `${chineseDate(payload.issuedAt, tz)}  ${day(payload.issuedAt, tz)}` },
    {
      zh: '证书版本',
      en: 'Version',
      value: payload.supersedes ? `第 ${payload.version} 版 · version ${payload.version}，取代 supersedes ${payload.supersedes}` : `第 ${payload.version} 版 · version ${payload.version}`,
    },
    { zh: '签名密钥 / 日志位置', en: 'Signing key / log entry', value: `${payload.keyId} · ${payload.origin} #${payload.log.index}` },
    ...attestedFields(input.attestedBy),
  ];
  const bundleText = serializeBundle(bundle);
  const stamp =
    input.stamp &&
    (input.stamp.status === 'revoked'
      ? { zh: `已撤销 · 本证书无效`, en: `REVOKED ${input.stamp.date} · NOT VALID` }
      : { zh: `已注销 · 本证书无效`, en: `CANCELLED ${input.stamp.date} · NOT VALID` });
  return renderDocumentPdf({
    issuer,
    ...(stamp ? { stamp } : {}),
    title: { zh: '数据知识产权登记证书', en: 'Data Intellectual Property Registration Certificate' },
    id: { label: { zh: '登记编号', en: 'Registration No.' }, value: payload.number },
    statement: {
      zh: '经审查并公示期满，下列数据已依法登记，特发此证。',
      en: 'After examination and public notice, the dataset below is registered; this certificate is issued accordingly.',
    },
    fields,
    fingerprint: { label: { zh: '数据指纹（清单根哈希）', en: 'Fingerprint (manifest root, SHA-256)' }, hex: payload.dataset.manifestRoot },
    qr: { url, caption: { zh: '扫码在线验证', en: 'Scan to verify' } },
    seal: { ring: input.seal ?? issuer.zh.replace(/^DataDeed\s*/, ''), center: input.seal ? '数据知识产权登记' : '登记专用章', date: chineseDate(payload.issuedAt, tz) },
    notes: [
      {
        zh: `本证书经 Ed25519 数字签名（密钥 ${payload.keyId}）并记录于公开透明日志第 ${payload.log.index} 条。`,
        en: `Signed with Ed25519 (key ${payload.keyId}) and recorded as entry ${payload.log.index} of the public transparency log.`,
      },
      {
        zh: `本 PDF 内附验证数据包 ${bundleFileName(payload.number)}，可离线验证（datadeed verify 本文件）或在线验证：`,
        en: `The attached ${bundleFileName(payload.number)} verifies offline (datadeed verify <this file>) or online at:`,
      },
    ],
    attachment: {
      name: bundleFileName(payload.number),
      bytes: utf8(bundleText),
      mimeType: 'application/json',
      description: `DataDeed verification bundle of certificate ${payload.number}`,
    },
    metadata: {
      title: `数据知识产权登记证书 ${payload.number} / Data Intellectual Property Registration Certificate`,
      subject: `${payload.number}: ${payload.dataset.name} (${payload.holder.uscc})`,
      keywords: ['DataDeed', '数据知识产权登记证书'],
    },
    now,
    signer: input.signer,
  });
}
