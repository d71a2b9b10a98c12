/**
 * Ed25519 verification with @noble/ed25519 (pure JavaScript): for browsers without
 * WebCrypto Ed25519, and as an independent implementation in tests. Strict RFC 8032
 * §5.1.7 (`zip215: false`), like Go's crypto/ed25519 and OpenSSL.
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import type { Ed25519Verify } from './verify.ts';

// @noble/ed25519 3 needs a synchronous SHA-512 for sign/verify.
ed.hashes.sha512 = sha512;

/** The @noble/ed25519 adapter for `verifyBundle`. */
export const nobleEd25519: Ed25519Verify = {
  verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      return ed.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
};
