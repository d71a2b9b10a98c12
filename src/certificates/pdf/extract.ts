/**
 * Reads the verification bundle back out of an untrusted PDF with pdf-lib alone (no
 * poppler), bounded in time and memory:
 *
 * - inputs over {@link MAX_PDF_BYTES} are refused before any parsing, and so are
 *   inputs with more than {@link MAX_PDF_TOKENS} whitespace and delimiter bytes (an
 *   upper bound on the objects pdf-lib would build: it parses every object eagerly,
 *   ~60 bytes of heap per token);
 * - bytes between objects that are not objects, a cross-reference section or a
 *   trailer end the parse at once (pdf-lib would otherwise try every byte offset);
 * - pdf-lib's parser decodes nothing on load except object streams, and those only
 *   after a bounded inflate of ours has shown them small (single FlateDecode, at most
 *   {@link MAX_OBJECT_STREAM_BYTES} each, {@link MAX_OBJECT_STREAMS_TOTAL} in all) —
 *   a compression bomb is refused, never expanded; cross-reference streams are not
 *   decoded at all (only their dictionary's Root and Info are needed);
 * - the name tree walk (catalog → Names → EmbeddedFiles) is depth- and count-limited;
 * - the attachment is inflated by us with a bound of `MAX_BUNDLE_BYTES`;
 * - every parser failure becomes a `CertificateError` (`pdf_too_large`,
 *   `pdf_unreadable`, `pdf_no_bundle`).
 *
 * Runs in Node and in browsers (pdf-lib and the standard `DecompressionStream`).
 */
import {
  PDFArray,
  PDFDict,
  PDFHexString,
  PDFName,
  PDFObjectStreamParser,
  PDFParser,
  PDFRawStream,
  PDFRef,
  PDFString,
  type PDFContext,
  type PDFObject,
} from 'pdf-lib';
import { MAX_BUNDLE_BYTES } from '../bundle.ts';
import { DOCUMENT_KEY_PROOF_SUFFIX, MAX_DOCUMENT_KEY_PROOF_BYTES } from '../document-key.ts';
import { CertificateError } from '../errors.ts';
import { pdfSignatures, type PdfSignature } from './signature.ts';

/** Largest PDF accepted (bytes). A DataDeed certificate is ~45 KB. */
export const MAX_PDF_BYTES = 8 * 1024 * 1024;
/** Largest decoded object stream. */
export const MAX_OBJECT_STREAM_BYTES = 4 * 1024 * 1024;
/** Largest total of decoded object streams in one PDF. */
export const MAX_OBJECT_STREAMS_TOTAL = 16 * 1024 * 1024;
/** Most whitespace and delimiter bytes in an accepted PDF (see the module comment). A certificate has ~15,000. */
export const MAX_PDF_TOKENS = 1_000_000;
const MAX_NAME_TREE_DEPTH = 8;
const MAX_NAME_TREE_NODES = 256;
const MAX_ATTACHMENTS = 256;

/** The file name suffix of verification bundles. */
export const BUNDLE_SUFFIX = '.datadeed.json';

/** What {@link extractBundleFromPdf} found. */
export interface ExtractedBundle {
  /** The attachment's file name (`<id>.datadeed.json` in DataDeed PDFs). */
  name: string;
  /** The attachment's bytes (the bundle JSON, not yet parsed). */
  bytes: Uint8Array;
  /** The id the document declares in its metadata keywords (`datadeed-id:<id>`), if any. */
  declaredId: string | null;
  /** The `*.datadeed-key.json` attachments: proofs that the log holds the document signer's certificate (at most {@link MAX_KEY_PROOFS}). */
  keyProofs: Uint8Array[];
  /** The document's signature dictionaries (none for an unsigned PDF). */
  signatures: PdfSignature[];
}

/** Most document key proofs read from one PDF. */
export const MAX_KEY_PROOFS = 4;

function unreadable(message = 'the file is not a readable PDF'): CertificateError {
  return new CertificateError('pdf_unreadable', message);
}

/** Inflates zlib data (FlateDecode) with an output bound; over the bound → `pdf_too_large`, corrupt → `pdf_unreadable`. */
async function inflateBounded(data: Uint8Array, limit: number): Promise<Uint8Array> {
  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  writer.write(data.slice()).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) throw new CertificateError('pdf_too_large', 'a compressed stream in the PDF expands beyond the limit');
      chunks.push(value);
    }
  } catch (e) {
    await reader.cancel().catch(() => {});
    if (e instanceof CertificateError) throw e;
    throw unreadable('a compressed stream in the PDF is corrupt');
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** The single filter of a stream: none, FlateDecode without parameters, or unsupported. */
function flateOnly(dict: PDFDict): 'none' | 'flate' | 'unsupported' {
  const filter = dict.get(PDFName.of('Filter'));
  if (filter === undefined) return 'none';
  if (dict.get(PDFName.of('DecodeParms')) !== undefined) return 'unsupported';
  const name = filter instanceof PDFArray && filter.size() === 1 ? filter.get(0) : filter;
  return name === PDFName.of('FlateDecode') ? 'flate' : 'unsupported';
}

async function decodeBounded(stream: PDFRawStream, limit: number): Promise<Uint8Array> {
  switch (flateOnly(stream.dict)) {
    case 'none':
      if (stream.contents.length > limit) throw new CertificateError('pdf_too_large', 'a stream in the PDF is too large');
      return stream.contents;
    case 'flate':
      return inflateBounded(stream.contents, limit);
    default:
      throw unreadable('the PDF uses a stream encoding the extractor does not read');
  }
}

// The pdf-lib parser internals we re-use (private in its typings, stable in 1.17).
interface ParserInternals {
  context: PDFContext;
  shouldWaitForTick: () => boolean;
  parseIndirectObjectHeader(): PDFRef;
  skipWhitespaceAndComments(): void;
  parseObject(): PDFObject;
  matchKeyword(keyword: number[]): boolean;
  parseIndirectObject(): Promise<PDFRef>;
  skipJibberish(): void;
  bytes: { done(): boolean; peek(): number; offset(): number; moveTo(offset: number): void };
}

const keyword = (k: string) => [...k].map((c) => c.charCodeAt(0));
const ENDOBJ = keyword('endobj');
const SECTION_KEYWORDS = [keyword('xref'), keyword('trailer'), keyword('startxref')];

/** Whitespace (ISO 32000-1 §7.2.2, table 1) and delimiter (table 2) bytes. */
const TOKEN_BREAKS = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20, ...keyword('()<>[]{}/%')]) TOKEN_BREAKS[c] = 1;

function tokenBreaks(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) n += TOKEN_BREAKS[bytes[i]!]!;
  return n;
}

/**
 * Parses the PDF's objects with pdf-lib, replacing its per-object step so that object
 * streams are size-checked before pdf-lib decodes them and cross-reference streams are
 * never decoded (their dictionary supplies the trailer). Otherwise identical to
 * pdf-lib 1.17's PDFParser.parseIndirectObject.
 */
async function parseBounded(bytes: Uint8Array): Promise<PDFContext> {
  const parser = PDFParser.forBytesWithOptions(bytes, Infinity, true, false);
  const p = parser as unknown as ParserInternals;
  let decodedTotal = 0;
  // pdf-lib turns errors inside an object into its own; the first of ours wins.
  let fatal: CertificateError | undefined;
  const stop = (e: CertificateError): never => {
    fatal ??= e;
    throw e;
  };
  p.skipJibberish = function skipJibberish(this: ParserInternals): void {
    this.skipWhitespaceAndComments();
    if (this.bytes.done()) return;
    const b = this.bytes.peek();
    if (b >= 0x30 && b <= 0x39) return;
    const at = this.bytes.offset();
    for (const k of SECTION_KEYWORDS) {
      const found = this.matchKeyword(k);
      this.bytes.moveTo(at);
      if (found) return;
    }
    stop(unreadable('the PDF has data outside its objects'));
  };
  p.parseIndirectObject = async function parseIndirectObject(this: ParserInternals): Promise<PDFRef> {
    const ref = this.parseIndirectObjectHeader();
    this.skipWhitespaceAndComments();
    const object = this.parseObject();
    this.skipWhitespaceAndComments();
    this.matchKeyword(ENDOBJ);
    if (object instanceof PDFRawStream) {
      const type = object.dict.get(PDFName.of('Type'));
      if (type === PDFName.of('XRef')) {
        const d = object.dict;
        this.context.trailerInfo = {
          Root: d.get(PDFName.of('Root')) ?? this.context.trailerInfo.Root,
          Encrypt: d.get(PDFName.of('Encrypt')) ?? this.context.trailerInfo.Encrypt,
          Info: d.get(PDFName.of('Info')) ?? this.context.trailerInfo.Info,
          ID: d.get(PDFName.of('ID')) ?? this.context.trailerInfo.ID,
        };
        return ref;
      }
      if (type === PDFName.of('ObjStm')) {
        const decoded = await decodeBounded(object, MAX_OBJECT_STREAM_BYTES).catch((e: unknown) =>
          stop(e instanceof CertificateError ? e : unreadable()),
        );
        decodedTotal += decoded.length;
        if (decodedTotal > MAX_OBJECT_STREAMS_TOTAL) stop(new CertificateError('pdf_too_large', 'the PDF’s object streams are too large'));
        // Hand pdf-lib the already-inflated bytes (no filter), so it decodes nothing itself.
        const plain = PDFRawStream.of(object.dict.clone(this.context), decoded);
        plain.dict.delete(PDFName.of('Filter'));
        plain.dict.delete(PDFName.of('DecodeParms'));
        await PDFObjectStreamParser.forStream(plain, this.shouldWaitForTick).parseIntoContext();
        return ref;
      }
    }
    this.context.assign(ref, object);
    return ref;
  };
  try {
    return await parser.parseDocument();
  } catch (e) {
    throw fatal ?? e;
  }
}

function text(obj: PDFObject | undefined): string | undefined {
  return obj instanceof PDFString || obj instanceof PDFHexString ? obj.decodeText() : undefined;
}

/** Every (name, file specification) pair of an EmbeddedFiles name tree, bounded (ISO 32000-1 §7.9.6). */
function embeddedFiles(context: PDFContext, root: PDFDict): [string, PDFDict][] {
  const out: [string, PDFDict][] = [];
  let nodes = 0;
  const visit = (node: PDFDict, depth: number) => {
    if (depth > MAX_NAME_TREE_DEPTH || ++nodes > MAX_NAME_TREE_NODES) throw unreadable('the PDF’s attachment list is too deep or too long');
    const names = context.lookupMaybe(node.get(PDFName.of('Names')), PDFArray);
    if (names) {
      for (let i = 0; i + 1 < names.size(); i += 2) {
        const spec = context.lookupMaybe(names.get(i + 1), PDFDict);
        const key = text(names.get(i));
        if (spec && key !== undefined) out.push([key, spec]);
        if (out.length > MAX_ATTACHMENTS) throw unreadable('the PDF has too many attachments');
      }
    }
    const kids = context.lookupMaybe(node.get(PDFName.of('Kids')), PDFArray);
    if (kids) for (let i = 0; i < kids.size(); i++) {
      const kid = context.lookupMaybe(kids.get(i), PDFDict);
      if (kid) visit(kid, depth + 1);
    }
  };
  visit(root, 0);
  return out;
}

function declaredIdOf(context: PDFContext): string | null {
  const info = context.lookupMaybe(context.trailerInfo.Info, PDFDict);
  const keywords = info ? text(context.lookup(info.get(PDFName.of('Keywords')))) : undefined;
  if (keywords === undefined) return null;
  const ids = keywords
    .split(/\s+/)
    .filter((k) => k.startsWith('datadeed-id:'))
    .map((k) => k.slice('datadeed-id:'.length));
  return ids.length === 1 && ids[0] ? ids[0] : null;
}

/**
 * Extracts the one `*.datadeed.json` attachment of a PDF (catalog → Names →
 * EmbeddedFiles → file specification → EF → embedded file stream), the id the
 * document declares in its keywords, the document key proofs it carries and its
 * signature dictionaries (checked by verify.ts).
 * @param pdf - the untrusted file.
 * @throws CertificateError `pdf_too_large` (input over {@link MAX_PDF_BYTES}, or a
 *   stream that would expand beyond its bound), `pdf_unreadable` (not a PDF,
 *   truncated, encrypted, an unsupported encoding, several bundles), or
 *   `pdf_no_bundle` (a PDF without a bundle attachment).
 */
export async function extractBundleFromPdf(pdf: Uint8Array): Promise<ExtractedBundle> {
  if (!(pdf instanceof Uint8Array)) throw unreadable();
  if (pdf.length > MAX_PDF_BYTES) throw new CertificateError('pdf_too_large', 'the PDF is larger than the verifier accepts');
  // The header must be near the start (ISO 32000-1 §7.5.2; readers tolerate a little junk).
  const head = String.fromCharCode(...pdf.subarray(0, 1024));
  if (!head.includes('%PDF-')) throw unreadable('the file is not a PDF');
  if (tokenBreaks(pdf) > MAX_PDF_TOKENS) throw new CertificateError('pdf_too_large', 'the PDF has more objects than the verifier accepts');

  let context: PDFContext;
  try {
    context = await parseBounded(pdf);
  } catch (e) {
    if (e instanceof CertificateError) throw e;
    throw unreadable();
  }
  try {
    if (context.trailerInfo.Encrypt !== undefined) throw unreadable('the PDF is encrypted');
    const catalog = context.lookupMaybe(context.trailerInfo.Root, PDFDict);
    if (!catalog) throw unreadable('the PDF has no document catalog');
    const names = context.lookupMaybe(catalog.get(PDFName.of('Names')), PDFDict);
    const tree = names ? context.lookupMaybe(names.get(PDFName.of('EmbeddedFiles')), PDFDict) : undefined;
    const bundles: { name: string; stream: PDFRawStream }[] = [];
    const proofs: PDFRawStream[] = [];
    for (const [key, spec] of tree ? embeddedFiles(context, tree) : []) {
      const name = text(spec.get(PDFName.of('UF'))) ?? text(spec.get(PDFName.of('F'))) ?? key;
      const isProof = name.endsWith(DOCUMENT_KEY_PROOF_SUFFIX);
      if (!name.endsWith(BUNDLE_SUFFIX) && !isProof) continue;
      const ef = context.lookupMaybe(spec.get(PDFName.of('EF')), PDFDict);
      const stream = ef ? context.lookup(ef.get(PDFName.of('F')) ?? ef.get(PDFName.of('UF'))) : undefined;
      if (!(stream instanceof PDFRawStream)) throw unreadable('a bundle attachment has no data');
      if (isProof) {
        if (proofs.length < MAX_KEY_PROOFS) proofs.push(stream);
      } else bundles.push({ name, stream });
    }
    if (bundles.length === 0) throw new CertificateError('pdf_no_bundle', 'the PDF carries no DataDeed verification bundle');
    if (bundles.length > 1) throw unreadable('the PDF carries more than one verification bundle');
    const { name, stream } = bundles[0]!;
    const bytes = await decodeBounded(stream, MAX_BUNDLE_BYTES);
    const keyProofs: Uint8Array[] = [];
    for (const p of proofs) keyProofs.push(await decodeBounded(p, MAX_DOCUMENT_KEY_PROOF_BYTES));
    return { name, bytes, declaredId: declaredIdOf(context), keyProofs, signatures: pdfSignatures(context) };
  } catch (e) {
    if (e instanceof CertificateError) throw e;
    throw unreadable();
  }
}
