/**
 * Dataset manifests (DESIGN §4): `{ "v":1, "root", "files", "bytes", "entries" }`, the
 * entries sorted by the UTF-8 bytes of their paths, the root the RFC 6962 Merkle Tree
 * Hash over their leaves. Building (from hashed files) is separate from verifying (an
 * untrusted manifest, e.g. uploaded with an application).
 */
import { CompactRange } from '../ledger/index.ts';
import { toHex } from '../ledger/index.ts';
import { rfc6962, type Hasher } from '../ledger/index.ts';
import { FingerprintError } from './errors.ts';
import { isFileSize, isHex64, leafHash, parseEntry, type ManifestEntry } from './leaf.ts';
import { comparePaths, isCanonicalPath } from './path.ts';
import { objectArray } from '../ledger/index.ts';

/** A dataset manifest, version 1. */
export interface Manifest {
  v: 1;
  /** RFC 6962 root over the entries' leaves, 64 lowercase hex digits. */
  root: string;
  /** Number of entries. */
  files: number;
  /** Sum of the entries' sizes. */
  bytes: number;
  /** Sorted by {@link comparePaths}, no duplicates. */
  entries: ManifestEntry[];
}

/** The summary an application carries: root, file count, total bytes. */
export interface ManifestSummary {
  root: string;
  files: number;
  bytes: number;
}

/**
 * The RFC 6962 root (RFC 9162 §2.1.1 MTH) over the leaves of `entries`, in the given
 * order, with O(log n) memory. The empty dataset has root SHA-256("").
 */
export function manifestRoot(entries: readonly ManifestEntry[], hasher: Hasher = rfc6962): string {
  const range = CompactRange.empty(hasher);
  for (const e of entries) range.append(leafHash(hasher, e));
  return toHex(range.root());
}

/**
 * Builds a manifest from entries that arrive in manifest order (ascending UTF-8 path
 * bytes), one at a time: each is checked and its leaf appended to a compact range, so
 * the root is ready as soon as the last file is hashed and the tree costs O(log n)
 * memory. A caller that already has an entry's leaf hash (computed beside the file's
 * digest, e.g. on a hashing thread) passes it; it must be {@link leafHash} of the entry.
 */
export class ManifestBuilder {
  readonly #hasher: Hasher;
  readonly #range: CompactRange;
  readonly #entries: ManifestEntry[] = objectArray();
  #bytes = 0;

  constructor(hasher: Hasher = rfc6962) {
    this.#hasher = hasher;
    this.#range = CompactRange.empty(hasher);
  }

  /**
   * Appends the next entry.
   * @throws FingerprintError `path_not_normalized`, `malformed_manifest`, `duplicate_path`,
   *   `unsorted_entries` (not after the previous entry).
   */
  add(entry: ManifestEntry, leaf?: Uint8Array): void {
    const e = parseEntry(entry, 'malformed_manifest');
    this.#push(e, leaf ?? leafHash(this.#hasher, e));
  }

  /**
   * Appends the next entry as a hashing lane produced it: `sha256` a lowercase hex digest
   * and `size` a safe integer (what the lane computed), the leaf hash the 32 bytes of
   * `leaves` at `offset`. The path is checked as in {@link add} (canonical, after the
   * previous one); the digest and size are not checked again, and no entry object is
   * made but the one the manifest keeps.
   * @throws FingerprintError `path_not_normalized`, `duplicate_path`, `unsorted_entries`,
   *   `malformed_manifest` (total size beyond 2^53 - 1).
   */
  addHashed(path: string, size: number, sha256: string, leaves: Uint8Array, offset: number): void {
    if (!isCanonicalPath(path)) throw new FingerprintError('path_not_normalized', `path is not canonical: ${JSON.stringify(path)}`);
    this.#push({ path, size, sha256 }, leaves.subarray(offset, offset + 32));
  }

  /** Appends a checked entry and its leaf hash after the previous entry. */
  #push(e: ManifestEntry, leaf: Uint8Array): void {
    const entries = this.#entries;
    // (a read at index -1 of the first entry would deoptimise this loop in every manifest)
    const prev = entries.length > 0 ? entries[entries.length - 1] : undefined;
    if (prev !== undefined) {
      const order = comparePaths(prev.path, e.path);
      if (order === 0) throw new FingerprintError('duplicate_path', `two files have the path ${JSON.stringify(e.path)}`);
      if (order > 0) throw new FingerprintError('unsorted_entries', `entry ${JSON.stringify(e.path)} is out of order`);
    }
    const bytes = this.#bytes + e.size;
    if (!Number.isSafeInteger(bytes)) throw new FingerprintError('malformed_manifest', 'total size exceeds 2^53 - 1');
    this.#range.append(leaf);
    this.#entries.push(e);
    this.#bytes = bytes;
  }

  /** Number of entries so far. */
  get files(): number {
    return this.#entries.length;
  }

  /** The manifest of the entries added. */
  finish(): Manifest {
    return { v: 1, root: toHex(this.#range.root()), files: this.#entries.length, bytes: this.#bytes, entries: this.#entries.slice() };
  }
}

/**
 * Builds the manifest of hashed files: sorts a copy of `entries` by UTF-8 path bytes,
 * rejects duplicate paths, totals the sizes and computes the root.
 * Preconditions: paths canonical (`normalizePath`), sizes safe integers, digests lowercase hex
 * — checked, so a bug upstream cannot produce an unverifiable manifest.
 * @throws FingerprintError `duplicate_path`, `path_not_normalized`, `malformed_manifest`.
 */
export function buildManifest(entries: readonly ManifestEntry[], hasher: Hasher = rfc6962): Manifest {
  // Checked before sorting, so that malformed input fails with its code, not a TypeError.
  const sorted = entries.map((e) => parseEntry(e, 'malformed_manifest')).sort((a, b) => comparePaths(a.path, b.path));
  const builder = new ManifestBuilder(hasher);
  for (const e of sorted) builder.add(e);
  return builder.finish();
}

const MANIFEST_KEYS = ['v', 'root', 'files', 'bytes', 'entries'];

/**
 * Checks an untrusted manifest (parsed JSON) field by field, then recomputes its root:
 * exactly the keys `v` (= 1), `root`, `files`, `bytes`, `entries`; every entry valid
 * with a canonical path; entries strictly ascending by UTF-8 path bytes (so no
 * duplicates); `files` and `bytes` equal to the count and sum; `root` equal to the
 * RFC 6962 root of the entries. Returns a fresh copy.
 * @throws FingerprintError `malformed_manifest`, `path_not_normalized`,
 *   `duplicate_path`, `unsorted_entries`, `manifest_totals_mismatch`,
 *   `manifest_root_mismatch`.
 */
export function verifyManifest(value: unknown, hasher: Hasher = rfc6962): Manifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FingerprintError('malformed_manifest', 'manifest is not an object');
  }
  const keys = Object.keys(value);
  if (keys.length !== MANIFEST_KEYS.length || !MANIFEST_KEYS.every((k) => keys.includes(k))) {
    throw new FingerprintError('malformed_manifest', 'manifest must have exactly v, root, files, bytes and entries');
  }
  const m = value as Record<string, unknown>;
  if (m.v !== 1) throw new FingerprintError('malformed_manifest', 'unsupported manifest version');
  if (!isHex64(m.root)) throw new FingerprintError('malformed_manifest', 'root is not 64 lowercase hex digits');
  if (!isFileSize(m.files)) throw new FingerprintError('malformed_manifest', 'files is not a non-negative safe integer');
  if (!isFileSize(m.bytes)) throw new FingerprintError('malformed_manifest', 'bytes is not a non-negative safe integer');
  if (!Array.isArray(m.entries)) throw new FingerprintError('malformed_manifest', 'entries is not an array');
  const entries: ManifestEntry[] = [];
  let bytes = 0;
  for (const raw of m.entries as unknown[]) {
    const e = parseEntry(raw, 'malformed_manifest');
    const prev = entries[entries.length - 1];
    if (prev !== undefined) {
      const order = comparePaths(prev.path, e.path);
      if (order === 0) throw new FingerprintError('duplicate_path', `two entries have the path ${JSON.stringify(e.path)}`);
      if (order > 0) throw new FingerprintError('unsorted_entries', `entry ${JSON.stringify(e.path)} is out of order`);
    }
    entries.push(e);
    bytes += e.size;
  }
  if (!Number.isSafeInteger(bytes)) throw new FingerprintError('manifest_totals_mismatch', 'total size exceeds 2^53 - 1');
  if (m.files !== entries.length || m.bytes !== bytes) {
    throw new FingerprintError('manifest_totals_mismatch', 'files or bytes disagree with the entries');
  }
  const root = manifestRoot(entries, hasher);
  if (root !== m.root) throw new FingerprintError('manifest_root_mismatch', 'root is not the Merkle root of the entries');
  return { v: 1, root, files: entries.length, bytes, entries };
}

/**
 * Parses manifest JSON text and verifies it ({@link verifyManifest}).
 * @param maxChars - refuse longer text before parsing (the caller's size bound).
 * @throws FingerprintError `malformed_manifest` (not JSON, too long) and the codes of
 *   {@link verifyManifest}.
 */
export function parseManifest(text: string, opts: { maxChars?: number; hasher?: Hasher } = {}): Manifest {
  if (typeof text !== 'string') throw new FingerprintError('malformed_manifest', 'manifest is not text');
  if (opts.maxChars !== undefined && text.length > opts.maxChars) {
    throw new FingerprintError('malformed_manifest', 'manifest is too large');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FingerprintError('malformed_manifest', 'manifest is not JSON');
  }
  return verifyManifest(value, opts.hasher);
}

/**
 * Checks that a verified manifest is the one an application (or a certificate)
 * declares: the same root, file count and total bytes.
 * @throws FingerprintError `manifest_root_mismatch` or `manifest_totals_mismatch`.
 */
export function assertManifestMatches(manifest: Manifest, declared: ManifestSummary): void {
  if (manifest.root !== declared.root) throw new FingerprintError('manifest_root_mismatch', 'manifest root differs from the declared root');
  if (manifest.files !== declared.files || manifest.bytes !== declared.bytes) {
    throw new FingerprintError('manifest_totals_mismatch', 'manifest files or bytes differ from the declared ones');
  }
}

/** The root, file count and total bytes of a manifest. */
export function summarizeManifest(manifest: Manifest): ManifestSummary {
  return { root: manifest.root, files: manifest.files, bytes: manifest.bytes };
}

/**
 * The manifest file format shared by the CLI and the browser, as text chunks (so a
 * large manifest can be streamed to disk): the top-level fields in the order
 * `v, root, files, bytes, entries`, then one entry per line. `JSON.parse` of the
 * concatenation is the manifest; the bytes depend only on the manifest.
 */
export function* manifestChunks(manifest: Manifest): Generator<string> {
  yield `{"v":1,"root":${JSON.stringify(manifest.root)},"files":${manifest.files},"bytes":${manifest.bytes},"entries":[`;
  const n = manifest.entries.length;
  let batch = '';
  for (let i = 0; i < n; i++) {
    const e = manifest.entries[i]!;
    batch += `\n{"path":${JSON.stringify(e.path)},"size":${e.size},"sha256":"${e.sha256}"}${i + 1 < n ? ',' : '\n'}`;
    if (batch.length >= 1 << 16) {
      yield batch;
      batch = '';
    }
  }
  yield `${batch}]}\n`;
}

/** {@link manifestChunks} as one string. */
export function serializeManifest(manifest: Manifest): string {
  let out = '';
  for (const chunk of manifestChunks(manifest)) out += chunk;
  return out;
}
