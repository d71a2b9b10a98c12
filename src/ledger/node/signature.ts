/**
 * Public-key signatures of X.509 and CMS (RSA PKCS #1 v1.5, ECDSA, Ed25519) through
 * node:crypto, for verifying RFC 3161 time-stamp tokens (`verifyTimestampToken`).
 */
import { createPublicKey, verify } from 'node:crypto';
import type { HashName, SignatureScheme, SignatureVerify } from '../timestamp.ts';

const NODE_HASH: Record<HashName, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

export const nodeSignatureVerify: SignatureVerify = {
  verifySignature(spki: Uint8Array, scheme: SignatureScheme, hash: HashName | undefined, data: Uint8Array, signature: Uint8Array): boolean {
    try {
      const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      if (scheme === 'ed25519') return key.asymmetricKeyType === 'ed25519' && verify(null, data, key, signature);
      if (hash === undefined || hash === 'SHA-1') return false; // no SHA-1 signatures
      if (scheme === 'rsa-pkcs1' && key.asymmetricKeyType !== 'rsa') return false;
      if (scheme === 'ecdsa' && key.asymmetricKeyType !== 'ec') return false;
      return verify(NODE_HASH[hash], data, key, signature);
    } catch {
      return false;
    }
  },
};
