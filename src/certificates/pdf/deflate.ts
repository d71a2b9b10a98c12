/**
 * pdf-lib compresses every stream (page contents, embedded fonts, attachments) with
 * pako, the JavaScript port of zlib: about a fifth of a signed certificate's rendering
 * time. {@link useNodeDeflate} makes pdf-lib's pako call Node's zlib instead (the same
 * DEFLATE format and default level, native code: several times faster). pdf-lib calls
 * `pako.deflate(data)` in exactly two places (PDFContext.flateStream, PDFFlateStream),
 * always without options; a call with options still goes to pako. pdf-lib 1.17 is
 * pinned (package.json), and pako is resolved from pdf-lib's own location, so this is
 * the module instance pdf-lib uses.
 *
 * Streams that recur from one document to the next — an embedded font subset of the
 * same characters (the costliest: font data compresses slowly), a ToUnicode map — are
 * compressed once: recent outputs are kept by the SHA-256 of their input ({@link
 * MAX_MEMO} of them, inputs of at least {@link MIN_MEMO_BYTES}), and a copy is
 * returned, byte for byte what zlib gives for that input. Node only.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';

/** Compressed streams kept (by input digest, most recently used last). */
const MAX_MEMO = 32;
/** Inputs shorter than this are compressed every time (cheaper than hashing and keeping them). */
const MIN_MEMO_BYTES = 64;
const memo = new Map<string, Uint8Array>();

/** zlib DEFLATE of `data` at the default level, reusing a recent identical input's output. */
export function deflateMemo(data: Uint8Array): Uint8Array {
  if (data.length < MIN_MEMO_BYTES) return deflate(data);
  const key = createHash('sha256').update(data).digest('base64');
  let out = memo.get(key);
  if (out === undefined) {
    out = deflate(data);
    if (memo.size >= MAX_MEMO) memo.delete(memo.keys().next().value!);
  } else {
    memo.delete(key);
  }
  memo.set(key, out);
  return out.slice();
}

function deflate(data: Uint8Array | string): Uint8Array {
  const out = deflateSync(data);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

interface Pako {
  deflate(data: Uint8Array | string, options?: unknown): Uint8Array;
}

const NODE_DEFLATE = Symbol.for('datadeed.nodeDeflate');

/** Routes pdf-lib's stream compression to node:zlib (idempotent). */
export function useNodeDeflate(): void {
  if (installed) return;
  const fromPdfLib = createRequire(createRequire(import.meta.url).resolve('pdf-lib'));
  const pako = fromPdfLib('pako') as Pako & { [NODE_DEFLATE]?: true };
  if (pako[NODE_DEFLATE]) {
    installed = true;
    return;
  }
  const original = pako.deflate.bind(pako);
  pako.deflate = (data, options) => {
    if (options !== undefined) return original(data, options);
    return typeof data === 'string' ? deflate(data) : deflateMemo(data);
  };
  pako[NODE_DEFLATE] = true;
  installed = true;
}

/** Set once this module has routed pdf-lib's pako (saves resolving pdf-lib's pako on every document). */
let installed = false;
