/**
 * Public surface of the pure certificate core (DESIGN §5): 统一社会信用代码
 * validation, the certificate payload and its `certificate.issued` log entry, the
 * signature message, the verification bundle, and the one bundle verifier with its
 * browser-safe Ed25519 adapters. Imports no node:, database, HTTP or PDF code, so it
 * runs unchanged in browsers.
 *
 * Also the registry's document signature (PAdES): X.509 certificates of its CA and
 * document-signing keys (x509.ts), the CAdES signature (cades.ts) and the proof that the
 * log holds a document key (document-key.ts) — pure, with injected signing and verifying.
 *
 * Adapters: `node/` (node:crypto verification), `pdf/` (rendering and signing PDFs,
 * reading a bundle and a signature back from a PDF; pdf-lib).
 */
export { CERTIFICATE_ERROR_CODES, CertificateError } from './errors.ts';
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
  ISSUANCE_BASES,
  ISSUANCE_LINK_MEMBERS,
  issuanceLinksOf,
  parseIssuanceLinks,
  certificatePayload,
  certificatePayloadDigest,
  certificatePayloadSchema,
  encodeCertificatePayload,
  parseCertificateFields,
  parseCertificatePayload,
} from './payload.ts';
export type { CertificateFields, CertificatePayload, IssuanceBasis, IssuanceLinks } from './payload.ts';
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
  MAX_ATTESTATIONS,
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
  ReceiptSubject,
  TrustedCertificateKey,
  TrustedDocumentKey,
  TrustedKeys,
  VerifyCheck,
  VerifyCheckName,
  VerifyCode,
  VerifyResult,
  VerifiedAttestation,
} from './verify.ts';
export { nobleEd25519 } from './crypto-noble.ts';
export { hasWebCryptoEd25519, webCryptoEd25519 } from './crypto-web.ts';
export { OID, certificatePem, issueCertificate, issuedBy, keyIdentifier, parseCertificate } from './x509.ts';
export type { CertificateTemplate, DistinguishedName, EcdsaSign, ParsedCertificate, SignatureVerify } from './x509.ts';
export { SUBFILTER_CADES, SUBFILTER_PKCS7, cadesDetachedSignature, parseCades, verifyDocumentSignature } from './cades.ts';
export type { DocumentSigner, ParsedCades, TrustedDocumentCertificate } from './cades.ts';
export { SIGNED_JSON_FORMAT, signJson, verifySignedJson } from './signed-json.ts';
export type { SignedJson } from './signed-json.ts';
export {
  DOCUMENT_KEY_PROOF_FORMAT,
  DOCUMENT_KEY_PROOF_SUFFIX,
  MAX_DOCUMENT_KEY_PROOF_BYTES,
  documentKeyAddedEvent,
  documentKeyFromEvent,
  documentKeyId,
  documentKeyProofFileName,
  openDocumentKeyProof,
  serializeDocumentKeyProof,
} from './document-key.ts';
export type { LoggedDocumentKey } from './document-key.ts';
export { STATE_PROOF_FORMAT, verifyStateProof } from './state-proof.ts';
export type { ProvenDepositRecord, ProvenStatusRecord, StateProofCode, StateProofResult, StateProofSubject } from './state-proof.ts';
