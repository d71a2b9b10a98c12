/**
 * Public surface of the pure certificate core (DESIGN §5): 统一社会信用代码
 * validation, the certificate payload and its `certificate.issued` log entry, the
 * signature message, the verification bundle, and the one bundle verifier with its
 * browser-safe Ed25519 adapters. Imports no node:, database, HTTP or PDF code, so it
 * runs unchanged in browsers.
 *
 * Node-side modules, imported by path: `crypto-node.ts` (node:crypto adapter),
 * `keyring.ts` (key files), `pdf.ts` (rendering), `pdf-extract.ts` and
 * `verify-pdf.ts` (reading a bundle back from a PDF; pdf-lib).
 */
export { CertificateError } from './errors.ts';
export type { CertificateErrorCode } from './errors.ts';
export { USCC_CHARSET, USCC_REGISTRATION_AUTHORITIES, orgCodeCheckDigit, usccCheckCharacter, validateUscc } from './uscc.ts';
export type { UsccErrorCode, UsccValidation } from './uscc.ts';
export {
  CERTIFICATE_ISSUED_KIND,
  CERTIFICATE_NUMBER,
  MAX_PAYLOAD_BYTES,
  canonicalJson,
  certificateFieldsSchema,
  certificateIssuedEvent,
  certificatePayload,
  certificatePayloadDigest,
  certificatePayloadSchema,
  encodeCertificatePayload,
  isUtcTimestamp,
  parseCertificateFields,
  parseCertificatePayload,
} from './payload.ts';
export type { CertificateFields, CertificatePayload } from './payload.ts';
export {
  CERTIFICATE_SIGNATURE_CONTEXT,
  certificateKeyName,
  certificateSigningMessage,
  formatKeyId,
  signCertificatePayload,
} from './signature.ts';
export type { CertificateSignature } from './signature.ts';
export {
  BUNDLE_FORMAT,
  MAX_BUNDLE_BYTES,
  MAX_CHECKPOINT_BYTES,
  MAX_PROOF_HASHES,
  buildBundle,
  bundleFileName,
  bundleSchema,
  parseBundle,
  serializeBundle,
} from './bundle.ts';
export type { Bundle, BundleParts, BundleType } from './bundle.ts';
export { openCheckpoint, verifyBundle } from './verify.ts';
export type {
  Ed25519Verify,
  OpenedCheckpoint,
  TrustedCertificateKey,
  TrustedKeys,
  VerifyCheck,
  VerifyCheckName,
  VerifyCode,
  VerifyResult,
} from './verify.ts';
export { nobleEd25519 } from './crypto-noble.ts';
export { hasWebCryptoEd25519, webCryptoEd25519 } from './crypto-web.ts';
