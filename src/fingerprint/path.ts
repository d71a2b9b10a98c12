/**
 * Dataset-relative paths (DESIGN §4): POSIX separators, Unicode NFC, relative, no `.`
 * or `..` segments, no empty segments, no NUL, valid Unicode — and their order, the
 * byte order of their UTF-8 encodings. Pure; runs in Node and browsers alike.
 */
import { FingerprintError, MAX_PATH_BYTES } from './errors.ts';

const LONE_SURROGATE = /\p{Cs}/u;
/**
 * Printable ASCII without `/`, and not `.` or `..`: a name that is already canonical
 * (ASCII is NFC) — the fast path for the common case, exact by construction.
 */
const PLAIN_ASCII_NAME = /^(?!\.\.?$)[\x20-\x2e\x30-\x7e]+$/;
/** A path made only of {@link PLAIN_ASCII_NAME} segments. */
const PLAIN_ASCII_PATH = /^(?!\.\.?(?:\/|$))[\x20-\x2e\x30-\x7e]+(?:\/(?!\.\.?(?:\/|$))[\x20-\x2e\x30-\x7e]+)*$/;
const encoder = new TextEncoder();

function fail(code: ConstructorParameters<typeof FingerprintError>[0], message: string): never {
  throw new FingerprintError(code, message);
}

/**
 * Validates one file or directory name as read from a directory listing and returns it
 * in NFC. A name is one path segment: non-empty, not `.` or `..`, without `/` or NUL,
 * and valid Unicode (a name that was not valid UTF-8 on disk reaches us as text with
 * lone surrogates or U+FFFD decoding errors, detected by the caller or here).
 * @throws FingerprintError `path_unrepresentable`, `path_nul`, `path_traversal`,
 *   `path_empty_segment`.
 */
export function normalizeName(name: string): string {
  if (PLAIN_ASCII_NAME.test(name)) return name;
  if (LONE_SURROGATE.test(name)) fail('path_unrepresentable', 'name is not valid Unicode');
  if (name.includes('\u0000')) fail('path_nul', 'name contains NUL');
  const nfc = name.normalize('NFC');
  if (nfc === '' || nfc === '.') fail('path_empty_segment', 'name is empty or "."');
  if (nfc === '..') fail('path_traversal', 'name is ".."');
  if (nfc.includes('/')) fail('path_empty_segment', 'name contains "/"');
  return nfc;
}

/**
 * Normalises a dataset-relative path written with `/` separators (user input, a
 * browser's `webkitRelativePath` minus its folder, a manifest entry) to its canonical
 * form: every segment through {@link normalizeName}, joined with `/`.
 * Backslashes are ordinary characters (legal in POSIX names); the path is never
 * resolved against a file system.
 * @throws FingerprintError `path_empty`, `path_absolute`, `path_traversal`,
 *   `path_empty_segment`, `path_nul`, `path_unrepresentable`, `path_too_long`.
 */
export function normalizePath(path: string): string {
  if (typeof path !== 'string' || path === '') fail('path_empty', 'path is empty');
  if (path.startsWith('/')) fail('path_absolute', 'path is absolute');
  const segments = path.split('/');
  const out: string[] = [];
  for (const segment of segments) {
    if (segment === '') fail('path_empty_segment', 'path has an empty segment');
    out.push(normalizeName(segment));
  }
  const joined = out.join('/');
  if (utf8Length(joined) > MAX_PATH_BYTES) fail('path_too_long', `path exceeds ${MAX_PATH_BYTES} bytes`);
  return joined;
}

/**
 * True when `path` is already in canonical form (what {@link normalizePath} returns for
 * it). Never throws.
 */
export function isCanonicalPath(path: unknown): path is string {
  if (typeof path !== 'string') return false;
  if (path.length <= MAX_PATH_BYTES && PLAIN_ASCII_PATH.test(path)) return true;
  try {
    return normalizePath(path) === path;
  } catch {
    return false;
  }
}

/** Joins a canonical parent path ('' for the dataset root) and a normalised name. */
export function joinPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

/** Number of bytes of the UTF-8 encoding of a well-formed string. */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++; // the low surrogate of the pair
    } else n += 3;
  }
  return n;
}

/**
 * Orders well-formed strings by the bytes of their UTF-8 encodings (= by Unicode code
 * points), which is the manifest order of DESIGN §4. JavaScript's `<` compares UTF-16
 * code units instead and disagrees when a character above U+FFFF (a surrogate pair,
 * 0xD800–0xDFFF) meets one in U+E000–U+FFFF: "\u{1F600}" < "\uFF61" in UTF-16 but
 * F0 9F 98 80 > EF BD A1 in UTF-8. At the first differing code unit, surrogates are
 * moved above the rest of the BMP, which restores code point order.
 * @returns negative, zero or positive, as for `Array.prototype.sort`.
 */
export function comparePaths(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** The UTF-8 bytes of a string (for callers that want to compare encodings directly). */
export function pathBytes(path: string): Uint8Array {
  return encoder.encode(path);
}
