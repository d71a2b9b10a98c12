/**
 * `/assets/verify-pdf.js`: the PDF reader of the verification page, loaded only when a
 * PDF is chosen or dropped (pdf-lib is large). Publishes the extractor for verify-page.ts.
 */
import { extractBundleFromPdf } from '../../certificates/browser/index.ts';

(globalThis as unknown as { datadeedPdf: { extractBundleFromPdf: typeof extractBundleFromPdf } }).datadeedPdf = { extractBundleFromPdf };
