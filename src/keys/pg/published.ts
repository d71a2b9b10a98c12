/**
 * Keys in the database and the log: the published key set, which certificate key is
 * active, publication, and rotation. Private keys live in key files (../node); the
 * signing_keys table holds public keys with their validity windows (served at
 * /v1/keys), and every addition and retirement is a log entry (`key.added`,
 * `key.retired`) written in the same transaction as the row.
 */
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { signingKeys } from '../../db/index.ts';
import type { AppendManyEffect, Appended } from '../../ledger/pg/index.ts';
import { documentKeyAddedEntry, keyAddedEntry, keyRetiredEntry, type KeySet, type PublicKeyInfo, type PublishedKey } from '../index.ts';
import { documentKeyName, generateCertificateKey, generateDocumentKey, loadCertificateKey, loadDocumentKey, type CertificateSigningKey } from '../node/index.ts';
import { fromBase64, toBase64 } from '../../ledger/index.ts';
import type { CertificateSigner } from '../../registry/pg/index.ts';

/** Every published key, oldest first (read in `db`, which may be a transaction). */
export async function publishedKeys(db: Db): Promise<PublishedKey[]> {
  const rows = await db.select().from(signingKeys).orderBy(asc(signingKeys.validFrom), asc(signingKeys.keyId));
  return rows.map((r) => ({
    keyId: r.keyId,
    name: r.name,
    purpose: r.purpose,
    vkey: r.vkey ?? null,
    validFrom: r.validFrom,
    validUntil: r.validUntil ?? null,
    logIndex: r.logIndex ?? null,
    certificate: r.certificate ?? null,
    caCertificate: r.caCertificate ?? null,
  }));
}

/** The key set of a running registry over the signing_keys table. */
export function databaseKeySet(db: Db, origin: string, log: { keyId: string; vkey: string }): KeySet {
  return { origin, log, published: () => publishedKeys(db) };
}

/** The active certificate key's ID (valid_until NULL, newest), read in the caller's transaction. */
export async function activeCertificateKeyId(db: Db): Promise<string | null> {
  const [k] = await db
    .select({ keyId: signingKeys.keyId })
    .from(signingKeys)
    .where(and(eq(signingKeys.purpose, 'certificate'), isNull(signingKeys.validUntil)))
    .orderBy(desc(signingKeys.validFrom))
    .limit(1);
  return k?.keyId ?? null;
}

/** A signer over the key files of `dataDir`, loading each key once. */
export function keyringSigner(dataDir: string, origin: string): CertificateSigner {
  const cache = new Map<string, CertificateSigningKey>();
  return {
    activeKeyId: (db) => activeCertificateKeyId(db),
    sign(keyId, message) {
      let k = cache.get(keyId);
      if (!k) {
        k = loadCertificateKey(dataDir, origin, keyId);
        cache.set(keyId, k);
      }
      return k.signer.sign(message) as Uint8Array;
    },
  };
}

/** A document key to publish: its ID, name and certificates (base64 DER). */
export interface DocumentKeyInfo {
  keyId: string;
  name: string;
  certificate: string;
  caCertificate: string;
}

/** A key to publish: a verifier key (log, certificate) or a document key. */
export type KeyToPublish = { purpose: 'log' | 'certificate'; key: PublicKeyInfo } | { purpose: 'document'; key: DocumentKeyInfo };

/**
 * Publishes keys: for each, its signing_keys row and its `key.added` entry, in the
 * batch transaction, in order. Idempotent per key: one already published (by this or
 * another process) writes nothing.
 */
export function publishKeysEffect(keys: readonly KeyToPublish[], now: () => Date): AppendManyEffect<number> {
  return async (tx, first) => {
    const at = now();
    const entries: Uint8Array[] = [];
    for (const item of keys) {
      const logIndex = first + entries.length;
      const row =
        item.purpose === 'document'
          ? { keyId: item.key.keyId, name: item.key.name, purpose: item.purpose, vkey: null, certificate: item.key.certificate, caCertificate: item.key.caCertificate, validFrom: at, logIndex }
          : { keyId: item.key.keyId, name: item.key.name, purpose: item.purpose, vkey: item.key.vkey, validFrom: at, logIndex };
      const inserted = await tx.insert(signingKeys).values(row).onConflictDoNothing().returning({ keyId: signingKeys.keyId });
      if (!inserted.length) continue;
      entries.push(
        item.purpose === 'document'
          ? documentKeyAddedEntry(fromBase64(item.key.certificate), fromBase64(item.key.caCertificate), at)
          : keyAddedEntry(item.key, item.purpose, at),
      );
    }
    return { entries, result: entries.length };
  };
}

/** The active document key's ID (valid_until NULL, newest), read in `db`. */
export async function activeDocumentKeyId(db: Db): Promise<string | null> {
  const [k] = await db
    .select({ keyId: signingKeys.keyId })
    .from(signingKeys)
    .where(and(eq(signingKeys.purpose, 'document'), isNull(signingKeys.validUntil)))
    .orderBy(desc(signingKeys.validFrom))
    .limit(1);
  return k?.keyId ?? null;
}

/**
 * Rotate the document key: a new document key (generated — issued by the registry CA
 * of this data directory — or an existing key file by ID) becomes active; the previous
 * one is retired (its signatures stay valid). One log entry each (`key.retired`, then
 * `key.added`), atomically. Running servers sign with the key they started with: restart them.
 */
export async function rotateDocumentKey(
  deps: { db: Db; appendManyWith<T>(e: AppendManyEffect<T>): Promise<Appended<T>>; now(): Date },
  dataDir: string,
  origin: string,
  useKeyId?: string,
): Promise<{ retired: string | null; active: string; certificate: Uint8Array }> {
  const key = useKeyId ? loadDocumentKey(dataDir, origin, useKeyId) : await generateDocumentKey(dataDir, origin, deps.now());
  const ack = await deps.appendManyWith(async (tx, first) => {
    const at = deps.now();
    const old = await activeDocumentKeyId(tx);
    const entries: Uint8Array[] = [];
    if (old === key.keyId) return { entries, result: old };
    if (old) {
      await tx.update(signingKeys).set({ validUntil: at }).where(eq(signingKeys.keyId, old));
      entries.push(keyRetiredEntry(old, 'document', at));
    }
    await tx.insert(signingKeys).values({
      keyId: key.keyId,
      name: documentKeyName(origin),
      purpose: 'document',
      vkey: null,
      certificate: toBase64(key.certificate),
      caCertificate: toBase64(key.caCertificate),
      validFrom: at,
      logIndex: first + entries.length,
    });
    entries.push(documentKeyAddedEntry(key.certificate, key.caCertificate, at));
    return { entries, result: old };
  });
  return { retired: ack.result, active: key.keyId, certificate: key.certificate };
}

/**
 * Rotate: a new certificate key (generated, or an existing key file by ID) becomes
 * active; the previous one is retired for new signatures and stays valid for what it
 * signed. One log entry each (`key.retired`, then `key.added`), atomically.
 */
export async function rotateCertificateKey(
  deps: { db: Db; appendManyWith<T>(e: AppendManyEffect<T>): Promise<Appended<T>>; now(): Date },
  dataDir: string,
  origin: string,
  useKeyId?: string,
): Promise<{ retired: string | null; active: string; vkey: string }> {
  const key = useKeyId ? loadCertificateKey(dataDir, origin, useKeyId) : generateCertificateKey(dataDir, origin);
  const ack = await deps.appendManyWith(async (tx, first) => {
    const at = deps.now();
    const old = await activeCertificateKeyId(tx);
    const entries: Uint8Array[] = [];
    if (old === key.keyId) return { entries, result: old };
    if (old) {
      await tx.update(signingKeys).set({ validUntil: at }).where(eq(signingKeys.keyId, old));
      entries.push(keyRetiredEntry(old, 'certificate', at));
    }
    await tx.insert(signingKeys).values({ keyId: key.keyId, name: key.name, purpose: 'certificate', vkey: key.vkey, validFrom: at, logIndex: first + entries.length });
    entries.push(keyAddedEntry(key, 'certificate', at));
    return { entries, result: old };
  });
  return { retired: ack.result, active: key.keyId, vkey: key.vkey };
}
