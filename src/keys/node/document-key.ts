/**
 * The registry's document-signing keys on disk (PAdES signatures of its PDFs) and the
 * registry's own CA that certifies them. File I/O and node:crypto only; which document
 * key is active lives in the database's signing_keys table and the log (purpose
 * `document`).
 *
 * Layout, in `<data dir>/keys` (0700), every file 0600, created exclusively and never
 * overwritten, a file readable by group or others refused:
 * - `document-ca.key` — the CA: its ECDSA P-256 private key (PKCS#8 PEM) and its
 *   self-signed certificate (PEM). Needed only to issue document certificates (first
 *   start, `datadeed keys generate --purpose document`); an operator may keep it offline.
 * - `document-<key ID>.key` — a document key: its ECDSA P-256 private key (PKCS#8 PEM),
 *   its certificate issued by the CA, and the CA's certificate (PEM). The key ID is the
 *   first 16 hex digits of the certificate's SHA-256.
 *
 * Certificates name the log: O=DataDeed, OU=<origin>, CN=DataDeed Registry CA |
 * DataDeed Document Signing.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign as nodeSign, X509Certificate, type KeyObject } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { certificatePem, documentKeyId, issueCertificate, OID, parseCertificate, type DocumentSigner } from '../../certificates/index.ts';
import { sha256, toBase64, toHex } from '../../ledger/index.ts';
import { KeyError } from '../index.ts';
import { KeyFileError } from './log-key.ts';

/** The registry CA's file name in the key directory. */
export const DOCUMENT_CA_FILE = 'document-ca.key';
const FILE_PATTERN = /^document-([0-9a-f]{16})\.key$/;
/** How long the CA certificate is valid. */
const CA_YEARS = 20;
/** How long a document certificate is valid (at most until the CA's ends). */
const DOCUMENT_YEARS = 10;

/** A document-signing key loaded from disk. */
export interface DocumentSigningKey {
  /** The first 16 hex digits of the certificate's SHA-256. */
  keyId: string;
  /** `<origin>/document`. */
  name: string;
  /** Its X.509 certificate and the CA's, DER. */
  certificate: Uint8Array;
  caCertificate: Uint8Array;
  file: string;
  /** ECDSA P-256 over SHA-256, DER (what a CMS signature carries). */
  sign(data: Uint8Array): Uint8Array;
}

/** The registry CA loaded from disk. */
export interface DocumentCa {
  certificate: Uint8Array;
  privateKey: KeyObject;
  file: string;
}

/** The key name of document keys: `<origin>/document`. */
export function documentKeyName(origin: string): string {
  return `${origin}/document`;
}

const PEM = /-----BEGIN ([A-Z ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END \1-----/g;

function pemBlocks(text: string): { label: string; der: Buffer }[] {
  return [...text.matchAll(PEM)].map((m) => ({ label: m[1]!, der: Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64') }));
}

function readPrivate(file: string, what: string): string {
  let text: string;
  try {
    if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
      throw new KeyFileError('key_file_permissions', `${file} (${what}) is readable by group or others; run chmod 600 on it`);
    }
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof KeyFileError) throw e;
    throw new KeyFileError('key_file_unreadable', `cannot read ${file} (${what}): ${(e as Error).message}`);
  }
  return text;
}

function writeExclusive(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new KeyError('key_file_exists', `${file} exists already; a key file is never overwritten`);
    throw new KeyFileError('key_file_unwritable', `cannot create ${file}: ${(e as Error).message}`);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

const privatePem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }) as string;
const spki = (key: KeyObject) => new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
const ecdsa = (key: KeyObject) => (data: Uint8Array) => new Uint8Array(nodeSign('sha256', data, { key, dsaEncoding: 'der' }));

function serial(): Uint8Array {
  const s = new Uint8Array(randomBytes(16));
  s[0] = (s[0]! & 0x7f) | 0x01; // positive, 16 bytes
  return s;
}

function addYears(d: Date, years: number): Date {
  const out = new Date(d);
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
}

/** A certificate of this registry (OU = origin) of the given kind, checked with node:crypto's X.509 parser too. */
function checkCertificate(der: Buffer, origin: string, ca: boolean, file: string): X509Certificate {
  const parsed = parseCertificate(new Uint8Array(der));
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch {
    throw new KeyFileError('key_file_invalid', `${file} holds a certificate that cannot be read`);
  }
  if (!parsed || parsed.ca !== ca || parsed.signatureAlgorithm !== OID.ecdsaWithSha256) throw new KeyFileError('key_file_invalid', `${file} does not hold a ${ca ? 'CA' : 'document-signing'} certificate of DataDeed`);
  if (parsed.subjectAttributes.get(OID.organizationalUnit) !== origin) {
    throw new KeyFileError('key_name_mismatch', `${file} holds a certificate for the log ${JSON.stringify(parsed.subjectAttributes.get(OID.organizationalUnit) ?? '')}, but DATADEED_ORIGIN is ${JSON.stringify(origin)}`);
  }
  return x509;
}

/**
 * Reads the registry CA, or null when its file does not exist.
 * @throws KeyFileError for a file that is exposed, unreadable, garbled or of another origin.
 */
export function loadDocumentCa(dataDir: string, origin: string): DocumentCa | null {
  const file = path.join(dataDir, 'keys', DOCUMENT_CA_FILE);
  try {
    statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
  }
  const blocks = pemBlocks(readPrivate(file, 'the registry CA'));
  const key = blocks.find((b) => b.label === 'PRIVATE KEY');
  const cert = blocks.find((b) => b.label === 'CERTIFICATE');
  if (!key || !cert) throw new KeyFileError('key_file_invalid', `${file} does not hold a private key and a certificate`);
  const x509 = checkCertificate(cert.der, origin, true, file);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: key.der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new KeyFileError('key_file_invalid', `${file} holds a private key that cannot be read`);
  }
  if (!x509.checkPrivateKey(privateKey) || !x509.verify(x509.publicKey)) throw new KeyFileError('key_file_invalid', `${file}: the private key is not the certificate's, or the certificate is not self-signed`);
  return { certificate: new Uint8Array(cert.der), privateKey, file };
}

/**
 * Creates the registry CA (ECDSA P-256, self-signed, valid 20 years from `now`) in
 * `<data dir>/keys/document-ca.key`, exclusively.
 * @throws KeyError `key_file_exists`; KeyFileError `key_file_unwritable`.
 */
export async function createDocumentCa(dataDir: string, origin: string, now: Date): Promise<DocumentCa> {
  const file = path.join(dataDir, 'keys', DOCUMENT_CA_FILE);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certificate = await issueCertificate(
    {
      serial: serial(),
      subject: { commonName: 'DataDeed Registry CA', organization: 'DataDeed', organizationalUnit: origin },
      notBefore: now,
      notAfter: addYears(now, CA_YEARS),
      publicKey: spki(privateKey),
      ca: true,
    },
    ecdsa(privateKey),
  );
  writeExclusive(file, `${privatePem(privateKey)}${certificatePem(certificate)}`);
  return { certificate, privateKey, file };
}

function documentKeyFromText(text: string, file: string, origin: string): DocumentSigningKey {
  const blocks = pemBlocks(text);
  const key = blocks.find((b) => b.label === 'PRIVATE KEY');
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE');
  if (!key || certs.length !== 2) throw new KeyFileError('key_file_invalid', `${file} does not hold a private key, its certificate and the CA's`);
  const [cert, caCert] = certs as [(typeof certs)[number], (typeof certs)[number]];
  const x509 = checkCertificate(cert.der, origin, false, file);
  const ca = checkCertificate(caCert.der, origin, true, file);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: key.der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new KeyFileError('key_file_invalid', `${file} holds a private key that cannot be read`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new KeyFileError('key_file_invalid', `${file}: the private key is not the certificate's`);
  if (!x509.checkIssued(ca) || !x509.verify(ca.publicKey)) throw new KeyFileError('key_file_invalid', `${file}: the certificate was not issued by the CA certificate beside it`);
  const certificate = new Uint8Array(cert.der);
  const keyId = documentKeyId(certificate);
  if (path.basename(file) !== `document-${keyId}.key`) throw new KeyFileError('key_file_invalid', `${file} is named for another key ID than its certificate's (${keyId})`);
  return { keyId, name: documentKeyName(origin), certificate, caCertificate: new Uint8Array(caCert.der), file, sign: ecdsa(privateKey) };
}

/**
 * Creates a document-signing key: an ECDSA P-256 key and its certificate (valid 10
 * years from `now`, never beyond the CA's), issued by the registry CA — which is
 * created first when this data directory has none — in `document-<key ID>.key`.
 * The key is not active until the log holds it (first start of a log without one, or
 * `datadeed keys rotate --purpose document`).
 * @throws KeyFileError when the CA or the key file cannot be read or written.
 */
export async function generateDocumentKey(dataDir: string, origin: string, now: Date): Promise<DocumentSigningKey> {
  const ca = loadDocumentCa(dataDir, origin) ?? (await createDocumentCa(dataDir, origin, now));
  const caNotAfter = new X509Certificate(Buffer.from(ca.certificate)).validTo;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const notAfter = new Date(Math.min(addYears(now, DOCUMENT_YEARS).getTime(), Date.parse(caNotAfter)));
  const certificate = await issueCertificate(
    {
      serial: serial(),
      subject: { commonName: 'DataDeed Document Signing', organization: 'DataDeed', organizationalUnit: origin },
      notBefore: now,
      notAfter,
      publicKey: spki(privateKey),
      ca: false,
      issuer: ca.certificate,
    },
    ecdsa(ca.privateKey),
  );
  const file = path.join(dataDir, 'keys', `document-${documentKeyId(certificate)}.key`);
  const text = `${privatePem(privateKey)}${certificatePem(certificate)}${certificatePem(ca.certificate)}`;
  writeExclusive(file, text);
  return documentKeyFromText(text, file, origin);
}

/**
 * Every document key on disk for `origin`, ordered by key ID.
 * @throws KeyFileError for a bad file (it stops the caller, it is never skipped).
 */
export function listDocumentKeys(dataDir: string, origin: string): DocumentSigningKey[] {
  const dir = path.join(dataDir, 'keys');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new KeyFileError('key_file_unreadable', `cannot read the key directory ${dir}`);
  }
  return names
    .filter((n) => FILE_PATTERN.test(n))
    .sort()
    .map((n) => {
      const file = path.join(dir, n);
      return documentKeyFromText(readPrivate(file, 'a document key'), file, origin);
    });
}

/**
 * Loads the document key with this ID.
 * @throws KeyFileError `key_file_unreadable` (no such file) or another code for a bad file.
 */
export function loadDocumentKey(dataDir: string, origin: string, keyId: string): DocumentSigningKey {
  if (!/^[0-9a-f]{16}$/.test(keyId)) throw new KeyFileError('key_file_unreadable', 'a document key ID is 16 lowercase hex digits');
  const file = path.join(dataDir, 'keys', `document-${keyId}.key`);
  return documentKeyFromText(readPrivate(file, 'a document key'), file, origin);
}

/** The SHA-256 of a certificate, hex (as its key entry names it). */
export function certificateSha256(der: Uint8Array): string {
  return toHex(sha256(der));
}

/** A key found on disk, as the rule `checkDocumentKeys` compares it. */
export function foundDocumentKey(k: DocumentSigningKey): { keyId: string; certificate: string; caCertificate: string } {
  return { keyId: k.keyId, certificate: toBase64(k.certificate), caCertificate: toBase64(k.caCertificate) };
}

/**
 * The renderer's document signer over a loaded key.
 * @param attachments - the files to embed before signing (the proof that the log holds this key).
 */
export function documentSigner(key: DocumentSigningKey, attachments: DocumentSigner['attachments']): DocumentSigner {
  return {
    certificates: [key.certificate, key.caCertificate],
    sign: (data) => key.sign(data),
    name: 'DataDeed Document Signing',
    attachments,
  };
}
