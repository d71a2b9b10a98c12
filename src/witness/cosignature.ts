/**
 * C2SP tlog-cosignature, Ed25519 type (https://c2sp.org/tlog-cosignature):
 *
 * - key ID = SHA-256(<name> ‖ "\n" ‖ 0x04 ‖ 32-byte public key)[:4] (§Format);
 * - verifier key `<name>+<hex key ID>+<base64(0x04 ‖ public key)>` (§Format, vkeys);
 * - signature = `timestamped_signature`: u64 big-endian POSIX timestamp ‖ 64-byte
 *   Ed25519 signature (§Format);
 * - signed message = `cosignature/v1\n` ‖ `time <timestamp>\n` ‖ the whole checkpoint
 *   body including its final newline (§Ed25519 signed message);
 * - note signature line `— <name> <base64(key ID ‖ timestamp ‖ signature)>`.
 *
 * Pure: Ed25519 itself is injected (node:crypto on the server, WebCrypto or
 * @noble/ed25519 in a browser).
 */
import { concatBytes, fromBase64, parseCheckpoint, sha256, toBase64, utf8 } from '../ledger/index.ts';
import { WitnessError } from './errors.ts';
import { SIGNATURE_PREFIX, hexKeyId, isKeyName, splitNote, type NoteParts, type SignatureLine } from './note-lines.ts';

/** Signature type of Ed25519 cosignatures (C2SP tlog-cosignature §Format). */
export const COSIGNATURE_ED25519 = 0x04;
/** Bytes of an Ed25519 `timestamped_signature`: u64 timestamp ‖ 64-byte signature. */
const TIMESTAMPED_SIGNATURE_BYTES = 8 + 64;
const TWO_32 = 0x1_0000_0000;

/** Ed25519 signing with a key the caller holds (RFC 8032 §5.1.6). */
export type Ed25519Sign = (message: Uint8Array) => Uint8Array | Promise<Uint8Array>;
/** Ed25519 verification (RFC 8032 §5.1.7); must return false, not throw, on a bad signature. */
export type Ed25519Verify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean | Promise<boolean>;

/** A cosigner's public identity: name, key ID and Ed25519 public key. */
export interface CosignerKey {
  name: string;
  keyId: number;
  publicKey: Uint8Array;
}

/** A cosigner able to sign: its name, key ID and an Ed25519 signing function. */
export interface Cosigner {
  name: string;
  keyId: number;
  sign: Ed25519Sign;
}

/**
 * The key ID of an Ed25519 cosigner key (C2SP tlog-cosignature §Format): the first four
 * bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte public key).
 */
export function cosignerKeyId(name: string, publicKey: Uint8Array): number {
  const d = sha256(concatBytes(utf8(name), Uint8Array.of(0x0a, COSIGNATURE_ED25519), publicKey));
  return ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
}

/**
 * The verifier key of an Ed25519 cosigner: `<name>+<8 hex key ID>+<base64(0x04 ‖ key)>`
 * (C2SP tlog-cosignature §Format; C2SP signed-note §Verifier keys).
 * @throws WitnessError `malformed_cosigner_key` for an invalid name or a key that is not 32 bytes.
 */
export function formatCosignerKey(name: string, publicKey: Uint8Array): string {
  if (!isKeyName(name)) throw new WitnessError('malformed_cosigner_key', 'invalid cosigner name');
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new WitnessError('malformed_cosigner_key', 'Ed25519 public key must be 32 bytes');
  }
  const id = cosignerKeyId(name, publicKey);
  return `${name}+${hexKeyId(id)}+${toBase64(concatBytes(Uint8Array.of(COSIGNATURE_ED25519), publicKey))}`;
}

const HEX8 = /^[0-9a-f]{8}$/;

/**
 * Splits a vkey `<name>+<hex8>+<base64>` into its parts and decodes the typed key.
 * @returns undefined when the text is not of that shape.
 */
export function splitVerifierKey(vkey: string): { name: string; keyId: number; type: number; key: Uint8Array } | undefined {
  if (typeof vkey !== 'string') return undefined;
  const a = vkey.indexOf('+');
  const b = a < 0 ? -1 : vkey.indexOf('+', a + 1);
  if (b < 0) return undefined;
  const name = vkey.slice(0, a);
  const idHex = vkey.slice(a + 1, b);
  if (!isKeyName(name) || !HEX8.test(idHex)) return undefined;
  let raw: Uint8Array;
  try {
    raw = fromBase64(vkey.slice(b + 1));
  } catch {
    return undefined;
  }
  if (raw.length < 2) return undefined;
  return { name, keyId: Number.parseInt(idHex, 16), type: raw[0]!, key: raw.slice(1) };
}

/**
 * Parses an Ed25519 cosigner verifier key (see {@link formatCosignerKey}): valid name,
 * 8 lowercase hex digits, canonical base64 of 0x04 ‖ 32 bytes, and a key ID that
 * matches the name and key.
 * @throws WitnessError `malformed_cosigner_key`.
 */
export function parseCosignerKey(vkey: string): CosignerKey {
  const parts = splitVerifierKey(vkey);
  if (parts === undefined || parts.type !== COSIGNATURE_ED25519 || parts.key.length !== 32) {
    throw new WitnessError('malformed_cosigner_key', 'not an Ed25519 cosigner verifier key');
  }
  if (cosignerKeyId(parts.name, parts.key) !== parts.keyId) {
    throw new WitnessError('malformed_cosigner_key', 'key ID does not match the key');
  }
  return { name: parts.name, keyId: parts.keyId, publicKey: parts.key };
}

function isTimestamp(t: number): boolean {
  return Number.isSafeInteger(t) && t >= 0;
}

/**
 * The message an Ed25519 cosignature signs (C2SP tlog-cosignature §Ed25519 signed
 * message): `cosignature/v1\n`, `time <t>\n` (decimal, no leading zeros) and the
 * checkpoint body.
 * @param checkpointBody - a checkpoint note text (C2SP tlog-checkpoint), ending in a newline.
 * @param timestamp - POSIX seconds, a safe non-negative integer.
 * @throws WitnessError `malformed_cosignature` for a bad timestamp or body.
 */
export function cosignatureMessage(checkpointBody: string, timestamp: number): Uint8Array {
  if (!isTimestamp(timestamp)) throw new WitnessError('malformed_cosignature', 'invalid timestamp');
  if (typeof checkpointBody !== 'string' || !checkpointBody.endsWith('\n')) {
    throw new WitnessError('malformed_cosignature', 'checkpoint body must end with a newline');
  }
  return utf8(`cosignature/v1\ntime ${timestamp}\n${checkpointBody}`);
}

function encodeU64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  const hi = Math.floor(n / TWO_32);
  const lo = n % TWO_32;
  out[0] = hi >>> 24;
  out[1] = (hi >>> 16) & 0xff;
  out[2] = (hi >>> 8) & 0xff;
  out[3] = hi & 0xff;
  out[4] = lo >>> 24;
  out[5] = (lo >>> 16) & 0xff;
  out[6] = (lo >>> 8) & 0xff;
  out[7] = lo & 0xff;
  return out;
}

/**
 * Cosigns a checkpoint (C2SP tlog-cosignature, Ed25519): signs the cosignature/v1
 * message and returns the note signature line
 * `— <name> <base64(key ID ‖ u64 timestamp ‖ signature)>\n`.
 * @param checkpointBody - must parse as a C2SP tlog-checkpoint body.
 * @param timestamp - POSIX seconds; the witness protocol requires it to be non-zero.
 * @throws WitnessError `malformed_cosigner_key` (bad name, key ID or signature size) or
 *   `malformed_cosignature` (bad body or timestamp).
 */
export async function cosignCheckpoint(cosigner: Cosigner, checkpointBody: string, timestamp: number): Promise<string> {
  if (!isKeyName(cosigner.name) || !Number.isInteger(cosigner.keyId) || cosigner.keyId < 0 || cosigner.keyId > 0xffffffff) {
    throw new WitnessError('malformed_cosigner_key', 'invalid cosigner name or key ID');
  }
  try {
    parseCheckpoint(checkpointBody);
  } catch {
    throw new WitnessError('malformed_cosignature', 'only checkpoints are cosigned');
  }
  const message = cosignatureMessage(checkpointBody, timestamp);
  const signature = await cosigner.sign(message);
  if (!(signature instanceof Uint8Array) || signature.length !== 64) {
    throw new WitnessError('malformed_cosigner_key', 'Ed25519 signature must be 64 bytes');
  }
  const id = cosigner.keyId;
  const idBytes = Uint8Array.of(id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff);
  return `${SIGNATURE_PREFIX}${cosigner.name} ${toBase64(concatBytes(idBytes, encodeU64(timestamp), signature))}\n`;
}

/** The parts of an Ed25519 cosignature line. */
export interface DecodedCosignature {
  name: string;
  keyId: number;
  /** POSIX seconds. */
  timestamp: number;
  /** The 64-byte Ed25519 signature. */
  signature: Uint8Array;
}

/**
 * Decodes the `timestamped_signature` of an Ed25519 cosignature line (C2SP
 * tlog-cosignature §Format): exactly 8 + 64 bytes after the key ID, and a timestamp
 * not above 2^63 − 1. Timestamps beyond 2^53 − 1 (the year 285 million) are refused
 * as an implementation limit.
 * @throws WitnessError `malformed_cosignature`.
 */
export function decodeCosignature(line: SignatureLine): DecodedCosignature {
  const s = line.signature;
  if (s.length !== TIMESTAMPED_SIGNATURE_BYTES) throw new WitnessError('malformed_cosignature', 'not an Ed25519 timestamped signature');
  const hi = ((s[0]! << 24) | (s[1]! << 16) | (s[2]! << 8) | s[3]!) >>> 0;
  const lo = ((s[4]! << 24) | (s[5]! << 16) | (s[6]! << 8) | s[7]!) >>> 0;
  const timestamp = hi * TWO_32 + lo;
  if (!Number.isSafeInteger(timestamp)) throw new WitnessError('malformed_cosignature', 'timestamp out of range');
  return { name: line.name, keyId: line.keyId, timestamp, signature: s.slice(8) };
}

/** Why a cosignature did not count. */
export type CosignatureFailure = 'malformed' | 'bad_signature' | 'duplicate' | 'future_timestamp';

/** The outcome of checking one cosigner on a note. */
export type CosignatureCheck =
  | { status: 'valid'; timestamp: number }
  | { status: 'missing' }
  | { status: 'invalid'; reason: CosignatureFailure };

/** Options of {@link checkCosignature}. */
export interface CosignatureCheckOptions {
  /** The verifier's clock, POSIX seconds; with it, timestamps later than now + `maxFutureSeconds` fail. */
  now?: number;
  /** Tolerated clock skew when `now` is given (default 300 s). */
  maxFutureSeconds?: number;
}

/**
 * Checks the cosignature of `key` on a split note (C2SP tlog-cosignature): finds the
 * signature lines whose name and key ID match the key (others are ignored, as the
 * spec requires), then checks there is exactly one, that it decodes, that its
 * timestamp is not in the future (when `now` is given), and that the Ed25519 signature
 * over the cosignature/v1 message verifies.
 */
export async function checkCosignature(
  note: NoteParts,
  key: CosignerKey,
  verify: Ed25519Verify,
  opts: CosignatureCheckOptions = {},
): Promise<CosignatureCheck> {
  const lines = note.signatures.filter((l) => l.name === key.name && l.keyId === key.keyId);
  if (lines.length === 0) return { status: 'missing' };
  if (lines.length > 1) return { status: 'invalid', reason: 'duplicate' };
  let decoded: DecodedCosignature;
  try {
    decoded = decodeCosignature(lines[0]!);
  } catch {
    return { status: 'invalid', reason: 'malformed' };
  }
  if (opts.now !== undefined && decoded.timestamp > opts.now + (opts.maxFutureSeconds ?? 300)) {
    return { status: 'invalid', reason: 'future_timestamp' };
  }
  let ok = false;
  try {
    ok = (await verify(key.publicKey, cosignatureMessage(note.text, decoded.timestamp), decoded.signature)) === true;
  } catch {
    ok = false;
  }
  return ok ? { status: 'valid', timestamp: decoded.timestamp } : { status: 'invalid', reason: 'bad_signature' };
}

/**
 * Checks the cosignature of `key` on a signed checkpoint note; see {@link checkCosignature}.
 * A note whose signature block does not parse is `invalid`/`malformed`.
 */
export async function verifyCosignature(
  note: string,
  key: CosignerKey,
  verify: Ed25519Verify,
  opts: CosignatureCheckOptions = {},
): Promise<CosignatureCheck> {
  const parts = splitNote(note);
  if (parts === undefined) return { status: 'invalid', reason: 'malformed' };
  return checkCosignature(parts, key, verify, opts);
}
