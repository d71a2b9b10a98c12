/**
 * Verifies a DataDeed PDF: extracts the attached bundle (extract.ts), verifies it
 * (verify.ts), and adds two checks:
 *
 * - `pdf_binding`: the document must declare, in its metadata keywords
 *   (`datadeed-id:<id>`), the same certificate the bundle proves, and its attachment
 *   must be named `<id>.datadeed.json`. So a certificate PDF whose attachment was
 *   swapped for another (genuine) certificate's bundle fails.
 * - `pdf_signature`: the document's PAdES signature (signature.ts, cades.ts) covers the
 *   whole file but its own /Contents, verifies, and was made by a document certificate
 *   of the registry's CA that the log holds — one the caller trusts
 *   (`trust.documentKeys`, from `/v1/keys`), or the one whose `key.added` entry the PDF's
 *   `*.datadeed-key.json` proves included in a checkpoint signed by a trusted log key of
 *   the bundle's log. So the page itself — the holder's name, the validity — cannot be
 *   edited, nor anything appended, without this check failing (`pdf_unsigned`,
 *   `pdf_byte_range_invalid`, `pdf_digest_mismatch`, `pdf_signature_invalid`,
 *   `pdf_signer_untrusted`).
 *
 * Runs in Node and in browsers (pdf-lib; no node: imports; verification injected).
 */
import { bundleFileName } from '../bundle.ts';
import { verifyDocumentSignature, type TrustedDocumentCertificate } from '../cades.ts';
import { openDocumentKeyProof, documentKeyId } from '../document-key.ts';
import { CertificateError } from '../errors.ts';
import { fromBase64 } from '../../ledger/index.ts';
import type { SignatureVerify } from '../x509.ts';
import { extractBundleFromPdf, type ExtractedBundle } from './extract.ts';
import { signedBytes } from './signature.ts';
import { verifyBundle, type Ed25519Verify, type TrustedKeys, type VerifyCheck, type VerifyCode, type VerifyOptions, type VerifyResult } from '../verify.ts';

/** The `pdf_binding` check of a verified bundle against what the PDF declares. */
export function pdfBindingCheck(result: VerifyResult, pdf: { name: string; declaredId: string | null }): VerifyCheck {
  const name = 'pdf_binding';
  const format = result.checks.find((c) => c.name === 'format');
  if (!format?.ok) return { name, ok: false, code: 'not_checked', detail: 'not checked: the bundle format is invalid' };
  if (pdf.declaredId === null) return { name, ok: false, code: 'pdf_mismatch', detail: 'the PDF declares no DataDeed identifier' };
  if (pdf.name !== bundleFileName(pdf.declaredId)) {
    return { name, ok: false, code: 'pdf_mismatch', detail: 'the attachment’s name is not the PDF’s declared identifier' };
  }
  if (result.type === 'certificate') {
    return result.payload?.number === pdf.declaredId
      ? { name, ok: true, code: 'ok' }
      : { name, ok: false, code: 'pdf_mismatch', detail: 'the attached bundle is another certificate’s' };
  }
  // Receipts: the logged entry must name the declared identifier in one of its fields.
  const named = Object.values(result.entry ?? {}).some((v) => v === pdf.declaredId);
  return named ? { name, ok: true, code: 'ok' } : { name, ok: false, code: 'pdf_mismatch', detail: 'the attached bundle is another record’s' };
}

/** The document certificates to accept: the caller's, and the one a proof in the PDF shows the bundle's log holds. */
async function trustedDocumentCertificates(extracted: ExtractedBundle, trust: TrustedKeys, origin: string | undefined, crypto: Ed25519Verify): Promise<TrustedDocumentCertificate[]> {
  const out: TrustedDocumentCertificate[] = [];
  for (const k of trust.documentKeys ?? []) {
    try {
      out.push({ certificate: fromBase64(k.certificate), caCertificate: fromBase64(k.caCertificate) });
    } catch {
      throw new CertificateError('invalid_trusted_key', 'a trusted document key is not base64 DER');
    }
  }
  if (origin !== undefined) {
    for (const proof of extracted.keyProofs) {
      const logged = await openDocumentKeyProof(proof, trust.logKeys, origin, crypto);
      if (logged) out.push(logged);
    }
  }
  return out;
}

/**
 * The `pdf_signature` check: the PDF's one signature covers the whole file but its
 * /Contents and verifies, by a trusted document certificate (see the module comment).
 * @param origin - the log of the verified bundle (whose document key proofs count).
 */
export async function pdfSignatureCheck(
  pdf: Uint8Array,
  extracted: ExtractedBundle,
  trust: TrustedKeys,
  origin: string | undefined,
  crypto: Ed25519Verify & SignatureVerify,
): Promise<VerifyCheck> {
  const name = 'pdf_signature';
  try {
    if (extracted.signatures.length === 0) throw new CertificateError('pdf_unsigned', 'the PDF carries no signature');
    if (extracted.signatures.length > 1) throw new CertificateError('pdf_signature_invalid', 'the PDF carries more than one signature');
    const sig = extracted.signatures[0]!;
    const bytes = signedBytes(pdf, sig);
    const trusted = await trustedDocumentCertificates(extracted, trust, origin, crypto);
    const signer = await verifyDocumentSignature({ signedBytes: bytes, cms: sig.contents, subFilter: sig.subFilter ?? '' }, trusted, crypto);
    return { name, ok: true, code: 'ok', detail: `the whole file is signed by document key ${documentKeyId(signer.der)}` };
  } catch (e) {
    if (e instanceof CertificateError && e.code !== 'invalid_trusted_key') return { name, ok: false, code: e.code as VerifyCode, detail: e.message };
    throw e;
  }
}

/**
 * Verifies a DataDeed PDF offline: the attached bundle's checks (see `verifyBundle`)
 * followed by `pdf_binding` and `pdf_signature`.
 * @throws CertificateError `pdf_too_large`, `pdf_unreadable` or `pdf_no_bundle` when
 *   no bundle can be read from the file; `invalid_trusted_key` for a malformed trust set.
 */
export async function verifyPdf(
  pdf: Uint8Array,
  trust: TrustedKeys,
  crypto: Ed25519Verify & SignatureVerify,
  opts: VerifyOptions = {},
): Promise<VerifyResult & { attachment: string }> {
  const extracted = await extractBundleFromPdf(pdf);
  const result = await verifyBundle(extracted.bytes, trust, crypto, opts);
  const binding = pdfBindingCheck(result, extracted);
  // A document key proof counts only for the log whose checkpoint the bundle proved.
  const checkpointOk = result.checks.some((c) => c.name === 'checkpoint_signature' && c.ok);
  const signature = await pdfSignatureCheck(pdf, extracted, trust, checkpointOk ? result.checkpoint?.origin : undefined, crypto);
  return { ...result, ok: result.ok && binding.ok && signature.ok, checks: [...result.checks, binding, signature], attachment: extracted.name };
}
