/**
 * Public surface of the pure, isomorphic dataset-fingerprint core (DESIGN §4): paths,
 * manifests, file inclusion proofs and the streaming SHA-256 abstraction. No I/O; runs
 * unchanged in browsers. The Node walker, worker pool and writer live in `./node/`, the
 * browser page and worker in `./browser/`.
 */
export { BROWSER_FINGERPRINT_ERROR_CODES, FINGERPRINT_ERROR_CODES, FingerprintError, MAX_PATH_BYTES } from './errors.ts';
export type { BrowserFingerprintErrorCode, FingerprintErrorCode } from './errors.ts';
export { comparePaths, isCanonicalPath, joinPath, normalizeName, normalizePath, utf8Length } from './path.ts';
export { encodeLeaf, isHex64, leafHash, parseEntry } from './leaf.ts';
export type { ManifestEntry } from './leaf.ts';
export {
  ManifestBuilder,
  assertManifestMatches,
  buildManifest,
  manifestChunks,
  manifestRoot,
  parseManifest,
  serializeManifest,
  summarizeManifest,
  verifyManifest,
} from './manifest.ts';
export type { Manifest, ManifestSummary } from './manifest.ts';
export { checkFileMatchesLeaf, findEntry, parseFileProof, proveFile, rootFromFileProof, verifyFileProof } from './proof.ts';
export type { FileProof } from './proof.ts';
export { digestChunks, nobleSha256 } from './digest.ts';
export type { Sha256Factory, Sha256Stream, StreamDigest } from './digest.ts';
export { compileExcludes, globToRegExp } from './glob.ts';
export { formatBytes } from './format.ts';
export type { ExcludeMatcher } from './glob.ts';
