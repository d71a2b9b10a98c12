/** Public surface of src/keys/pg: the published key set, publication, rotation, and the start-up path. */
export { activeCertificateKeyId, activeDocumentKeyId, databaseKeySet, keyringSigner, publishedKeys, publishKeysEffect, rotateCertificateKey, rotateDocumentKey } from './published.ts';
export type { DocumentKeyInfo, KeyToPublish } from './published.ts';
export { openKeys } from './open.ts';
export type { OpenedKeys, OpenKeysOptions } from './open.ts';
