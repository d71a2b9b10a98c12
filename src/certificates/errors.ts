import { DataDeedError, type FieldIssue } from '../errors.ts';

/**
 * The closed set of failure codes of `src/certificates`. Codes are API: they are never
 * renamed; the HTTP boundary, the CLI and tests switch on them.
 *
 * Payloads and bundles
 * - `invalid_payload` — a certificate payload (or the fields to build one) fails the schema of DESIGN §5.
 * - `non_canonical_payload` — payload bytes are not exactly the RFC 8785 (JCS) encoding of their content.
 * - `invalid_bundle` — a verification bundle is not JSON of the `datadeed-bundle/1` format, or exceeds its bounds.
 * - `signer_mismatch` — a signer's key ID or key name does not match the payload it is asked to sign.
 * - `invalid_trusted_key` — a trusted key handed to the verifier is malformed (a caller error, not a bundle problem).
 *
 * PDF documents
 * - `invalid_document` — the description of a PDF to render is unusable (e.g. an empty title).
 * - `pdf_too_large` — a PDF (or a stream inside it) is larger than the extractor accepts.
 * - `pdf_unreadable` — the input is not a PDF the extractor can parse (not a PDF, truncated, unsupported structure).
 * - `pdf_no_bundle` — the PDF parses but carries no `*.datadeed.json` attachment.
 *
 * The PDF's signature (PAdES: CMS detached over a /ByteRange, by the registry's document key)
 * - `pdf_unsigned` — the PDF carries no signature.
 * - `pdf_byte_range_invalid` — the signature does not cover the whole file except its own
 *   /Contents (bytes were appended after signing, e.g. an incremental update, or the range is malformed).
 * - `pdf_signature_invalid` — the signature is malformed, several, or does not verify with its certificate.
 * - `pdf_digest_mismatch` — the signed bytes were changed: their SHA-256 is not the one signed.
 * - `pdf_signer_untrusted` — the signer is not a document certificate of the registry's CA that the log holds.
 *
 * Signing keys on disk
 * - `key_file_invalid` — a certificate key file does not hold a valid key for this registry.
 * - `key_file_permissions` — a certificate key file is readable by group or others.
 * - `key_not_found` — no key file for the requested key ID.
 */
export const CERTIFICATE_ERROR_CODES = [
  'invalid_payload',
  'non_canonical_payload',
  'invalid_bundle',
  'signer_mismatch',
  'invalid_trusted_key',
  'invalid_document',
  'pdf_too_large',
  'pdf_unreadable',
  'pdf_no_bundle',
  'pdf_unsigned',
  'pdf_byte_range_invalid',
  'pdf_signature_invalid',
  'pdf_digest_mismatch',
  'pdf_signer_untrusted',
  'key_file_invalid',
  'key_file_permissions',
  'key_not_found',
] as const;
export type CertificateErrorCode = (typeof CERTIFICATE_ERROR_CODES)[number];

/**
 * The one error type thrown by `src/certificates`. Callers switch on
 * {@link CertificateError.code}; messages are fixed, short, and never echo input
 * values or secret material. `details` (optional) lists which fields failed, by path.
 */
export class CertificateError extends DataDeedError<CertificateErrorCode> {
  /**
   * @param code - the stable failure code.
   * @param message - a fixed, human-readable explanation (not part of the API).
   * @param details - optional field paths that failed, with fixed messages.
   */
  constructor(code: CertificateErrorCode, message: string, details: readonly FieldIssue[] = []) {
    super(code, message, details);
    this.name = 'CertificateError';
  }
}
