/**
 * Ed25519 through node:crypto for the witness server (RFC 8032; ~3× faster than the
 * pure-JavaScript verifier): raw 32-byte keys wrapped in their fixed DER prefixes.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import type { Ed25519Sign, Ed25519Verify } from '../cosignature.ts';

// PKCS#8 / SPKI DER prefixes of an Ed25519 key (RFC 8410 §7, §4).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A node:crypto private key from a 32-byte Ed25519 seed. */
export function privateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new TypeError('Ed25519 seed must be 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** The raw 32-byte public key of a seed. */
export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  const der = createPublicKey(privateKeyFromSeed(seed)).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(SPKI_PREFIX.length));
}

/** Signing with a seed (deterministic RFC 8032 signatures). */
export function nodeEd25519Sign(seed: Uint8Array): Ed25519Sign {
  const key = privateKeyFromSeed(seed);
  return (message) => new Uint8Array(nodeSign(null, message, key));
}

const publicKeys = new Map<string, KeyObject>();

/** Verification of raw keys; false for anything that is not a valid signature. */
export const nodeEd25519Verify: Ed25519Verify = (publicKey, message, signature) => {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const id = Buffer.from(publicKey).toString('hex');
  let key = publicKeys.get(id);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    } catch {
      return false;
    }
    if (publicKeys.size > 1024) publicKeys.clear();
    publicKeys.set(id, key);
  }
  try {
    return nodeVerify(null, message, key, signature);
  } catch {
    return false;
  }
};
