/**
 * The log's signing key on disk, and a node:crypto Ed25519 note signer.
 *
 * The key file holds one line in the Go/C2SP note private-key encoding
 * `PRIVATE+KEY+<name>+<hex id>+<base64(0x01 || seed)>`, mode 0600. It is created on
 * first run, never logged, never returned by any API.
 */
import { createPrivateKey, createPublicKey, randomBytes, sign as nodeSign, type KeyObject } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { formatSignerKey, formatVerifierKey, parseSignerKey, type NoteSigner } from './note.ts';

export class KeyFileError extends Error {
  constructor(message: string) {
    super(message);
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
 * Load the key file, creating it (0600, directory 0700) when missing. The key's
 * name must equal `origin`. A key file readable by group or others is refused.
 */
export function loadOrCreateLogKey(file: string, origin: string): { key: LogKey; created: boolean } {
  let created = false;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new KeyFileError(`DATADEED_KEY_FILE: cannot read ${file}: ${(err as Error).message}`);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    text = generateSignerKey(origin) + '\n';
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
    } catch (e) {
      throw new KeyFileError(`DATADEED_KEY_FILE: cannot create ${file}: ${(e as Error).message}`);
    }
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    created = true;
  }
  if (process.platform !== 'win32') {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) throw new KeyFileError(`DATADEED_KEY_FILE: ${file} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
  }
  let key: LogKey;
  try {
    key = logKeyFromString(text);
  } catch {
    throw new KeyFileError(`DATADEED_KEY_FILE: ${file} does not hold a PRIVATE+KEY+<name>+<id>+<key> Ed25519 note key`);
  }
  if (key.name !== origin)
    throw new KeyFileError(`DATADEED_KEY_FILE: the key in ${file} is named ${JSON.stringify(key.name)} but DATADEED_ORIGIN is ${JSON.stringify(origin)}; they must match`);
  return { key, created };
}
