/** Public surface of src/state/pg: the state audit (replay the stored log, compare with the tables) and the write guard. */
export { auditState, replayStored } from './audit.ts';
export type { AuditPositionStore, StateAuditOptions, StateAuditReport } from './audit.ts';
export { tableRows } from './tables.ts';
export { LogStateGuard } from './guard.ts';
export { StateCommitter } from './committer.ts';
export type { StateCommitterOptions } from './committer.ts';
export { readEntries } from './entries.ts';
