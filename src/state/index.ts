/**
 * Public surface of the state core (pure: runs in Node and browsers): the registry's
 * state replayed from its log (`replay`, docs/log-format.md §6.7) with its records and
 * derived status / earliest-deposit records, the comparison of that state with the
 * registry's tables (`compare.ts`), and the state's errors. The authenticated state map
 * is `./map/`; the database side (audit, the write guard) is `./pg/`.
 */
export { STATE_ERROR_CODES, StateError } from './errors.ts';
export type { StateErrorCode } from './errors.ts';
export { Table } from './table.ts';
export {
  certificateStatusRecord,
  commitLayer,
  earliestDepositRecord,
  emptyState,
  flattenState,
  layerState,
  recordHash,
  recordBytes,
  recordJson,
  stateDepth,
} from './records.ts';
export type {
  Anomaly,
  AnomalyCode,
  ApplicationRecord,
  CertificateRecord,
  CertificateStatusRecord,
  DepositRecord,
  EarliestDepositRecord,
  KeyRecord,
  LicenceRecord,
  ObjectionRecord,
  OrganisationRecord,
  PledgeRecord,
  PledgeRequestRecord,
  PolicyRecord,
  AttestationRecord,
  RegistryState,
  StateCommitRecord,
} from './records.ts';
export { applyEntry, isKnownKind, KNOWN_KINDS, replay } from './replay.ts';
export type { ReplayEntry, ReplayOptions } from './replay.ts';
export { COMPARED_TABLES, compareRows, describeDivergence, emptyRows, logRows } from './compare.ts';
export type { ComparedTable, Divergence, RowSelection, Rows } from './compare.ts';
export {
  STATE_COMMITTED,
  StateRootChecker,
  allStateKeys,
  committedRoot,
  packStateUpdates,
  packWholeState,
  replayChecked,
  certificateKeyId,
  depositKeyId,
  stateCommittedEntry,
  stateKeysOfEntry,
  stateMapKey,
  stateMapBatch,
  stateMapUpdates,
  wholeStateMapBatch,
  isStateCommitment,
  stateRecord,
  stateRecordValue,
} from './commit.ts';
export type { ProvenStateValue, StateKeyId, WrongRoot } from './commit.ts';
