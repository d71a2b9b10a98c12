/**
 * Certificate signing keys on disk (file I/O only; which key is active, and each
 * key's validity window, live in the database's signing_keys table and the log).
 *
 * Layout: `<data dir>/keys/certificate-<8 hex key ID>.key`, one line each in the
 * Go/C2SP note private-key encoding
 * `PRIVATE+KEY+<origin>/certificate+<hex id>+<base64(0x01 ‖ 32-byte seed)>`, mode 0600
 * in a 0700 directory. Files are created exclusively (never overwritten), never
 * deleted here (a retired key stays on disk: its public half must stay publishable),
 * and a file readable by group or others is refused. Secrets are never logged.
 *
 * Rotation (src/keys/pg): `generateCertificateKey` → in one transaction set the old
 * key's valid_until and insert the new key's row, with `key.retired` / `key.added` log
 * entries → sign with the new key from then on.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { nodeNoteSigner } from './log-key.ts';
import { formatSignerKey, formatVerifierKey, parseSignerKey, type NoteSigner } from '../../ledger/index.ts';
import { CertificateError } from '../../certificates/index.ts';
import { certificateKeyName, formatKeyId } from '../../certificates/index.ts';

/** A certificate signing key loaded from disk. */
export interface CertificateSigningKey {
  /** `<origin>/certificate`. */
  name: string;
  /** 8 lowercase hex digits (C2SP signed-note key ID). */
  keyId: string;
  /** The raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** The verifier key to publish at /v1/keys. */
  vkey: string;
  /** Where the private key lives. */
  file: string;
  /** A node:crypto signer for `signCertificatePayload`. */
  signer: NoteSigner;
}

const FILE_PATTERN = /^certificate-([0-9a-f]{8})\.key$/;

/** The directory of key files: `<data dir>/keys`. */
export function certificateKeyDir(dataDir: string): string {
  return path.join(dataDir, 'keys');
}

/** The file of one certificate key: `<data dir>/keys/certificate-<keyId>.key`. */
export function certificateKeyFile(dataDir: string, keyId: string): string {
  if (!/^[0-9a-f]{8}$/.test(keyId)) throw new CertificateError('key_not_found', 'a key ID is 8 lowercase hex digits');
  return path.join(certificateKeyDir(dataDir), `certificate-${keyId}.key`);
}

function fromText(text: string, file: string, origin: string): CertificateSigningKey {
  let parsed: ReturnType<typeof parseSignerKey>;
  try {
    parsed = parseSignerKey(text.trim());
  } catch {
    throw new CertificateError('key_file_invalid', 'a certificate key file does not hold an Ed25519 note private key');
  }
  const keyId = formatKeyId(parsed.keyId);
  if (parsed.name !== certificateKeyName(origin)) {
    throw new CertificateError('key_file_invalid', 'a certificate key file holds a key for another registry origin');
  }
  if (path.basename(file) !== `certificate-${keyId}.key`) {
    throw new CertificateError('key_file_invalid', 'a certificate key file is named for another key ID');
  }
  return {
    name: parsed.name,
    keyId,
    publicKey: parsed.publicKey,
    vkey: formatVerifierKey(parsed.name, parsed.publicKey),
    file,
    signer: nodeNoteSigner(parsed.name, parsed.keyId, parsed.seed),
  };
}

function readKeyFile(file: string, origin: string): CertificateSigningKey {
  let text: string;
  try {
    if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
      throw new CertificateError('key_file_permissions', 'a certificate key file is readable by group or others; chmod 600 it');
    }
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof CertificateError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CertificateError('key_not_found', 'no certificate key file with this key ID');
    throw new CertificateError('key_file_invalid', 'a certificate key file cannot be read');
  }
  return fromText(text, file, origin);
}

/**
 * Creates a new certificate signing key for `origin` and writes it, exclusively, to
 * `<data dir>/keys/certificate-<keyId>.key` (0600; the directory is created 0700).
 * @param opts.seed - the 32-byte Ed25519 seed (tests); default: 32 bytes from the CSPRNG.
 * @throws CertificateError `key_file_invalid` when the file cannot be created (it is never overwritten).
 */
export function generateCertificateKey(dataDir: string, origin: string, opts: { seed?: Uint8Array } = {}): CertificateSigningKey {
  const seed = opts.seed ?? new Uint8Array(randomBytes(32));
  const text = `${formatSignerKey(certificateKeyName(origin), seed)}\n`;
  const parsed = parseSignerKey(text.trim());
  const file = certificateKeyFile(dataDir, formatKeyId(parsed.keyId));
  mkdirSync(certificateKeyDir(dataDir), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch {
    throw new CertificateError('key_file_invalid', 'cannot create the certificate key file (does it exist already?)');
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return fromText(text, file, origin);
}

/**
 * Every certificate key on disk for `origin`, ordered by key ID.
 * @throws CertificateError `key_file_invalid` or `key_file_permissions` for a bad file
 *   (a misconfigured key directory stops the caller rather than being skipped).
 */
export function listCertificateKeys(dataDir: string, origin: string): CertificateSigningKey[] {
  let names: string[];
  try {
    names = readdirSync(certificateKeyDir(dataDir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new CertificateError('key_file_invalid', 'the key directory cannot be read');
  }
  return names
    .filter((n) => FILE_PATTERN.test(n))
    .sort()
    .map((n) => readKeyFile(path.join(certificateKeyDir(dataDir), n), origin));
}

/**
 * Loads the certificate key with this ID.
 * @throws CertificateError `key_not_found`, `key_file_invalid` or `key_file_permissions`.
 */
export function loadCertificateKey(dataDir: string, origin: string, keyId: string): CertificateSigningKey {
  return readKeyFile(certificateKeyFile(dataDir, keyId), origin);
}
