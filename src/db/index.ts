/** Public surface of src/db. */
export { PGLITE_MEMORY_SETTINGS, byteaRows, intArrayLiteral, migrationStatus, openDatabase, queryRows, toBytes, toNumber } from './database.ts';
export { DATABASE_ERROR_CODES, DatabaseBusyError } from './database.ts';
export type { Database, DatabaseErrorCode, Db } from './database.ts';
export { apiTokens, applicationEditors, applicationEvents, applicationSamples, applicationVersions, applications, certificateEvents, certificates, deposits, licences, notaryAttestations, logTiles, logTreeState, meta, objections, organisations, pledgeConsents, pledges, policies, registrationCounters, sessions, signingKeys, subscriptions, users, webhookDeliveries } from './schema.ts';
export { reserveNumbers } from './counters.ts';
export { lockDirectory } from './lock.ts';
export type { LockOptions } from './lock.ts';
