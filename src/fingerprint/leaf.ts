/**
 * Manifest entries and their Merkle leaves (DESIGN §4): a leaf is the UTF-8 bytes of
 * the RFC 8785 (JCS) canonical JSON of `{"path","size","sha256"}` — keys sorted, so
 * the bytes are `{"path":…,"sha256":…,"size":…}` — hashed as an RFC 6962 leaf.
 */
import { canonicalJson, isHex64, LedgerError, type Hasher } from '../ledger/index.ts';
import { FingerprintError } from './errors.ts';
import { isCanonicalPath } from './path.ts';

/** One file of a dataset: canonical relative path, size in bytes, SHA-256 as 64 lowercase hex digits. */
export interface ManifestEntry {
  path: string;
  size: number;
  sha256: string;
}

const encoder = new TextEncoder();

/** True for 64 lowercase hexadecimal digits (a SHA-256 digest or Merkle root as shown outside checkpoints): the ledger's. */
export { isHex64 };

/** True for a file size: a safe non-negative integer. */
export function isFileSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Checks an untrusted value field by field and returns a fresh {@link ManifestEntry}:
 * exactly the keys `path`, `size`, `sha256`; a canonical path; a safe integer size; a
 * lowercase hex digest.
 * @throws FingerprintError `code` (the caller's: `malformed_manifest` or
 *   `malformed_proof`) or `path_not_normalized`.
 */
export function parseEntry(value: unknown, code: 'malformed_manifest' | 'malformed_proof'): ManifestEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FingerprintError(code, 'entry is not an object');
  }
  const keys = Object.keys(value);
  if (keys.length !== 3 || !keys.includes('path') || !keys.includes('size') || !keys.includes('sha256')) {
    throw new FingerprintError(code, 'entry must have exactly path, size and sha256');
  }
  const { path, size, sha256 } = value as Record<string, unknown>;
  if (typeof path !== 'string') throw new FingerprintError(code, 'entry path is not a string');
  if (!isCanonicalPath(path)) throw new FingerprintError('path_not_normalized', `path is not canonical: ${JSON.stringify(path)}`);
  if (!isFileSize(size)) throw new FingerprintError(code, 'entry size is not a non-negative safe integer');
  if (!isHex64(sha256)) throw new FingerprintError(code, 'entry sha256 is not 64 lowercase hex digits');
  return { path, size, sha256 };
}

/**
 * The leaf bytes of an entry: UTF-8 of JCS(`{path, size, sha256}`) (RFC 8785 §3.2).
 * Precondition: a valid entry (see {@link parseEntry}).
 */
export function encodeLeaf(entry: ManifestEntry): Uint8Array {
  let text: string;
  try {
    text = canonicalJson({ path: entry.path, size: entry.size, sha256: entry.sha256 });
  } catch (e) {
    if (e instanceof LedgerError) throw new FingerprintError('malformed_manifest', 'entry is not serialisable');
    throw e;
  }
  return encoder.encode(text);
}

/** The RFC 6962 leaf hash HASH(0x00 ‖ leaf bytes) of an entry (RFC 9162 §2.1.1). */
export function leafHash(hasher: Hasher, entry: ManifestEntry): Uint8Array {
  return hasher.hashLeaf(encodeLeaf(entry));
}
