/**
 * RFC 8785 (JSON Canonicalization Scheme, JCS) text of plain JSON data — the one
 * canonical JSON of the project: log entries (DESIGN §3), certificate payloads
 * (DESIGN §5), manifest leaves (DESIGN §4) and every digest taken over JSON.
 * Equal content gives equal text, so a hash of the text is a hash of the content.
 */
import canonicalizeModule from 'canonicalize';
import { LedgerError } from './errors.ts';

// `canonicalize` is CommonJS with an ES-style `export default` typing: Node's ESM loader
// hands us the function itself, bundlers may hand us `{ default: fn }`.
const canonicalize = ((canonicalizeModule as unknown as { default?: unknown }).default ?? canonicalizeModule) as (
  input: unknown,
) => string | undefined;

const LONE_SURROGATE = /\p{Cs}/u;

function notJson(message: string): never {
  throw new LedgerError('malformed_entry', message);
}

/**
 * Checks that `value` is plain JSON data that JCS serialises without loss: null,
 * booleans, finite numbers, well-formed strings (no lone surrogates), arrays and
 * plain objects (no `toJSON`, class instances, bigint, functions or symbols), at most
 * 64 levels deep. `undefined` object members are allowed and omitted, as in JSON.
 */
function checkJsonValue(value: unknown, depth: number): void {
  if (depth > 64) notJson('value nests too deeply');
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) notJson('string is not valid Unicode');
      return;
    case 'number':
      if (!Number.isFinite(value)) notJson('number is not finite');
      return;
    case 'boolean':
      return;
    case 'object': {
      if (value === null) return;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined) notJson('array holds undefined');
          checkJsonValue(item, depth + 1);
        }
        return;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) notJson('only plain objects are allowed');
      for (const [key, item] of Object.entries(value)) {
        if (LONE_SURROGATE.test(key)) notJson('key is not valid Unicode');
        if (item === undefined) continue;
        checkJsonValue(item, depth + 1);
      }
      return;
    }
    default:
      notJson('value is not JSON');
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
  checkJsonValue(value, 0);
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch {
    text = undefined;
  }
  if (typeof text !== 'string') notJson('value has no canonical JSON form');
  return text;
}
