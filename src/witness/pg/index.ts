/** The witness's embedded database (PGlite): trusted logs, latest cosigned checkpoints, misbehaviour evidence. */
export { WITNESS_STORE_ERROR_CODES, WitnessStoreError, openWitnessStore } from './store.ts';
export type { PgliteWitnessStore, WitnessStoreErrorCode } from './store.ts';
