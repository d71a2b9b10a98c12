/**
 * Verifies a DataDeed PDF: extracts the attached bundle (pdf-extract.ts), verifies it
 * (verify.ts), and adds the check `pdf_binding`: the document must declare, in its
 * metadata keywords (`datadeed-id:<id>`), the same certificate the bundle proves, and
 * its attachment must be named `<id>.datadeed.json`. So a certificate PDF whose
 * attachment was swapped for another (genuine) certificate's bundle fails.
 *
 * What the binding cannot do: prove that the page's visible text was not edited
 * together with the metadata. The verified facts are those of the bundle — the
 * verifier shows them (`result.payload`), and a reader compares them with the page.
 *
 * Runs in Node and in browsers (pdf-lib; no node: imports).
 */
import { bundleFileName } from './bundle.ts';
import { extractBundleFromPdf } from './pdf-extract.ts';
import { verifyBundle, type Ed25519Verify, type TrustedKeys, type VerifyCheck, type VerifyResult } from './verify.ts';

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

/**
 * Verifies a DataDeed PDF offline: the attached bundle's checks (see `verifyBundle`)
 * followed by `pdf_binding`.
 * @throws CertificateError `pdf_too_large`, `pdf_unreadable` or `pdf_no_bundle` when
 *   no bundle can be read from the file; `invalid_trusted_key` for a malformed trust set.
 */
export async function verifyPdf(pdf: Uint8Array, trust: TrustedKeys, crypto: Ed25519Verify): Promise<VerifyResult & { attachment: string }> {
  const extracted = await extractBundleFromPdf(pdf);
  const result = await verifyBundle(extracted.bytes, trust, crypto);
  const binding = pdfBindingCheck(result, extracted);
  return { ...result, ok: result.ok && binding.ok, checks: [...result.checks, binding], attachment: extracted.name };
}
