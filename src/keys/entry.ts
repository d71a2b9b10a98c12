/**
 * The log entries of the key lifecycle (DESIGN §3, §5): every signing key the log
 * uses is announced by a `key.added` entry (purpose, key ID, vkey, raw public key) and
 * a certificate key retired by rotation by a `key.retired` entry. Whoever holds the
 * log can rebuild the published key set, with validity windows, from these entries.
 */
import { encodeEntry, parseVerifierKey, toHex } from '../ledger/index.ts';
import { documentKeyAddedEvent } from '../certificates/index.ts';

/**
 * What a key signs: the log's checkpoints, certificate payloads, or the registry's PDF
 * documents (PAdES; an X.509 certificate issued by the registry's own CA).
 */
export const KEY_PURPOSES = ['log', 'certificate', 'document'] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

/** The public half of a signing key. */
export interface PublicKeyInfo {
  /** 8 lowercase hex digits (C2SP signed-note key ID). */
  keyId: string;
  /** The key name: the origin (log key) or `<origin>/certificate`. */
  name: string;
  /** C2SP verifier key `<name>+<hex id>+<base64(0x01 ‖ key)>`. */
  vkey: string;
  /** The raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
}

/**
 * The public key described by a verifier key `<name>+<hex id>+<base64(0x01 ‖ key)>`.
 * @throws LedgerError `malformed_verifier_key`.
 */
export function publicKeyInfo(vkey: string): PublicKeyInfo {
  const { name, keyId, publicKey } = parseVerifierKey(vkey);
  return { keyId: keyId.toString(16).padStart(8, '0'), name, vkey, publicKey };
}

/**
 * The `key.added` entry of a key: `{"v":1,"kind":"key.added","time",purpose,keyId,vkey,publicKey}`
 * (RFC 8785 canonical JSON; `publicKey` 64 lowercase hex digits).
 * @param at - the time the key becomes valid (its `valid_from`).
 */
export function keyAddedEntry(key: PublicKeyInfo, purpose: KeyPurpose, at: Date): Uint8Array {
  return encodeEntry({ kind: 'key.added', time: at.toISOString(), purpose, keyId: key.keyId, vkey: key.vkey, publicKey: toHex(key.publicKey) });
}

/**
 * The `key.added` entry of a document-signing key: purpose `document`, its key ID, its
 * certificate and its CA's certificate as base64 DER with their SHA-256 (see
 * src/certificates/document-key.ts).
 */
export function documentKeyAddedEntry(certificate: Uint8Array, caCertificate: Uint8Array, at: Date): Uint8Array {
  return encodeEntry(documentKeyAddedEvent(certificate, caCertificate, at));
}

/**
 * The `key.retired` entry of a key: `{"v":1,"kind":"key.retired","time",purpose,keyId}`.
 * The key stays valid for what it signed before `at`.
 */
export function keyRetiredEntry(keyId: string, purpose: KeyPurpose, at: Date): Uint8Array {
  return encodeEntry({ kind: 'key.retired', time: at.toISOString(), purpose, keyId });
}
