/**
 * Every key file of a data directory, loaded at once: the log key file, all
 * certificate key files and all document key files. Reads only; a bad file stops the caller (KeyFileError or
 * CertificateError), it is never skipped or replaced.
 */
import { formatKeyId } from '../../certificates/index.ts';
import type { DiskDocumentKeys, DiskKeys } from '../index.ts';
import { readLogKey, type LogKey } from './log-key.ts';
import { certificateKeyDir, listCertificateKeys, type CertificateSigningKey } from './keyring.ts';
import { foundDocumentKey, listDocumentKeys, type DocumentSigningKey } from './document-key.ts';

export interface LoadedKeys {
  /** The log key, or null when its file does not exist. */
  log: LogKey | null;
  certificates: CertificateSigningKey[];
  /** Their public halves, for the rule `checkKeys`. */
  disk: DiskKeys;
  documents: DocumentSigningKey[];
  /** Their certificates, for the rule `checkDocumentKeys`. */
  documentDisk: DiskDocumentKeys;
}

/**
 * Loads the log key from `keyFile` and every certificate and document key from `<dataDir>/keys`.
 * @throws KeyFileError / CertificateError for a file that is unreadable, garbled,
 *   readable by others, or made for another origin.
 */
export function loadKeyFiles(keyFile: string, dataDir: string, origin: string): LoadedKeys {
  const log = readLogKey(keyFile, origin);
  const certificates = listCertificateKeys(dataDir, origin);
  const documents = listDocumentKeys(dataDir, origin);
  return {
    documents,
    documentDisk: { keys: documents.map(foundDocumentKey), dir: certificateKeyDir(dataDir) },
    log,
    certificates,
    disk: {
      log: log ? { keyId: formatKeyId(log.keyId), vkey: log.vkey } : null,
      logFile: keyFile,
      certificates: certificates.map((k) => ({ keyId: k.keyId, vkey: k.vkey })),
      certificateDir: certificateKeyDir(dataDir),
    },
  };
}
