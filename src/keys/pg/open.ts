/**
 * The start-up path of keys: load every key file, compare the keys with the keys the
 * log holds (the rules `checkKeys` and `checkDocumentKeys`), and only then — on the
 * first start of an empty log, or for the document key of a log that holds none yet —
 * generate the missing key files and hand back the batch that publishes them.
 * Nothing is written to the database here; a refusal leaves the log as it was.
 */
import type { Db } from '../../db/index.ts';
import type { AppendManyEffect } from '../../ledger/pg/index.ts';
import type { CertificateSigner } from '../../registry/pg/index.ts';
import { checkDocumentKeys, checkKeys, KeyError, publicKeyInfo, type DocumentKeyDecision, type KeyCheckMode, type KeySet, type KeysReady, type LogKeyState } from '../index.ts';
import { createLogKey, documentKeyName, generateCertificateKey, generateDocumentKey, loadKeyFiles, type DocumentSigningKey, type LoadedKeys, type LogKey } from '../node/index.ts';
import { databaseKeySet, keyringSigner, publishedKeys, publishKeysEffect, type KeyToPublish } from './published.ts';

export interface OpenKeysOptions {
  /** The database, read only (the keys the log holds). */
  db: Db;
  origin: string;
  /** The log key file (DATADEED_KEY_FILE). */
  keyFile: string;
  /** The data directory; certificate keys are in `<dataDir>/keys`. */
  dataDir: string;
  /** The log's current size (0: nothing integrated yet). */
  treeSize: number;
  /** `serve` (default), or `rotate` for `datadeed keys rotate` (see {@link KeyCheckMode}). */
  mode?: KeyCheckMode;
  /** The clock of `valid_from` for keys published at first start. */
  now(): Date;
}

export interface OpenedKeys {
  /** The log key, to sign checkpoints. */
  logKey: LogKey;
  /** The active certificate key's ID (null in `rotate` mode). */
  certificateKeyId: string | null;
  keySet: KeySet;
  certificateSigner: CertificateSigner;
  /** The document key to sign PDFs with (null in `rotate` mode). */
  documentKey: DocumentSigningKey | null;
  /**
   * On the first start of an empty log, the batch that publishes the keys (rows and
   * `key.added` entries). It checks the rule again inside the batch, under the log's
   * lock: when another instance published its keys first, a repeat of the same keys
   * writes nothing and different keys throw KeyError. Null when nothing is to publish.
   */
  publication: AppendManyEffect<number> | null;
}

function toPublish(ready: KeysReady, document: DocumentKeyDecision | null, origin: string): KeyToPublish[] {
  const keys: KeyToPublish[] = ready.publish.map(({ purpose, key }) => ({ purpose, key: publicKeyInfo(key.vkey) }));
  if (document?.kind === 'ready' && document.publish) keys.push({ purpose: 'document', key: { ...document.key, name: documentKeyName(origin) } });
  return keys;
}

/** Both rules over the key files (the document rule in `serve` mode only). */
function decide(state: LogKeyState, files: LoadedKeys, mode: KeyCheckMode) {
  return { keys: checkKeys(state, files.disk, mode), document: mode === 'serve' ? checkDocumentKeys(state, files.documentDisk) : null };
}

/**
 * Loads and checks every key before anything is written; generates key files only
 * for an empty log.
 * @throws KeyError when the keys on disk are not the keys the log holds (naming both);
 *   KeyFileError / CertificateError for an unreadable, garbled or exposed key file.
 */
export async function openKeys(opts: OpenKeysOptions): Promise<OpenedKeys> {
  const mode = opts.mode ?? 'serve';
  const state = { origin: opts.origin, treeSize: opts.treeSize, held: await publishedKeys(opts.db) };
  let files = loadKeyFiles(opts.keyFile, opts.dataDir, opts.origin);
  let { keys: decision, document } = decide(state, files, mode);
  if (decision.kind === 'generate' || document?.kind === 'generate') {
    // the very first start of an empty log: its first keys are expected here
    // (and the first document key of a log that never had one)
    if (decision.kind === 'generate' && decision.log) createLogKey(opts.keyFile, opts.origin);
    if (decision.kind === 'generate' && decision.certificate) generateCertificateKey(opts.dataDir, opts.origin);
    if (document?.kind === 'generate') await generateDocumentKey(opts.dataDir, opts.origin, opts.now());
    files = loadKeyFiles(opts.keyFile, opts.dataDir, opts.origin);
    ({ keys: decision, document } = decide(state, files, mode));
  }
  if (decision.kind !== 'ready' || !files.log) throw new KeyError('log_key_missing', `the key files generated in ${opts.dataDir} cannot be read back`);
  if (document?.kind === 'generate') throw new KeyError('document_key_missing', `the document key generated in ${opts.dataDir} cannot be read back`);
  const loaded = files;
  const publication: AppendManyEffect<number> | null =
    toPublish(decision, document, opts.origin).length === 0
      ? null
      : async (tx, first) => {
          const again = decide({ origin: opts.origin, treeSize: first, held: await publishedKeys(tx) }, loaded, mode);
          if (again.keys.kind !== 'ready' || again.document?.kind === 'generate') throw new KeyError('log_key_missing', 'the key files changed during start-up');
          return publishKeysEffect(toPublish(again.keys, again.document, opts.origin), opts.now)(tx, first);
        };
  const documentKey = document?.kind === 'ready' ? (files.documents.find((k) => k.keyId === document.key.keyId) ?? null) : null;
  return {
    logKey: files.log,
    certificateKeyId: decision.certificate?.keyId ?? null,
    keySet: databaseKeySet(opts.db, opts.origin, decision.log),
    certificateSigner: keyringSigner(opts.dataDir, opts.origin),
    documentKey,
    publication,
  };
}
