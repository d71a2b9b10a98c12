/**
 * Public surface of the authenticated state map (docs/state-map.md; issue 16): a
 * compressed sparse Merkle tree keyed by SHA-256 of the key, mapping keys (certificate
 * numbers, deposited digests) to 32-byte value hashes, with presence and absence
 * proofs. Pure: hashing is an injected SHA-256 (`sha256` of `src/ledger` in browsers,
 * `nodeSha256` of `./node/` on the server), nodes live behind a batch node-store
 * interface (`MemoryNodeStore` here; a database store implements the same two calls),
 * or — what the server, audit and monitors keep — in memory as a tree of node indices
 * (`MemoryMap`).
 */
export { MAP_ERROR_CODES, MAX_MAP_KEY_BYTES, MapError } from './errors.ts';
export type { MapErrorCode } from './errors.ts';
export {
  EMPTY_HASH,
  EMPTY_PREFIX,
  HASH_BYTES,
  INTERIOR_PREFIX,
  KEY_PREFIX,
  LEAF_PREFIX,
  MAX_DEPTH,
  emptyMapRoot,
  interiorHash,
  leafHash,
  mapKeyHash,
} from './hashing.ts';
export type { Sha256 } from './hashing.ts';
export { CERTIFICATE_KEY_TAG, DEPOSIT_KEY_TAG, certificateMapKey, depositMapKey } from './keys.ts';
export { MemoryNodeStore, checkMapNode, decodeMapNode } from './store.ts';
export type { MapNodeRecord, MapNodeStore, MapNodeView } from './store.ts';
export { applyMapUpdates } from './update.ts';
export type { MapCommit, MapUpdate } from './update.ts';
export { proveMapKey, proveMapKeys } from './prove.ts';
export { HashedMapBatch, MemoryMap } from './memory.ts';
export { PackedMapUpdates } from './packed.ts';
export type { MapEngine, PackedMapUpdatesData } from './packed.ts';
export type { StagedMapUpdate } from './memory.ts';
export type { ProvenMapValue } from './prove.ts';
export {
  MAP_PROOF_VERSION,
  MAX_MAP_PROOF_BYTES,
  assertMapProof,
  decodeMapProof,
  encodeMapProof,
  mapProofFromBase64,
  mapProofToBase64,
  rootFromMapProof,
  verifyMapProof,
} from './proof.ts';
export type { MapProof, MapProofEnd } from './proof.ts';
