/**
 * The keys DataDeed puts in its state map (docs/state-map.md §2.1): one map holds both
 * kinds, told apart by a leading tag byte, so one root commits to the whole state.
 */
import { utf8 } from '../../ledger/index.ts';
import { MAX_MAP_KEY_BYTES, MapError } from './errors.ts';
import { KEY_PREFIX, mapKeyHash, type Sha256 } from './hashing.ts';

/** A UTF-16 surrogate not part of a pair (the `u` flag makes pairs one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

/** Tag of a certificate key: 0x01 ‖ UTF-8(certificate number). */
export const CERTIFICATE_KEY_TAG = 0x01;
/** Tag of a deposit key: 0x02 ‖ 32-byte SHA-256 digest. */
export const DEPOSIT_KEY_TAG = 0x02;

/**
 * The map key of a certificate: 0x01 ‖ UTF-8(number) (docs/state-map.md §2.1). The number
 * is the registration number as printed (e.g. `DIP-2025-000123`), well-formed Unicode,
 * 1 to 1,023 UTF-8 bytes.
 * @throws MapError `invalid_key`.
 */
export function certificateMapKey(number: string): Uint8Array {
  if (typeof number !== 'string' || number.length === 0 || LONE_SURROGATE.test(number)) {
    throw new MapError('invalid_key', 'a certificate number is non-empty well-formed text');
  }
  const text = utf8(number);
  if (text.length + 1 > MAX_MAP_KEY_BYTES) throw new MapError('invalid_key', 'a certificate number is at most 1023 bytes');
  const key = new Uint8Array(1 + text.length);
  key[0] = CERTIFICATE_KEY_TAG;
  key.set(text, 1);
  return key;
}

/**
 * The map key of a deposited digest: 0x02 ‖ the 32 digest bytes (docs/state-map.md §2.1).
 * @throws MapError `invalid_key` unless `digest` is 32 bytes.
 */
export function depositMapKey(digest: Uint8Array): Uint8Array {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) throw new MapError('invalid_key', 'a deposit digest is 32 bytes');
  const key = new Uint8Array(33);
  key[0] = DEPOSIT_KEY_TAG;
  key.set(digest, 1);
  return key;
}

/** The preimage 0x10 ‖ 0x01 ‖ number of a certificate's key hash, reused (SHA-256 keeps no input). */
let keyScratch = new Uint8Array(64);

/**
 * K = SHA-256(0x10 ‖ 0x01 ‖ UTF-8(number)): the key hash of a certificate's map key
 * (docs/state-map.md §2.1, §3.1) — `mapKeyHash(certificateMapKey(number))` — written
 * straight into one reused preimage for an ASCII number (every number DataDeed issues),
 * without the key, the UTF-8 encoding and the preimage each as a new array; anything
 * else goes through `certificateMapKey`, with its errors.
 * @throws MapError `invalid_key`.
 */
export function certificateKeyHash(number: string, sha256: Sha256): Uint8Array {
  const pre = certificateKeyPreimage(number);
  return pre === undefined ? mapKeyHash(certificateMapKey(number), sha256) : sha256(pre);
}

/**
 * {@link certificateKeyHash} written into `out` at `offset` (32 bytes), through the
 * hasher's `into` when it has one.
 * @throws MapError `invalid_key`.
 */
export function certificateKeyHashInto(number: string, sha256: Sha256, out: Uint8Array, offset: number): void {
  const pre = certificateKeyPreimage(number);
  if (pre !== undefined && sha256.into !== undefined) sha256.into(pre, out, offset);
  else out.set(pre === undefined ? mapKeyHash(certificateMapKey(number), sha256) : sha256(pre), offset);
}

/** The reused preimage 0x10 ‖ 0x01 ‖ number of an ASCII number (undefined: anything else). */
function certificateKeyPreimage(number: string): Uint8Array | undefined {
  const n = typeof number === 'string' ? number.length : 0;
  if (n === 0 || n + 1 > MAX_MAP_KEY_BYTES) return undefined;
  if (keyScratch.length < n + 2) keyScratch = new Uint8Array(2 * (n + 2));
  const buf = keyScratch;
  buf[0] = KEY_PREFIX;
  buf[1] = CERTIFICATE_KEY_TAG;
  for (let i = 0; i < n; i++) {
    const c = number.charCodeAt(i);
    if (c > 0x7f) return undefined;
    buf[2 + i] = c;
  }
  return buf.subarray(0, n + 2);
}
