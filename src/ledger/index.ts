/**
 * Public surface of the pure, I/O-free evidence-log core (DESIGN §3): RFC 6962 /
 * RFC 9162 hashing, tree geometry, compact ranges and proofs, C2SP tlog-checkpoint,
 * signed-note and tlog-tiles encodings, and canonical log entries. Runs unchanged in
 * browsers. The node:crypto hasher lives in `./node-hasher.ts` and is not exported here.
 */
export { LedgerError } from './errors.ts';
export type { LedgerErrorCode } from './errors.ts';
export { bytesEqual, concatBytes, fromBase64, fromHex, fromUtf8, toBase64, toHex, utf8 } from './bytes.ts';
export { rfc6962, sha256 } from './hasher.ts';
export type { Hasher } from './hasher.ts';
export {
  assembleProof,
  compactNodeIds,
  completedNodes,
  foldRangeHashes,
  largestPowerOfTwoBelow,
  nodesForPlan,
  planConsistency,
  planInclusion,
  rangeNodes,
} from './tree.ts';
export type { NodeId, Range } from './tree.ts';
export { CompactRange, merkleTreeHash } from './compact.ts';
export { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './proof.ts';
export { formatCheckpoint, parseCheckpoint } from './checkpoint.ts';
export type { Checkpoint } from './checkpoint.ts';
export {
  ed25519Signer,
  ed25519Verifier,
  formatSignerKey,
  formatVerifierKey,
  keyId,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
} from './note.ts';
export type { NoteSignatureId, NoteSigner, NoteVerifier, OpenedNote } from './note.ts';
export {
  TILE_HEIGHT,
  TILE_WIDTH,
  decodeEntryBundle,
  encodeEntryBundle,
  entriesPath,
  formatTileIndex,
  parseTileIndex,
  parseTilePath,
  tileNodes,
  tilePath,
  tileWidthFor,
} from './tiles.ts';
export type { TileId, TilePath } from './tiles.ts';
export { MAX_ENTRY_BYTES, decodeEntry, encodeEntry } from './entry.ts';
export type { LogEvent } from './entry.ts';
