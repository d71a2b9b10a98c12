/** Public surface of src/evidence/pdf. */
export { renderReceiptPdf } from './receipt.ts';
