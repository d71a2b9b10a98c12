/**
 * Ed25519 verification with node:crypto (OpenSSL): the fastest adapter on the
 * server and in the CLI. Node only — not exported from the pure index.
 */
import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import type { Ed25519Verify } from './verify.ts';

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

/** The node:crypto adapter for `verifyBundle`. */
export const nodeEd25519: Ed25519Verify = {
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      return nodeVerify(null, message, ed25519PublicKeyObject(publicKey), signature);
    } catch {
      return false;
    }
  },
};
