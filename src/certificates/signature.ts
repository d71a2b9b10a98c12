/**
 * Certificate signatures (DESIGN §5): Ed25519 (RFC 8032, pure, no pre-hash) over
 *
 *     "datadeed certificate v1\n" ‖ payload bytes
 *
 * The context string separates certificate signatures from every other use of a key
 * (a signed note's text never starts with it: a checkpoint starts with its origin).
 *
 * Certificate keys are named `<origin>/certificate` ({@link certificateKeyName}) and
 * identified like checkpoint keys: key ID = first 4 bytes of SHA-256(name ‖ 0x0A ‖
 * 0x01 ‖ public key) (C2SP signed-note), written as 8 lowercase hex digits. They are
 * published as vkeys `<origin>/certificate+<hex id>+<base64(0x01 ‖ key)>`. Because the
 * name differs from the log's (`<origin>`), a certificate key can never pass for the
 * log key nor the reverse, even if an operator reused key material.
 *
 * Signing takes an injected signer (node:crypto on the server); pure otherwise.
 */
import { concatBytes, utf8 } from '../ledger/index.ts';
import type { NoteSigner } from '../ledger/index.ts';
import { CertificateError } from './errors.ts';
import { parseCertificatePayload } from './payload.ts';

/** The domain-separation prefix of the signed message. */
export const CERTIFICATE_SIGNATURE_CONTEXT = 'datadeed certificate v1\n';

const CONTEXT_BYTES = utf8(CERTIFICATE_SIGNATURE_CONTEXT);

/** An Ed25519 signature of a certificate payload by the key with this ID. */
export interface CertificateSignature {
  /** The signing key's ID, 8 lowercase hex digits (equals the payload's `keyId`). */
  keyId: string;
  /** The 64-byte Ed25519 signature. */
  sig: Uint8Array;
}

/**
 * The key name of a registry's certificate-signing keys: `<origin>/certificate`.
 * @param origin - the log origin (DATADEED_ORIGIN), itself a valid key name.
 */
export function certificateKeyName(origin: string): string {
  return `${origin}/certificate`;
}

/** A 32-bit key ID as 8 lowercase hex digits (the form in payloads, bundles and /v1/keys). */
export function formatKeyId(id: number): string {
  return (id >>> 0).toString(16).padStart(8, '0');
}

/**
 * The exact bytes that are signed: UTF-8 "datadeed certificate v1\n" followed by the
 * payload bytes (DESIGN §5). The payload bytes are not inspected here.
 */
export function certificateSigningMessage(payloadBytes: Uint8Array): Uint8Array {
  return concatBytes(CONTEXT_BYTES, payloadBytes);
}

/**
 * Signs canonical payload bytes with `signer` (its `sign` gets the message of
 * {@link certificateSigningMessage}; on the server a node:crypto signer, e.g.
 * `nodeNoteSigner` from src/ledger/keyfile.ts or a keyring key's `signer`).
 *
 * Preconditions, checked first: the bytes parse as a canonical payload
 * (see `parseCertificatePayload`); the signer's name is
 * `certificateKeyName(payload.origin)` and its key ID is `payload.keyId`.
 * @throws CertificateError `invalid_payload`, `non_canonical_payload`, or
 *   `signer_mismatch` (wrong key, or the signer returned something other than 64 bytes).
 */
export async function signCertificatePayload(payloadBytes: Uint8Array, signer: NoteSigner): Promise<CertificateSignature> {
  const payload = parseCertificatePayload(payloadBytes);
  if (signer.name !== certificateKeyName(payload.origin) || formatKeyId(signer.keyId) !== payload.keyId) {
    throw new CertificateError('signer_mismatch', 'the signer is not the key the payload names');
  }
  const sig = await signer.sign(certificateSigningMessage(payloadBytes));
  if (!(sig instanceof Uint8Array) || sig.length !== 64) {
    throw new CertificateError('signer_mismatch', 'the signer did not return a 64-byte Ed25519 signature');
  }
  return { keyId: payload.keyId, sig: sig.slice() };
}
