/**
 * The key set a running registry serves and verifies with: the log's own key, and
 * every key the log has published with its validity window (`GET /v1/keys`).
 */
import type { TrustedKeys } from '../certificates/index.ts';
import type { KeyPurpose } from './entry.ts';

/** A key as the log published it (its `key.added` entry and, for a retired key, `key.retired`). */
export interface PublishedKey {
  keyId: string;
  name: string;
  purpose: KeyPurpose | string;
  /** The C2SP verifier key (log and certificate keys); null for a document key. */
  vkey: string | null;
  /** A document key's certificate and its CA's (base64 DER); null (or absent) for other keys. */
  certificate?: string | null;
  caCertificate?: string | null;
  validFrom: Date;
  /** When it stopped signing; null while active. */
  validUntil: Date | null;
  /** Index of its `key.added` entry. */
  logIndex: number | null;
}

/** The keys of a running registry (read-only). */
export interface KeySet {
  /** The log origin (checkpoint origin and log key name). */
  readonly origin: string;
  /** The key that signs this log's checkpoints. */
  readonly log: { keyId: string; vkey: string };
  /** Every published key, oldest first. */
  published(): Promise<PublishedKey[]>;
}

/**
 * The published keys as the verifier's trust input: log keys, certificate keys with
 * their windows (RFC 3339), and document-signing certificates with their CA's.
 */
export function trustedKeys(published: readonly PublishedKey[]): TrustedKeys {
  const vkeyed = published.filter((k): k is PublishedKey & { vkey: string } => k.vkey !== null);
  return {
    logKeys: vkeyed.filter((k) => k.purpose === 'log').map((k) => k.vkey),
    certificateKeys: vkeyed
      .filter((k) => k.purpose === 'certificate')
      .map((k) => ({ vkey: k.vkey, validFrom: k.validFrom.toISOString(), validUntil: k.validUntil ? k.validUntil.toISOString() : null })),
    documentKeys: published
      .filter((k) => k.purpose === 'document' && k.certificate && k.caCertificate)
      .map((k) => ({ certificate: k.certificate!, caCertificate: k.caCertificate! })),
  };
}
