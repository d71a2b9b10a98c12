/** Browser scripts of the registry's pages (see `../script-assets.ts`: bundled on first use, or by the build). */
import { scriptAsset } from '../script-assets.ts';

/** `/assets/verify.js`: the in-browser bundle verification of the verify page (a classic script). */
export function verifyPageScript(): Promise<string> {
  return scriptAsset(new URL('./browser/verify-page.ts', import.meta.url));
}

/** `/assets/forms.js`: the pages' small form helpers (the 统一社会信用代码 check as you type, fingerprint → form). */
export function formsScript(): Promise<string> {
  return scriptAsset(new URL('./browser/forms.ts', import.meta.url));
}

/** `/assets/verify-pdf.js`: the verify page's PDF reader (pdf-lib), loaded when a PDF is chosen or dropped. */
export function verifyPdfScript(): Promise<string> {
  return scriptAsset(new URL('./browser/verify-pdf.ts', import.meta.url));
}
