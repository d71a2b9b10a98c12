/**
 * Byte helpers shared by the ledger core. Pure, dependency-free and browser-safe
 * (no `Buffer`): hex, strict RFC 4648 §4 base64, UTF-8, concatenation and a
 * constant-time comparison.
 */

const HEX_DIGITS = '0123456789abcdef';

const HEX_CODES: readonly number[] = Array.from(HEX_DIGITS, (c) => c.charCodeAt(0));
/** The character codes of one chunk of {@link toHex} (reused: no allocation per call). */
const hexChars: number[] = [];
/** Bytes per `String.fromCharCode` call (its arguments are bounded). */
const HEX_CHUNK = 4096;

/**
 * Lowercase hexadecimal encoding of `bytes`. Built with `String.fromCharCode` over the
 * character codes, so a digest's hex is one flat string of 64 characters: appending two
 * characters at a time made a rope of 32 string pieces (≈ 1.5 KB where the flat string
 * takes 90 bytes, kept as long as the string is — e.g. every certificate's leaf hash in a
 * replayed state) and took several times longer.
 */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let at = 0; at < bytes.length; at += HEX_CHUNK) {
    const end = Math.min(bytes.length, at + HEX_CHUNK);
    hexChars.length = 2 * (end - at);
    for (let i = at, j = 0; i < end; i++) {
      const b = bytes[i]!;
      hexChars[j++] = HEX_CODES[b >> 4]!;
      hexChars[j++] = HEX_CODES[b & 0x0f]!;
    }
    out += String.fromCharCode.apply(null, hexChars);
  }
  return out;
}

function hexNibble(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30; // 0-9
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10; // a-f
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10; // A-F
  return -1;
}

/**
 * True for 64 lowercase hexadecimal digits (a SHA-256 digest as text): a loop over the
 * characters rather than a regular expression, whose call costs several times more — a
 * replay checks digests several times an entry.
 */
export function isHex64(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/**
 * Decodes hexadecimal (lower- or uppercase digits).
 * @throws TypeError on an odd length or a non-hex character.
 */
export function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  if (hex.length % 2 !== 0) throw new TypeError('hex string has odd length');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(hex.charCodeAt(2 * i));
    const lo = hexNibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new TypeError('invalid hex character');
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_LOOKUP = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64_ALPHABET.length; i++) table[B64_ALPHABET.charCodeAt(i)] = i;
  return table;
})();

/**
 * Standard base64 with padding (RFC 4648 §4), as used by C2SP signed-note and
 * tlog-checkpoint.
 */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64_ALPHABET[(n >> 18) & 63]! + B64_ALPHABET[(n >> 12) & 63]! + B64_ALPHABET[(n >> 6) & 63]! + B64_ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64_ALPHABET[(n >> 18) & 63]! + B64_ALPHABET[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64_ALPHABET[(n >> 18) & 63]! + B64_ALPHABET[(n >> 12) & 63]! + B64_ALPHABET[(n >> 6) & 63]! + '=';
  }
  return out;
}

function b64Value(code: number): number {
  return code < 128 ? B64_LOOKUP[code]! : -1;
}

/**
 * Strict standard base64 decoding (RFC 4648 §4 with padding, §3.5 canonical): the
 * length must be a multiple of 4, `=` may only pad the final quantum, no whitespace,
 * no URL-safe alphabet, and the unused bits before padding must be zero — so every
 * byte string has exactly one accepted encoding.
 * @throws TypeError on any deviation.
 */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  if (text.length % 4 !== 0) throw new TypeError('base64 length is not a multiple of 4');
  let pad = 0;
  if (text.endsWith('==')) pad = 2;
  else if (text.endsWith('=')) pad = 1;
  const outLen = (text.length / 4) * 3 - pad;
  const out = new Uint8Array(outLen);
  const fullEnd = pad === 0 ? text.length : text.length - 4;
  let o = 0;
  for (let i = 0; i < fullEnd; i += 4) {
    const a = b64Value(text.charCodeAt(i));
    const b = b64Value(text.charCodeAt(i + 1));
    const c = b64Value(text.charCodeAt(i + 2));
    const d = b64Value(text.charCodeAt(i + 3));
    if ((a | b | c | d) < 0) throw new TypeError('invalid base64 character');
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = (n >> 16) & 0xff;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (pad > 0) {
    const i = fullEnd;
    const a = b64Value(text.charCodeAt(i));
    const b = b64Value(text.charCodeAt(i + 1));
    if ((a | b) < 0) throw new TypeError('invalid base64 character');
    if (pad === 2) {
      if ((b & 0x0f) !== 0) throw new TypeError('non-canonical base64 padding bits');
      out[o++] = (a << 2) | (b >> 4);
    } else {
      const c = b64Value(text.charCodeAt(i + 2));
      if (c < 0) throw new TypeError('invalid base64 character');
      if ((c & 0x03) !== 0) throw new TypeError('non-canonical base64 padding bits');
      const n = (a << 18) | (b << 12) | (c << 6);
      out[o++] = (n >> 16) & 0xff;
      out[o++] = (n >> 8) & 0xff;
    }
  }
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * UTF-8 encoding of `text`. Lone surrogates become U+FFFD (callers that need
 * well-formed text validate it first).
 */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/**
 * Strict UTF-8 decoding: invalid sequences throw instead of becoming U+FFFD, and a
 * leading byte-order mark is kept, so decoding is injective.
 * @throws TypeError on malformed UTF-8.
 */
export function fromUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * Concatenates byte arrays into a new array.
 */
export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Compares two byte arrays. Arrays of different lengths are unequal at once (lengths
 * of hashes and signatures are public); arrays of equal length are compared in time
 * independent of where they differ.
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
