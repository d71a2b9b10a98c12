/**
 * Signature verification with node:crypto (OpenSSL): Ed25519 for bundles, ECDSA and
 * RSA for document signatures and their certificates — the fastest adapters on the
 * server and in the CLI. Node only — not exported from the pure index.
 */
import { createHash, createPublicKey, hash as oneShotHash, verify as nodeVerify, type KeyObject } from 'node:crypto';
import type { Ed25519Verify } from '../verify.ts';
import { OID, type SignatureVerify } from '../x509.ts';
import { nodeRfc6962 } from '../../ledger/node/index.ts';

/** DER SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410 §4), followed by the 32 key bytes. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keyCache = new Map<string, KeyObject>();

/** A node:crypto public key object from a raw 32-byte Ed25519 public key. */
export function ed25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString('hex');
  let key = keyCache.get(id);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, Buffer.from(publicKey)]), format: 'der', type: 'spki' });
    if (keyCache.size > 256) keyCache.clear();
    keyCache.set(id, key);
  }
  return key;
}

/** SHA-256 with OpenSSL: the one-shot `crypto.hash` where Node has it (≥ 20.12), else `createHash`. */
function sha256(data: Uint8Array): Uint8Array {
  return typeof oneShotHash === 'function' ? new Uint8Array(oneShotHash('sha256', data, 'buffer')) : new Uint8Array(createHash('sha256').update(data).digest());
}

/** The node:crypto adapter for `verifyBundle` (Ed25519, and SHA-256 for the proofs and the payload digest). */
export const nodeEd25519: Ed25519Verify = {
  hasher: nodeRfc6962,
  sha256,
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      return nodeVerify(null, message, ed25519PublicKeyObject(publicKey), signature);
    } catch {
      return false;
    }
  },
};

const spkiCache = new Map<string, KeyObject>();

/** A node:crypto public key object from a DER SubjectPublicKeyInfo (cached). */
function spkiKeyObject(spki: Uint8Array): KeyObject {
  const id = Buffer.from(spki).toString('base64');
  let key = spkiCache.get(id);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    if (spkiCache.size > 64) spkiCache.clear();
    spkiCache.set(id, key);
  }
  return key;
}

/**
 * The node:crypto adapter for X.509 and CMS signatures (document signatures, their
 * certificates): ecdsa-with-SHA256 (DER signature values) and RSA PKCS#1 v1.5 with
 * SHA-256; anything else is `false`.
 */
export const nodeSignatureVerify: SignatureVerify = {
  verifySignature(algorithm: string, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    try {
      const key = spkiKeyObject(publicKey);
      if (algorithm === OID.ecdsaWithSha256) return key.asymmetricKeyType === 'ec' && nodeVerify('sha256', data, { key, dsaEncoding: 'der' }, signature);
      if (algorithm === OID.sha256WithRsaEncryption || algorithm === OID.rsaEncryption) return key.asymmetricKeyType === 'rsa' && nodeVerify('sha256', data, key, signature);
      return false;
    } catch {
      return false;
    }
  },
};

/** Every verification a DataDeed PDF needs (bundle and document signature), with node:crypto. */
export const nodeCrypto: Ed25519Verify & SignatureVerify = { ...nodeEd25519, ...nodeSignatureVerify };
