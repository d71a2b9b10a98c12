/**
 * The witness's cosigning key on disk: one line
 * `PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x04 ‖ 32-byte Ed25519 seed)>` — the Go
 * note private-key layout with the cosignature type byte 0x04, so the key ID is the
 * C2SP tlog-cosignature one. Mode 0600 in a 0700 directory; created once by
 * `datadeed witness init`, never printed, never served.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DataDeedError } from '../../errors.ts';
import { concatBytes, fromBase64, toBase64 } from '../../ledger/index.ts';
import { COSIGNATURE_ED25519, cosignerKeyId, formatCosignerKey, type Cosigner } from '../cosignature.ts';
import { hexKeyId, isKeyName } from '../note-lines.ts';
import { nodeEd25519Sign, publicKeyFromSeed } from './ed25519.ts';

export const WITNESS_KEY_ERROR_CODES = ['key_exists', 'key_missing', 'key_unreadable', 'key_mode', 'malformed_key', 'bad_name'] as const;
export type WitnessKeyErrorCode = (typeof WITNESS_KEY_ERROR_CODES)[number];

/** The key file could not be created, read or trusted; the message says which and why. */
export class WitnessKeyError extends DataDeedError<WitnessKeyErrorCode> {
  override readonly name = 'WitnessKeyError';
  constructor(code: WitnessKeyErrorCode, message: string) {
    super(code, message);
  }
}

/** A loaded witness key. */
export interface WitnessKey {
  name: string;
  keyId: number;
  publicKey: Uint8Array;
  /** The cosigner verifier key, safe to publish. */
  vkey: string;
  cosigner: Cosigner;
}

const PREFIX = 'PRIVATE+KEY+';

function keyFromSeed(name: string, seed: Uint8Array): WitnessKey {
  const publicKey = publicKeyFromSeed(seed);
  const keyId = cosignerKeyId(name, publicKey);
  return { name, keyId, publicKey, vkey: formatCosignerKey(name, publicKey), cosigner: { name, keyId, sign: nodeEd25519Sign(seed) } };
}

/** Parses the key file's line (see the file comment), checking the key ID. */
export function parseWitnessKey(text: string): WitnessKey {
  const line = text.trim();
  const bad = () => new WitnessKeyError('malformed_key', 'not a PRIVATE+KEY+<name>+<id>+<base64(0x04 ‖ seed)> witness key');
  if (!line.startsWith(PREFIX)) throw bad();
  const rest = line.slice(PREFIX.length);
  const a = rest.indexOf('+');
  const b = a < 0 ? -1 : rest.indexOf('+', a + 1);
  if (b < 0) throw bad();
  const name = rest.slice(0, a);
  const idHex = rest.slice(a + 1, b);
  if (!isKeyName(name) || !/^[0-9a-f]{8}$/.test(idHex)) throw bad();
  let raw: Uint8Array;
  try {
    raw = fromBase64(rest.slice(b + 1));
  } catch {
    throw bad();
  }
  if (raw.length !== 33 || raw[0] !== COSIGNATURE_ED25519) throw bad();
  const key = keyFromSeed(name, raw.slice(1));
  if (hexKeyId(key.keyId) !== idHex) throw bad();
  return key;
}

/** Formats a seed as the key file's line. */
export function formatWitnessKey(name: string, seed: Uint8Array): string {
  const key = keyFromSeed(name, seed);
  return `${PREFIX}${name}+${hexKeyId(key.keyId)}+${toBase64(concatBytes(Uint8Array.of(COSIGNATURE_ED25519), seed))}\n`;
}

/**
 * Creates a new key file (0600; its directory 0700) for a witness named `name`.
 * @throws WitnessKeyError `bad_name` or `key_exists` (a key is never overwritten).
 */
export function createWitnessKeyFile(file: string, name: string): WitnessKey {
  if (!isKeyName(name)) throw new WitnessKeyError('bad_name', 'a witness name is non-empty, without spaces or "+" (a schema-less URL such as notary.example/witness)');
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const seed = new Uint8Array(randomBytes(32));
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new WitnessKeyError('key_exists', `${file} already exists; a witness key is never overwritten`);
    throw new WitnessKeyError('key_unreadable', `cannot create ${file}: ${(err as Error).message}`);
  }
  try {
    writeSync(fd, formatWitnessKey(name, seed));
  } finally {
    closeSync(fd);
  }
  return keyFromSeed(name, seed);
}

/**
 * Loads the key file; refuses one readable by group or others.
 * @throws WitnessKeyError `key_missing`, `key_unreadable`, `key_mode` or `malformed_key`.
 */
export function loadWitnessKeyFile(file: string): WitnessKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new WitnessKeyError('key_missing', `${file} does not exist; run datadeed witness init`);
    throw new WitnessKeyError('key_unreadable', `cannot read ${file}: ${(err as Error).message}`);
  }
  if (process.platform !== 'win32') {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) throw new WitnessKeyError('key_mode', `${file} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
  }
  return parseWitnessKey(text);
}
