/**
 * The keys DataDeed puts in its state map (docs/state-map.md §2.1): one map holds both
 * kinds, told apart by a leading tag byte, so one root commits to the whole state.
 */
import { utf8 } from '../../ledger/index.ts';
import { MAX_MAP_KEY_BYTES, MapError } from './errors.ts';

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
