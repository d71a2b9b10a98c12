/**
 * Public surface of the pure, I/O-free evidence-log core (DESIGN §3): RFC 6962 /
 * RFC 9162 hashing, tree geometry, compact ranges and proofs, C2SP tlog-checkpoint,
 * signed-note and tlog-tiles encodings, and canonical log entries. Runs unchanged in
 * browsers. The node:crypto hasher lives in `./node/`, the PostgreSQL store,
 * sequencer, publisher and auditor in `./pg/`.
 */
export { LEDGER_ERROR_CODES, LedgerError } from './errors.ts';
export type { LedgerErrorCode } from './errors.ts';
export { bytesEqual, concatBytes, fromBase64, fromHex, fromUtf8, isHex64, toBase64, toHex, utf8 } from './bytes.ts';
export { rfc6962, sha256, withNodeMemo } from './hasher.ts';
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
export { objectArray } from './arrays.ts';
export { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './proof.ts';
export { emptyTreeState, integrate, nextTime, openTreeState } from './integrate.ts';
export type { IntegrateReads, IntegrateWrites, TreeState } from './integrate.ts';
export { checkExtends } from './extends.ts';
export type { TreeHead } from './extends.ts';
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
  parseSignedNote,
  parseVerifierKey,
  signNote,
} from './note.ts';
export type { NoteSignatureId, NoteSigner, NoteVerifier, OpenedNote, ParsedSignedNote } from './note.ts';
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
export {
  hashesAtTileLevel,
  integrateTiles,
  nodeInPart,
  nodeInTile,
  PART_BYTES,
  partHash,
  partialTileIndex,
  partialTileWidths,
  partialTilesLength,
  splitPartialTiles,
  TILE_PARTS,
  tileParts,
  tileSubtree,
  subtreeNode,
} from './tile-store.ts';
export type { FullTile, NodeInTile, TileSubtree } from './tile-store.ts';
export { MAX_ENTRY_BYTES, decodeEntry, decodeEntryWithText, encodeEntry, encodeEntryText } from './entry.ts';
export { canonicalJson, isCanonicalJsonBytes, isCanonicalJsonText, isWellFormedText } from './json.ts';
export { ByteLru, MonotonicMemo, SharedFreshRead } from './cache.ts';
export { daysInMonth, isUtcTimestamp } from './time.ts';
export type { LogEvent } from './entry.ts';
export type { LogCheckpoint, LogReader, WitnessStatus, WriterStats } from './reader.ts';
export { checkpointTimestampMessage, formatName, pemCertificates, readTimestampResponse, timestampRequest, timestampTokenClaims, verifyTimestampToken } from './timestamp.ts';
export type { HashName, SignatureScheme, SignatureVerify, TimestampFailure, TimestampVerification } from './timestamp.ts';
export { TLOG_PROOF_HEADER, formatTlogProof, parseTlogProof } from './tlog-proof.ts';
export type { TlogProof } from './tlog-proof.ts';
