import { DataDeedError } from '../errors.ts';

/**
 * The closed set of failure codes of dataset fingerprinting (DESIGN §4). Codes are API:
 * they are never renamed; the CLI prints them in brackets and the HTTP boundary maps
 * them to RFC 9457 problems.
 *
 * Paths (a dataset-relative path, or one segment of it):
 * - `path_empty` — the path is the empty string.
 * - `path_absolute` — the path starts with `/` (or a drive letter / backslash root).
 * - `path_traversal` — a segment is `..`.
 * - `path_empty_segment` — a segment is empty (`a//b`, trailing `/`) or `.`.
 * - `path_nul` — the path contains U+0000.
 * - `path_unrepresentable` — a name is not valid Unicode (invalid UTF-8 on disk, a lone
 *   surrogate in a string), so it has no UTF-8 / NFC form.
 * - `path_not_normalized` — a path in a manifest or proof is not in its canonical form
 *   (NFC, POSIX separators).
 * - `path_too_long` — a path exceeds {@link MAX_PATH_BYTES} UTF-8 bytes.
 *
 * Manifests and proofs:
 * - `duplicate_path` — two files have the same path after NFC normalisation.
 * - `unsorted_entries` — manifest entries are not in strictly ascending UTF-8 byte order.
 * - `malformed_manifest` — a manifest is not `{v:1, root, files, bytes, entries}` with
 *   valid fields (unknown fields, wrong types, sizes that are not safe integers, digests
 *   that are not 64 lowercase hex digits).
 * - `manifest_totals_mismatch` — `files` or `bytes` disagree with the entries.
 * - `manifest_root_mismatch` — `root` is not the RFC 6962 root of the entries.
 * - `malformed_proof` — a file proof is not `{v:1, root, treeSize, index, leaf, proof}`
 *   with valid fields.
 * - `proof_mismatch` — the inclusion proof does not lead from the leaf to the proof's root.
 * - `root_mismatch` — a root differs from the root the caller trusts (certificate, `--root`).
 * - `file_mismatch` — a file's size or SHA-256 differs from the proof's leaf.
 * - `path_not_in_manifest` — no entry has the requested path.
 */
export const FINGERPRINT_ERROR_CODES = [
  'path_empty',
  'path_absolute',
  'path_traversal',
  'path_empty_segment',
  'path_nul',
  'path_unrepresentable',
  'path_not_normalized',
  'path_too_long',
  'duplicate_path',
  'unsorted_entries',
  'malformed_manifest',
  'manifest_totals_mismatch',
  'manifest_root_mismatch',
  'malformed_proof',
  'proof_mismatch',
  'root_mismatch',
  'file_mismatch',
  'path_not_in_manifest',
] as const;
export type FingerprintErrorCode = (typeof FINGERPRINT_ERROR_CODES)[number];

/** Longest accepted dataset-relative path, in UTF-8 bytes (Linux PATH_MAX). */
export const MAX_PATH_BYTES = 4096;

/**
 * The one error type of `src/fingerprint`'s core. Callers switch on {@link FingerprintError.code};
 * messages are short and fixed except that they may quote the offending dataset path.
 */
export class FingerprintError extends DataDeedError<FingerprintErrorCode> {
  /**
   * @param code - the stable failure code.
   * @param message - a human-readable explanation (not part of the API).
   */
  constructor(code: FingerprintErrorCode, message: string) {
    super(code, message);
    this.name = 'FingerprintError';
  }
}

/**
 * Codes of in-browser fingerprinting (`./browser/`): the core's codes, plus
 * - `read_failed` — the browser could not read a picked file;
 * - `file_changed` — a picked file changed while it was being hashed;
 * - `worker_failed` — the Web Worker died or answered something unexpected;
 * - `aborted` — the person cancelled.
 * Listed in the core (pure data) so the HTTP and CLI tables can name them.
 */
export const BROWSER_FINGERPRINT_ERROR_CODES = [...FINGERPRINT_ERROR_CODES, 'read_failed', 'file_changed', 'worker_failed', 'aborted'] as const;
export type BrowserFingerprintErrorCode = (typeof BROWSER_FINGERPRINT_ERROR_CODES)[number];
