/**
 * pdf-lib compresses every stream (page contents, embedded fonts, attachments) with
 * pako, the JavaScript port of zlib: about a fifth of a signed certificate's rendering
 * time. {@link useNodeDeflate} makes pdf-lib's pako call Node's zlib instead (the same
 * DEFLATE format and default level, native code: several times faster). pdf-lib calls
 * `pako.deflate(data)` in exactly two places (PDFContext.flateStream, PDFFlateStream),
 * always without options; a call with options still goes to pako. pdf-lib 1.17 is
 * pinned (package.json), and pako is resolved from pdf-lib's own location, so this is
 * the module instance pdf-lib uses. Node only.
 */
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';

interface Pako {
  deflate(data: Uint8Array | string, options?: unknown): Uint8Array;
}

const NODE_DEFLATE = Symbol.for('datadeed.nodeDeflate');

/** Routes pdf-lib's stream compression to node:zlib (idempotent). */
export function useNodeDeflate(): void {
  const fromPdfLib = createRequire(createRequire(import.meta.url).resolve('pdf-lib'));
  const pako = fromPdfLib('pako') as Pako & { [NODE_DEFLATE]?: true };
  if (pako[NODE_DEFLATE]) return;
  const original = pako.deflate.bind(pako);
  pako.deflate = (data, options) => {
    if (options !== undefined) return original(data, options);
    const out = deflateSync(data);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  };
  pako[NODE_DEFLATE] = true;
}
