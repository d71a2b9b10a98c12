/**
 * The certificates' browser side: reading the verification bundle out of a PDF in the
 * page (pdf-lib and the standard DecompressionStream; bounded in time and memory, see
 * ../pdf/extract.ts), so a PDF dropped on the verification page is verified there
 * without being uploaded. Its own script (`/assets/verify-pdf.js`), loaded on demand.
 */
export { extractBundleFromPdf } from '../pdf/extract.ts';
export type { ExtractedBundle } from '../pdf/extract.ts';
