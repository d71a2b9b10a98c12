/**
 * The log's signing key on disk, and a node:crypto Ed25519 note signer.
 *
 * The key file holds one line in the Go/C2SP note private-key encoding
 * `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`, mode 0600. It is created only
 * by `datadeed keys generate --purpose log` or the first start of an empty log (never
 * overwritten), never logged, never returned by any API.
 */
import { createPrivateKey, createPublicKey, randomBytes, sign as nodeSign, type KeyObject } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DataDeedError } from '../../errors.ts';
import { formatSignerKey, formatVerifierKey, parseSignerKey, type NoteSigner } from '../../ledger/index.ts';
import { KeyError } from '../index.ts';

/**
 * Failure codes of the log key file (API, never renamed; shared strings mean what they
 * mean for certificate key files):
 * - `key_file_unreadable` — the key file exists but cannot be read;
 * - `key_file_unwritable` — a missing key file cannot be created;
 * - `key_file_permissions` — the key file is readable by group or others;
 * - `key_file_invalid` — the file does not hold an Ed25519 note signer key;
 * - `key_name_mismatch` — the key's name is not the log origin (DATADEED_ORIGIN).
 */
export const KEY_FILE_ERROR_CODES = ['key_file_unreadable', 'key_file_unwritable', 'key_file_permissions', 'key_file_invalid', 'key_name_mismatch'] as const;
export type KeyFileErrorCode = (typeof KEY_FILE_ERROR_CODES)[number];

/** The log key file cannot be used. Messages name the file, never the key. */
export class KeyFileError extends DataDeedError<KeyFileErrorCode> {
  /**
   * @param code - the stable failure code.
   * @param message - what the operator must fix.
   */
  constructor(code: KeyFileErrorCode, message: string) {
    super(code, message);
    this.name = 'KeyFileError';
  }
}

export interface LogKey {
  name: string;
  keyId: number;
  publicKey: Uint8Array;
  /** Verifier key string, safe to publish. */
  vkey: string;
  signer: NoteSigner;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A node:crypto private key object from a 32-byte Ed25519 seed. */
export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(seed)]), format: 'der', type: 'pkcs8' });
}

/** The raw 32-byte public key of an Ed25519 seed, via node:crypto. */
export function ed25519PublicKeyFromSeed(seed: Uint8Array): Uint8Array {
  const jwk = createPublicKey(ed25519PrivateKeyFromSeed(seed)).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(jwk.x as string, 'base64url'));
}

/** A fast server-side NoteSigner (node:crypto); signatures equal @noble/ed25519's. */
export function nodeNoteSigner(name: string, keyId: number, seed: Uint8Array): NoteSigner {
  const key = ed25519PrivateKeyFromSeed(seed);
  return { name, keyId, sign: (message: Uint8Array) => new Uint8Array(nodeSign(null, message, key)) };
}

/** Build a LogKey from a private-key string. */
export function logKeyFromString(text: string): LogKey {
  const parsed = parseSignerKey(text.trim());
  return {
    name: parsed.name,
    keyId: parsed.keyId,
    publicKey: parsed.publicKey,
    vkey: formatVerifierKey(parsed.name, parsed.publicKey),
    signer: nodeNoteSigner(parsed.name, parsed.keyId, parsed.seed),
  };
}

/** Generate a new private-key string for `name`. */
export function generateSignerKey(name: string): string {
  return formatSignerKey(name, new Uint8Array(randomBytes(32)));
}

/**
 * Reads the log key file: null when it does not exist (never created here — new keys
 * come from `createLogKey`, called by `datadeed keys generate --purpose log` and by the
 * first start of an empty log). The key's name must equal `origin`.
 * @throws KeyFileError for a file readable by group or others, an unreadable or
 *   garbled file, or a key named for another origin.
 */
export function readLogKey(file: string, origin: string): LogKey | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KeyFileError('key_file_unreadable', `DATADEED_KEY_FILE: cannot read ${file}: ${(err as Error).message}`);
  }
  if (process.platform !== 'win32') {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) throw new KeyFileError('key_file_permissions', `DATADEED_KEY_FILE: ${file} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
  }
  let key: LogKey;
  try {
    key = logKeyFromString(text);
  } catch {
    throw new KeyFileError('key_file_invalid', `DATADEED_KEY_FILE: ${file} does not hold a PRIVATE+KEY+<name>+<id>+<key> Ed25519 note key`);
  }
  if (key.name !== origin)
    throw new KeyFileError('key_name_mismatch', `DATADEED_KEY_FILE: the key in ${file} is named ${JSON.stringify(key.name)} but DATADEED_ORIGIN is ${JSON.stringify(origin)}; they must match`);
  return key;
}

/**
 * Creates a new log key for `origin` in `file`, exclusively (0600; the directory is
 * created 0700). An existing file is never overwritten.
 * @param opts.seed - the 32-byte Ed25519 seed (tests); default: 32 bytes from the CSPRNG.
 * @throws KeyError `key_file_exists` when the file exists; KeyFileError when it cannot be created.
 */
export function createLogKey(file: string, origin: string, opts: { seed?: Uint8Array } = {}): LogKey {
  const text = `${formatSignerKey(origin, opts.seed ?? new Uint8Array(randomBytes(32)))}\n`;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new KeyError('key_file_exists', `${file} exists already; a key file is never overwritten`);
    throw new KeyFileError('key_file_unwritable', `DATADEED_KEY_FILE: cannot create ${file}: ${(e as Error).message}`);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return logKeyFromString(text);
}
