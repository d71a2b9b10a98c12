/** Public surface of src/keys/node: key files (log key, certificate keys, document keys and their CA) and node:crypto signers. */
export { KEY_FILE_ERROR_CODES, KeyFileError, createLogKey, ed25519PublicKeyFromSeed, nodeNoteSigner, readLogKey } from './log-key.ts';
export type { KeyFileErrorCode } from './log-key.ts';
export type { LogKey } from './log-key.ts';
export { certificateKeyDir, generateCertificateKey, listCertificateKeys, loadCertificateKey } from './keyring.ts';
export type { CertificateSigningKey } from './keyring.ts';
export { loadKeyFiles } from './disk.ts';
export type { LoadedKeys } from './disk.ts';
export {
  DOCUMENT_CA_FILE,
  certificateSha256,
  createDocumentCa,
  documentKeyName,
  documentSigner,
  foundDocumentKey,
  generateDocumentKey,
  listDocumentKeys,
  loadDocumentCa,
  loadDocumentKey,
} from './document-key.ts';
export type { DocumentCa, DocumentSigningKey } from './document-key.ts';
