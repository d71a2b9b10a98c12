/**
 * The rule that keeps a log's keys its own (issue 15, finding 5): at start, the keys
 * found on disk are compared with the keys the log already holds, before anything is
 * written. Pure: the caller reads the log and the key files and acts on the decision.
 *
 * - An EMPTY log (no entry, no published key) is the only place new keys come from
 *   without an operator's command: the missing ones are generated, then published
 *   together in one batch (and the rule is checked again inside that batch, under the
 *   log's lock, so of two instances racing on a fresh database exactly one wins).
 * - Otherwise the log key file must hold the log's key, and the log's active
 *   certificate key must be among the certificate key files; anything else refuses to
 *   start, naming the key ID the log expects and the ones found. A lost key is never
 *   replaced: clients pinned to it would fail from then on.
 */
import { KeyError } from './errors.ts';
import type { KeyPurpose } from './entry.ts';
import type { PublishedKey } from './key-set.ts';

/** A key found in a key file (its public half). */
export interface FoundKey {
  keyId: string;
  vkey: string;
}

/** What the log holds: its size and its published keys. */
export interface LogKeyState {
  origin: string;
  treeSize: number;
  held: readonly PublishedKey[];
}

/** What the key files hold. */
export interface DiskKeys {
  /** The log key file's key; null when the file does not exist. */
  log: FoundKey | null;
  /** Where the log key file is (for messages). */
  logFile: string;
  /** Every certificate key file's key. */
  certificates: readonly FoundKey[];
  /** Where certificate key files are (for messages). */
  certificateDir: string;
}

/**
 * `serve`: the log key and the active certificate key must both match.
 * `rotate`: the certificate key is about to be replaced (`datadeed keys rotate`), so
 * only the log key is checked — a lost certificate key is recovered by rotating.
 */
export type KeyCheckMode = 'serve' | 'rotate';

/** The keys to use, and those to publish (only on the first start of an empty log). */
export interface KeysReady {
  kind: 'ready';
  log: FoundKey;
  /** The active certificate key (null in `rotate` mode). */
  certificate: FoundKey | null;
  /** Keys to publish now, in this order; empty unless the log is empty. */
  publish: { purpose: Exclude<KeyPurpose, 'document'>; key: FoundKey }[];
}

/** An empty log lacks key files: generate these, then check again. */
export interface KeysToGenerate {
  kind: 'generate';
  log: boolean;
  certificate: boolean;
}

const list = (keys: readonly FoundKey[]) => (keys.length ? keys.map((k) => k.keyId).join(', ') : 'none');

/**
 * Compares the keys on disk with the keys the log holds.
 * @returns `generate` (empty log, key files missing), or `ready` with the keys to use.
 * @throws KeyError `log_key_missing`, `log_key_mismatch`, `certificate_key_missing`,
 *   `certificate_key_mismatch` or `certificate_key_ambiguous`; the error names the
 *   expected key ID and the IDs found.
 */
export function checkKeys(log: LogKeyState, disk: DiskKeys, mode: KeyCheckMode = 'serve'): KeysReady | KeysToGenerate {
  const wantCertificate = mode === 'serve';
  if (log.treeSize === 0 && log.held.length === 0) {
    const generate = { log: !disk.log, certificate: wantCertificate && disk.certificates.length === 0 };
    if (generate.log || generate.certificate) return { kind: 'generate', ...generate };
    if (wantCertificate && disk.certificates.length > 1)
      throw new KeyError(
        'certificate_key_ambiguous',
        `the log ${log.origin} is empty and ${disk.certificateDir} holds several certificate keys (${list(disk.certificates)}); ` +
          'keep one, or choose with datadeed keys rotate --key-id <id>',
        null,
        disk.certificates.map((k) => k.keyId),
      );
    const certificate = wantCertificate ? disk.certificates[0]! : null;
    return {
      kind: 'ready',
      log: disk.log!,
      certificate,
      publish: [{ purpose: 'log', key: disk.log! }, ...(certificate ? [{ purpose: 'certificate' as const, key: certificate }] : [])],
    };
  }

  // Log-key rotation does not exist: the log's key is the first one it published.
  const expected = log.held.filter((k) => k.purpose === 'log').sort((a, b) => a.validFrom.getTime() - b.validFrom.getTime())[0];
  if (!expected)
    throw new KeyError('log_key_missing', `the log ${log.origin} has ${log.treeSize} entries but holds no log key (no key.added entry of purpose log); refusing to start`, null, disk.log ? [disk.log.keyId] : []);
  if (!disk.log)
    throw new KeyError(
      'log_key_missing',
      `refusing to start: the log ${log.origin} is signed by key ${expected.keyId} (expected), but there is no key file ${disk.logFile} (found: none). ` +
        `Restore that key file (or point DATADEED_DATA_DIR / DATADEED_KEY_FILE at it); a new key would break every client that pinned ${expected.keyId}`,
      expected.keyId,
    );
  if (disk.log.vkey !== expected.vkey)
    throw new KeyError(
      'log_key_mismatch',
      `refusing to start: the log ${log.origin} is signed by key ${expected.keyId} (expected), but ${disk.logFile} holds key ${disk.log.keyId} (found). ` +
        `Restore the key file of ${expected.keyId}; a log cannot change its key`,
      expected.keyId,
      [disk.log.keyId],
    );
  if (!wantCertificate) return { kind: 'ready', log: disk.log, certificate: null, publish: [] };

  const active = log.held
    .filter((k) => k.purpose === 'certificate' && k.validUntil === null)
    .sort((a, b) => b.validFrom.getTime() - a.validFrom.getTime())[0];
  if (!active)
    throw new KeyError(
      'certificate_key_missing',
      `refusing to start: the log ${log.origin} holds no active certificate key (found in ${disk.certificateDir}: ${list(disk.certificates)}); make one active with datadeed keys rotate`,
      null,
      disk.certificates.map((k) => k.keyId),
    );
  const onDisk = disk.certificates.find((k) => k.keyId === active.keyId);
  if (!onDisk || onDisk.vkey !== active.vkey) {
    const found = disk.certificates.map((k) => k.keyId);
    const code = disk.certificates.length === 0 ? 'certificate_key_missing' : 'certificate_key_mismatch';
    throw new KeyError(
      code,
      `refusing to start: the log's active certificate key is ${active.keyId} (expected), but ${disk.certificateDir} holds ${onDisk ? `a different key under that ID` : list(disk.certificates)} (found). ` +
        `Restore certificate-${active.keyId}.key, or retire it with datadeed keys rotate`,
      active.keyId,
      found,
    );
  }
  return { kind: 'ready', log: disk.log, certificate: onDisk, publish: [] };
}

/** A document-signing key found in a key file: its ID and its certificate and CA certificate (base64 DER). */
export interface FoundDocumentKey {
  keyId: string;
  certificate: string;
  caCertificate: string;
}

/** The document key files of a data directory. */
export interface DiskDocumentKeys {
  keys: readonly FoundDocumentKey[];
  /** Where document key files are (for messages). */
  dir: string;
}

/** The document key to sign with (`publish`: the log holds none yet, publish this one), or: generate one. */
export type DocumentKeyDecision = { kind: 'generate' } | { kind: 'ready'; key: FoundDocumentKey; publish: boolean };

/**
 * The rule of the document-signing key (`serve` mode), beside {@link checkKeys}:
 * - the log holds no document key — an empty log, or one started before documents were
 *   signed: none on disk → generate one; one → publish it; several →
 *   `document_key_ambiguous`. No client can have pinned a key the log never held.
 * - the log holds an active document key: a key file with the same certificate must be
 *   here, else `document_key_missing` (no document key file at all) or
 *   `document_key_mismatch`, naming the key ID the log expects and the ones found.
 *   It is never replaced: every PDF signed so far names its certificate.
 * @throws KeyError.
 */
export function checkDocumentKeys(log: LogKeyState, disk: DiskDocumentKeys): DocumentKeyDecision {
  const found = disk.keys.map((k) => k.keyId);
  const active = log.held
    .filter((k) => k.purpose === 'document' && k.validUntil === null)
    .sort((a, b) => b.validFrom.getTime() - a.validFrom.getTime())[0];
  if (!active) {
    if (!log.held.some((k) => k.purpose === 'document')) {
      if (disk.keys.length === 0) return { kind: 'generate' };
      if (disk.keys.length === 1) return { kind: 'ready', key: disk.keys[0]!, publish: true };
      throw new KeyError(
        'document_key_ambiguous',
        `the log ${log.origin} holds no document key yet and ${disk.dir} holds several (${found.join(', ')}); ` +
          'keep one, or choose with datadeed keys rotate --purpose document --key-id <id>',
        null,
        found,
      );
    }
    throw new KeyError('document_key_missing', `refusing to start: the log ${log.origin} holds no active document key (found in ${disk.dir}: ${found.join(', ') || 'none'}); make one active with datadeed keys rotate --purpose document`, null, found);
  }
  const onDisk = disk.keys.find((k) => k.keyId === active.keyId);
  if (onDisk && onDisk.certificate === active.certificate) return { kind: 'ready', key: onDisk, publish: false };
  throw new KeyError(
    disk.keys.length === 0 ? 'document_key_missing' : 'document_key_mismatch',
    `refusing to start: the log's active document key is ${active.keyId} (expected), but ${disk.dir} holds ${onDisk ? 'another certificate under that ID' : found.join(', ') || 'none'} (found). ` +
      `Restore document-${active.keyId}.key, or retire it with datadeed keys rotate --purpose document`,
    active.keyId,
    found,
  );
}
