/** The registry's documents as PDF: the pledge receipt. */
export { renderPledgeReceiptPdf } from './receipt.ts';
export type { PledgeReceiptPdfInput } from './receipt.ts';
export { renderVerificationReportPdf } from './report.ts';
export type { VerificationReportInput } from './report.ts';
export { renderDisclosurePdf } from './disclosure.ts';
export type { DisclosurePdfInput } from './disclosure.ts';
export { renderPledgeDocumentPdf } from './pledge-documents.ts';
export type { PledgeDocumentInput } from './pledge-documents.ts';
