/**
 * RFC 8785 (JSON Canonicalization Scheme, JCS) text of plain JSON data — the one
 * canonical JSON of the project: log entries (DESIGN §3), certificate payloads
 * (DESIGN §5), manifest leaves (DESIGN §4) and every digest taken over JSON.
 * Equal content gives equal text, so a hash of the text is a hash of the content.
 */
import { LedgerError } from './errors.ts';

const LONE_SURROGATE = /\p{Cs}/u;
const nativeWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;
/**
 * No lone surrogate in `s`: `String.prototype.isWellFormed` where the runtime has it
 * (Node 20, current browsers; several times faster than the regular expression), else
 * the regular expression.
 */
export const isWellFormedText: (s: string) => boolean =
  typeof nativeWellFormed === 'function' ? (s) => nativeWellFormed.call(s) : (s) => !LONE_SURROGATE.test(s);

function notJson(message: string): never {
  throw new LedgerError('malformed_entry', message);
}

/**
 * JCS §3.2.2.2 string: ECMAScript `JSON.stringify` of a well-formed string. Most strings
 * of the registry (identifiers, hashes, times, names) need no escape: they are quoted
 * as they are after one scan, which also finds any surrogate (then the string must be
 * well-formed).
 */
function quoteJson(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      if (!isWellFormedText(s)) notJson('string is not valid Unicode');
      return JSON.stringify(s);
    }
  }
  return `"${s}"`;
}

/**
 * JCS text of `value`, checking on the way that it is plain JSON data that JCS
 * serialises without loss: null, booleans, finite numbers, well-formed strings (no lone
 * surrogates), arrays and plain objects (no `toJSON`, class instances, bigint,
 * functions or symbols), at most 64 levels deep. `undefined` object members are
 * omitted, as in JSON. One pass: the checks and the text together.
 *
 * JCS §3.2.2.2 strings are ECMAScript `JSON.stringify` of a well-formed string; §3.2.2.3
 * numbers its Number-to-String of a finite number (−0 is "0"); §3.2.3 members are
 * sorted by their UTF-16 code units, which is the default `Array.prototype.sort` of
 * strings (skipped when they already are: the text of a canonical entry parses into
 * sorted members). The `canonicalize` package, the reference implementation of RFC
 * 8785's authors, is the independent cross-check in tests/ledger/json.test.ts.
 */
function writeJson(value: unknown, depth: number): string {
  if (depth > 64) notJson('value nests too deeply');
  switch (typeof value) {
    case 'string':
      return quoteJson(value);
    case 'number':
      if (!Number.isFinite(value)) notJson('number is not finite');
      return `${value}`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined) notJson('array holds undefined');
          out += i === 0 ? writeJson(item, depth + 1) : `,${writeJson(item, depth + 1)}`;
        }
        return `${out}]`;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) notJson('only plain objects are allowed');
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      for (let i = 1; i < keys.length; i++) {
        if (!(keys[i - 1]! < keys[i]!)) {
          keys.sort();
          break;
        }
      }
      let out = '{';
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) {
          if (!isWellFormedText(key)) notJson('key is not valid Unicode');
          continue;
        }
        out += `${out.length === 1 ? '' : ','}${quoteJson(key)}:${writeJson(item, depth + 1)}`;
      }
      return `${out}}`;
    }
    default:
      return notJson('value is not JSON');
  }
}

/**
 * The RFC 8785 canonical JSON text of `value` (JCS §3.2: object members sorted by
 * UTF-16 code units at every depth, ECMAScript number and string serialisation, no
 * whitespace). Encode it as UTF-8 for hashing or signing.
 * Precondition: plain JSON data (see above); `undefined` members are dropped.
 * @throws LedgerError `malformed_entry` when `value` has no canonical JSON form
 *   (non-finite number, lone surrogate, class instance, function, undefined …).
 */
export function canonicalJson(value: unknown): string {
  return writeJson(value, 0);
}

/**
 * A quick sufficient test that `text` is the canonical JSON of `value`
 * (`canonicalJson(value) === text`), where `value` is the `JSON.parse` of `text` and
 * `text` has no lone surrogate. With `bytes` (the text's UTF-8), {@link
 * isCanonicalJsonBytes} first; then: the members of every object come in sorted order
 * (UTF-16 code units, as JCS sorts them) and `JSON.stringify` — which serialises strings
 * and numbers exactly as JCS does — gives the text back. It answers false, never
 * wrongly true, for what it does not settle (a `\u` escape, which may hide a lone
 * surrogate; members V8 reorders, such as integer-like keys; nesting past 64 levels):
 * the caller then runs {@link canonicalJson}, which settles it. Both tests are several
 * times faster than the checked JCS writer above, and most texts read are canonical.
 */
export function isCanonicalJsonText(text: string, value: unknown, bytes?: Uint8Array): boolean {
  if (bytes !== undefined && isCanonicalJsonBytes(bytes)) return true;
  if (text.includes('\\u')) return false;
  return membersSorted(value, 0) && JSON.stringify(value) === text;
}

/** True when every object in `v` lists its members in JCS order and nothing nests past 64 levels. */
function membersSorted(v: unknown, depth: number): boolean {
  if (depth > 64) return false;
  if (typeof v !== 'object' || v === null) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!membersSorted(v[i], depth + 1)) return false;
    return true;
  }
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && !(keys[i - 1]! < keys[i]!)) return false;
    if (!membersSorted((v as Record<string, unknown>)[keys[i]!], depth + 1)) return false;
  }
  return true;
}

/** Bytes that may stand after a backslash in a canonical string: " \\ b f n r t (JCS writes other controls as \\u00XX: left to the writer). */
const SHORT_ESCAPE = new Uint8Array(128);
for (const c of '"\\bfnrt') SHORT_ESCAPE[c.charCodeAt(0)] = 1;

/** {@link isCanonicalJsonBytes}'s stack, one slot per nesting level (at most 64): reused, not allocated per call. */
const scanInObject = new Uint8Array(64);
const scanKeyStart = new Int32Array(64);
const scanKeyEnd = new Int32Array(64);

/**
 * A quicker sufficient test on the UTF-8 bytes of a JSON text that `JSON.parse`
 * accepts: true only when the text is the canonical JSON (RFC 8785) of its value — one
 * pass over the bytes, no string made. It settles texts whose object keys are ASCII
 * without escapes, whose numbers are integers of at most 15 digits (no exponent, no
 * fraction, no −0, no leading zero) and whose strings use only the escapes JCS writes
 * with a backslash and a letter; for anything else (a \\u escape, a non-ASCII key, a
 * fraction, whitespace, nesting past 64 levels …) it answers false and the caller asks
 * {@link isCanonicalJsonText} or {@link canonicalJson}. Checked: no whitespace between
 * tokens; every object's keys in strictly increasing order (byte order is UTF-16 order
 * for ASCII; strictly, so no key twice); numbers and strings in the form JCS writes.
 * Precondition: `data` parses as JSON (the caller parsed it, or will reject it).
 */
export function isCanonicalJsonBytes(data: Uint8Array): boolean {
  const n = data.length;
  // per open container: whether it is an object, and its previous key's [start, end)
  const inObject = scanInObject;
  const keyStart = scanKeyStart;
  const keyEnd = scanKeyEnd;
  let depth = 0;
  let expectKey = false;
  let i = 0;
  // without a backslash anywhere (most entries), a string ends at the next quote: found
  // by the engine's byte search
  const noEscape = data.indexOf(0x5c) < 0;
  while (i < n) {
    const b = data[i]!;
    if (b === 0x22) {
      // a string: [i + 1, end); a key must be ASCII without escapes, after the one before
      const start = i + 1;
      let j: number;
      if (noEscape) {
        // a loop, not data.indexOf: strings are short (keys, digests), and each call of the
        // engine's search cost more than the bytes it skipped (canonical check of a
        // 425-byte certificate entry: 1.7 → 1.05 µs)
        j = start;
        while (j < n && data[j] !== 0x22) j++;
        if (j === n) j = -1;
      } else j = stringEnd(data, start);
      if (j < 0) return false;
      if (expectKey) {
        for (let k = start; k < j; k++) if (data[k]! >= 0x80 || data[k] === 0x5c) return false;
        const d = depth - 1;
        if (keyStart[d]! >= 0 && !asciiLess(data, keyStart[d]!, keyEnd[d]!, start, j)) return false;
        keyStart[d] = start;
        keyEnd[d] = j;
        expectKey = false;
      }
      i = j + 1;
    } else if (b === 0x7b || b === 0x5b) {
      if (++depth > 64) return false;
      inObject[depth - 1] = b === 0x7b ? 1 : 0;
      keyStart[depth - 1] = -1;
      expectKey = b === 0x7b;
      i++;
    } else if (b === 0x7d || b === 0x5d) {
      depth--;
      expectKey = false;
      i++;
    } else if (b === 0x2c) {
      expectKey = inObject[depth - 1] === 1;
      i++;
    } else if (b === 0x3a) {
      i++;
    } else if (b === 0x2d || (b >= 0x30 && b <= 0x39)) {
      // an integer of 1–15 digits, no leading zero, not −0
      const first = b === 0x2d ? i + 1 : i;
      let j = first;
      while (j < n && data[j]! >= 0x30 && data[j]! <= 0x39) j++;
      const digits = j - first;
      if (digits === 0 || digits > 15 || (data[first] === 0x30 && (digits > 1 || b === 0x2d))) return false;
      const next = data[j];
      if (next === 0x2e || next === 0x65 || next === 0x45) return false;
      i = j;
    } else if (b === 0x74 || b === 0x66 || b === 0x6e) {
      // true, false, null (the text parses: the letters are the literal)
      i += b === 0x66 ? 5 : 4;
    } else return false; // whitespace, a byte-order mark, anything else
  }
  return depth === 0;
}

/** Index of the quote that ends the string starting at `start`, or −1: also when an escape is not one JCS writes with a letter. */
function stringEnd(data: Uint8Array, start: number): number {
  for (let j = start; j < data.length; j++) {
    const c = data[j]!;
    if (c === 0x22) return j;
    if (c === 0x5c) {
      const e = data[j + 1];
      if (e === undefined || e >= 128 || SHORT_ESCAPE[e] !== 1) return -1;
      j++;
    }
  }
  return -1;
}

/** Whether the ASCII bytes [as, ae) sort strictly before [bs, be). */
function asciiLess(d: Uint8Array, as: number, ae: number, bs: number, be: number): boolean {
  const la = ae - as;
  const lb = be - bs;
  const m = la < lb ? la : lb;
  for (let k = 0; k < m; k++) {
    const x = d[as + k]!;
    const y = d[bs + k]!;
    if (x !== y) return x < y;
  }
  return la < lb;
}
