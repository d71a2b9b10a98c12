/**
 * Public surface of the keys core (pure): the key entry format, the key set a
 * registry serves, and the rule that compares the keys on disk with the keys the log
 * holds. Adapters: `node/` (key files), `pg/` (publication in the database and the
 * log, rotation, and the start-up path `openKeys`).
 */
export { KEY_ERROR_CODES, KeyError } from './errors.ts';
export type { KeyErrorCode } from './errors.ts';
export { KEY_PURPOSES, documentKeyAddedEntry, keyAddedEntry, keyRetiredEntry, publicKeyInfo } from './entry.ts';
export type { KeyPurpose, PublicKeyInfo } from './entry.ts';
export { trustedKeys } from './key-set.ts';
export type { KeySet, PublishedKey } from './key-set.ts';
export { checkDocumentKeys, checkKeys } from './check.ts';
export type { DiskDocumentKeys, DiskKeys, DocumentKeyDecision, FoundDocumentKey, FoundKey, KeyCheckMode, KeysReady, KeysToGenerate, LogKeyState } from './check.ts';
