/**
 * The signature of a DataDeed PDF as read back from an untrusted file (PAdES, ISO
 * 32000-1 §12.8): the signature dictionaries of the parsed document, and the bytes its
 * /ByteRange covers — which must be the whole file except the signature's own /Contents
 * string, so that nothing can be added (an incremental update) or altered unsigned.
 *
 * Runs in Node and in browsers (pdf-lib).
 */
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFString, type PDFContext, type PDFObject } from 'pdf-lib';
import { concatBytes } from '../../ledger/index.ts';
import { CertificateError } from '../errors.ts';

/** One signature dictionary: its /ByteRange, its /Contents (the CMS, zero-padded) and /SubFilter. */
export interface PdfSignature {
  byteRange: number[];
  contents: Uint8Array;
  subFilter: string | null;
}

const MAX_FIELDS = 256;

function signatureOf(dict: PDFDict, context: PDFContext): PdfSignature | null {
  const range = context.lookupMaybe(dict.get(PDFName.of('ByteRange')), PDFArray);
  const contents = context.lookup(dict.get(PDFName.of('Contents')));
  if (!range && !contents && dict.get(PDFName.of('Type')) !== PDFName.of('Sig')) return null;
  const byteRange: number[] = [];
  for (let i = 0; range && i < range.size(); i++) {
    const n = context.lookup(range.get(i));
    byteRange.push(n instanceof PDFNumber ? n.asNumber() : Number.NaN);
  }
  const subFilter = context.lookup(dict.get(PDFName.of('SubFilter')));
  return {
    byteRange,
    contents: contents instanceof PDFHexString || contents instanceof PDFString ? contents.asBytes() : new Uint8Array(0),
    subFilter: subFilter instanceof PDFName ? subFilter.decodeText() : null,
  };
}

/**
 * Every signature dictionary of a parsed PDF: indirect objects that are signature
 * dictionaries (/Type /Sig, or a /ByteRange or /Contents beside a /Filter), and the
 * values (/V) of the AcroForm's signature fields. Empty for an unsigned PDF.
 */
export function pdfSignatures(context: PDFContext): PdfSignature[] {
  const found = new Set<PDFDict>();
  for (const [, obj] of context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFDict)) continue;
    const isSig = obj.get(PDFName.of('Type')) === PDFName.of('Sig') || (obj.has(PDFName.of('ByteRange')) && obj.has(PDFName.of('Filter')));
    if (isSig) found.add(obj);
  }
  const catalog = context.lookupMaybe(context.trailerInfo.Root, PDFDict);
  const form = catalog ? context.lookupMaybe(catalog.get(PDFName.of('AcroForm')), PDFDict) : undefined;
  const fields = form ? context.lookupMaybe(form.get(PDFName.of('Fields')), PDFArray) : undefined;
  const queue: PDFObject[] = fields ? fields.asArray().slice(0, MAX_FIELDS) : [];
  for (let visited = 0; queue.length > 0 && visited < MAX_FIELDS; visited++) {
    const field = context.lookupMaybe(queue.shift(), PDFDict);
    if (!field) continue;
    const value = context.lookupMaybe(field.get(PDFName.of('V')), PDFDict);
    if (value && field.get(PDFName.of('FT')) === PDFName.of('Sig')) found.add(value);
    const kids = context.lookupMaybe(field.get(PDFName.of('Kids')), PDFArray);
    if (kids) queue.push(...kids.asArray().slice(0, MAX_FIELDS));
  }
  const out: PdfSignature[] = [];
  for (const dict of found) {
    const s = signatureOf(dict, context);
    if (s) out.push(s);
  }
  return out;
}

const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

const invalidRange = (message: string) => new CertificateError('pdf_byte_range_invalid', message);

/**
 * The bytes a signature covers: `[0, a)` and `[b, b + c)` of `/ByteRange [0 a b c]`.
 * The range must cover the whole file but the hole `[a, b)`, and the hole must be
 * exactly the signature's /Contents hex string — nothing else may go unsigned.
 * @throws CertificateError `pdf_byte_range_invalid`.
 */
export function signedBytes(pdf: Uint8Array, sig: PdfSignature): Uint8Array {
  const r = sig.byteRange;
  if (r.length !== 4 || !r.every((n) => Number.isSafeInteger(n) && n >= 0)) throw invalidRange('the signature’s /ByteRange is not four non-negative integers');
  const [start, a, b, c] = r as [number, number, number, number];
  if (start !== 0 || a < 1 || b <= a + 1 || b + c > pdf.length) throw invalidRange('the signature’s /ByteRange does not describe the file');
  if (b + c !== pdf.length) throw invalidRange('the signature does not cover the end of the file: bytes were added after signing');
  if (pdf[a] !== 0x3c || pdf[b - 1] !== 0x3e) throw invalidRange('the unsigned hole of the /ByteRange is not the signature’s /Contents string');
  const hex = pdf.subarray(a + 1, b - 1);
  if (hex.length % 2 !== 0 || hex.length !== sig.contents.length * 2 || hex.some((ch) => HEX[ch] !== 1)) {
    throw invalidRange('the unsigned hole of the /ByteRange is not the signature’s /Contents string');
  }
  for (let i = 0; i < sig.contents.length; i++) {
    const byte = Number.parseInt(String.fromCharCode(hex[2 * i]!, hex[2 * i + 1]!), 16);
    if (byte !== sig.contents[i]) throw invalidRange('the unsigned hole of the /ByteRange is not the signature’s /Contents string');
  }
  return concatBytes(pdf.subarray(0, a), pdf.subarray(b, b + c));
}
