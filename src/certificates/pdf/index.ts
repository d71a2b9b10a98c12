/** Public surface of src/certificates/pdf. */
export { DEFAULT_ISSUER, attestedFields, renderCertificatePdf, renderDocumentPdf } from './render.ts';
export type { AttestedBy } from './render.ts';
export { MAX_PDF_BYTES } from './extract.ts';
export { verifyPdf } from './verify.ts';
