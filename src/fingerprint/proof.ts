/**
 * File inclusion proofs: that one file (path, size, SHA-256) is a leaf of a dataset
 * manifest with a given root — RFC 9162 §2.1.3 inclusion proofs over the manifest's
 * leaves. Building needs the manifest; checking needs only the proof and a trusted root.
 * Computing the root a proof implies is separate from checking it against a trusted one.
 */
import { bytesEqual, fromHex, toHex } from '../ledger/index.ts';
import { merkleTreeHash } from '../ledger/index.ts';
import { LedgerError } from '../ledger/index.ts';
import { rfc6962, type Hasher } from '../ledger/index.ts';
import { rootFromInclusionProof } from '../ledger/index.ts';
import { assembleProof, nodesForPlan, planInclusion, type NodeId } from '../ledger/index.ts';
import { FingerprintError } from './errors.ts';
import { isFileSize, isHex64, leafHash, parseEntry, type ManifestEntry } from './leaf.ts';
import type { Manifest } from './manifest.ts';
import { comparePaths, normalizePath } from './path.ts';

/** A file inclusion proof, version 1. Hashes are 64 lowercase hex digits. */
export interface FileProof {
  v: 1;
  /** The manifest root the proof leads to. */
  root: string;
  /** Number of entries of the manifest. */
  treeSize: number;
  /** Position of the file in the sorted manifest. */
  index: number;
  /** The manifest entry of the file. */
  leaf: ManifestEntry;
  /** PATH(index, D[treeSize]) of RFC 9162 §2.1.3.1, nearest sibling first. */
  proof: string[];
}

/**
 * Index of `path` in the (sorted, verified) manifest, by binary search in UTF-8 byte
 * order; -1 when absent. `path` must be canonical.
 */
export function findEntry(manifest: Manifest, path: string): number {
  let lo = 0;
  let hi = manifest.entries.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const order = comparePaths(manifest.entries[mid]!.path, path);
    if (order === 0) return mid;
    if (order < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Builds the inclusion proof of the file at `path` (normalised first, so `数据/样本.csv`
 * typed in NFD finds its NFC entry) in a verified manifest. O(n) hashing: the plan of
 * RFC 9162 §2.1.3.1 names the perfect subtrees the proof needs, each hashed once.
 * Precondition: `manifest` passed {@link verifyManifest} or came from {@link buildManifest}.
 * @throws FingerprintError `path_*` (bad path), `path_not_in_manifest`,
 *   `manifest_root_mismatch` (the entries do not produce `manifest.root`).
 */
export function proveFile(manifest: Manifest, path: string, hasher: Hasher = rfc6962): FileProof {
  const canonical = normalizePath(path);
  const index = findEntry(manifest, canonical);
  if (index < 0) throw new FingerprintError('path_not_in_manifest', `no file ${JSON.stringify(canonical)} in the manifest`);
  const leaves = manifest.entries.map((e) => leafHash(hasher, e));
  if (toHex(merkleTreeHash(hasher, leaves)) !== manifest.root) {
    throw new FingerprintError('manifest_root_mismatch', 'root is not the Merkle root of the entries');
  }
  const plan = planInclusion(index, leaves.length);
  const nodes = new Map<string, Uint8Array>();
  for (const id of nodesForPlan(plan)) {
    const width = 2 ** id.level;
    nodes.set(`${id.level}/${id.index}`, merkleTreeHash(hasher, leaves.slice(id.index * width, (id.index + 1) * width)));
  }
  const proof = assembleProof(hasher, plan, (id: NodeId) => nodes.get(`${id.level}/${id.index}`));
  const e = manifest.entries[index]!;
  return {
    v: 1,
    root: manifest.root,
    treeSize: leaves.length,
    index,
    leaf: { path: e.path, size: e.size, sha256: e.sha256 },
    proof: proof.map(toHex),
  };
}

const PROOF_KEYS = ['v', 'root', 'treeSize', 'index', 'leaf', 'proof'];

/**
 * Checks an untrusted file proof (parsed JSON) field by field, before any hashing:
 * exactly the keys `v` (= 1), `root`, `treeSize`, `index`, `leaf`, `proof`; hashes 64
 * lowercase hex digits; 0 ≤ index < treeSize; a valid leaf entry. Returns a fresh copy.
 * @throws FingerprintError `malformed_proof` or `path_not_normalized`.
 */
export function parseFileProof(value: unknown): FileProof {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FingerprintError('malformed_proof', 'proof is not an object');
  }
  const keys = Object.keys(value);
  if (keys.length !== PROOF_KEYS.length || !PROOF_KEYS.every((k) => keys.includes(k))) {
    throw new FingerprintError('malformed_proof', 'proof must have exactly v, root, treeSize, index, leaf and proof');
  }
  const p = value as Record<string, unknown>;
  if (p.v !== 1) throw new FingerprintError('malformed_proof', 'unsupported proof version');
  if (!isHex64(p.root)) throw new FingerprintError('malformed_proof', 'root is not 64 lowercase hex digits');
  if (!isFileSize(p.treeSize) || p.treeSize < 1) throw new FingerprintError('malformed_proof', 'treeSize is not a positive safe integer');
  if (!isFileSize(p.index) || p.index >= p.treeSize) throw new FingerprintError('malformed_proof', 'index is not below treeSize');
  if (!Array.isArray(p.proof) || p.proof.length > 64 || !p.proof.every(isHex64)) {
    throw new FingerprintError('malformed_proof', 'proof is not a list of at most 64 hashes');
  }
  const leaf = parseEntry(p.leaf, 'malformed_proof');
  return { v: 1, root: p.root, treeSize: p.treeSize, index: p.index, leaf, proof: [...(p.proof as string[])] };
}

/**
 * The root implied by a (parsed) file proof: RFC 9162 §2.1.3.2 from the leaf hash of
 * JCS(leaf). Does not compare it with anything.
 * @throws FingerprintError `proof_mismatch` (wrong proof length for the geometry, or the
 *   algorithm's own failure condition).
 */
export function rootFromFileProof(proof: FileProof, hasher: Hasher = rfc6962): string {
  try {
    const root = rootFromInclusionProof(hasher, proof.index, proof.treeSize, leafHash(hasher, proof.leaf), proof.proof.map(fromHex));
    return toHex(root);
  } catch (e) {
    if (e instanceof LedgerError) throw new FingerprintError('proof_mismatch', 'inclusion proof does not verify');
    throw e;
  }
}

/**
 * Verifies an untrusted file proof: parses it ({@link parseFileProof}), recomputes the
 * root from the leaf and the path (RFC 9162 §2.1.3.2) and requires it to equal the
 * proof's `root` and, when given, the trusted `root` (a certificate's `manifestRoot`).
 * Roots are compared in constant time. The root binds the entries, but an RFC 9162
 * proof alone does not bind the tree size (some other sizes share the same path
 * geometry): pass the trusted file count as `files` (a certificate's `dataset.files`)
 * to pin `treeSize` too.
 * @returns the parsed proof; its `leaf` is what the caller compares a file against.
 * @throws FingerprintError `malformed_proof`, `path_not_normalized`, `proof_mismatch`,
 *   `root_mismatch` (the proof is sound but for another root).
 */
export function verifyFileProof(value: unknown, opts: { root?: string; files?: number; hasher?: Hasher } = {}): FileProof {
  const proof = parseFileProof(value);
  const computed = fromHex(rootFromFileProof(proof, opts.hasher));
  if (!bytesEqual(computed, fromHex(proof.root))) throw new FingerprintError('proof_mismatch', 'inclusion proof does not verify');
  if (opts.root !== undefined) {
    if (!isHex64(opts.root)) throw new FingerprintError('root_mismatch', 'trusted root is not 64 lowercase hex digits');
    if (!bytesEqual(computed, fromHex(opts.root))) throw new FingerprintError('root_mismatch', 'proof is for another root');
  }
  if (opts.files !== undefined && opts.files !== proof.treeSize) {
    throw new FingerprintError('root_mismatch', 'proof is for a manifest with another number of files');
  }
  return proof;
}

/**
 * Compares a file's measured size and SHA-256 with a proof's leaf.
 * @throws FingerprintError `file_mismatch`.
 */
export function checkFileMatchesLeaf(leaf: ManifestEntry, file: { size: number; sha256: string }): void {
  if (file.size !== leaf.size) throw new FingerprintError('file_mismatch', `file has ${file.size} bytes, the proof says ${leaf.size}`);
  if (!bytesEqual(fromHex(file.sha256), fromHex(leaf.sha256))) throw new FingerprintError('file_mismatch', 'file SHA-256 differs from the proof');
}
