/**
 * Certificate signing keys in the database and the log: which key is active, and
 * rotation. Private keys live in key files (src/certificates/keyring.ts); the
 * database holds public keys with their validity windows (published at /v1/keys),
 * and every addition and retirement is a log entry (`key.added`, `key.retired`).
 */
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/database.ts';
import { signingKeys } from '../db/schema.ts';
import { toHex } from '../ledger/bytes.ts';
import { encodeEntry } from '../ledger/entry.ts';
import type { AppendManyEffect, Appended } from '../ledger/sequencer.ts';
import { generateCertificateKey, loadCertificateKey, type CertificateSigningKey } from '../certificates/keyring.ts';
import type { CertificateSigner } from './deps.ts';

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

/** The `key.added` log entry of a key. */
function keyAddedEntry(key: { keyId: string; vkey: string; publicKey: Uint8Array }, purpose: 'log' | 'certificate', at: Date): Uint8Array {
  return encodeEntry({ kind: 'key.added', time: at.toISOString(), purpose, keyId: key.keyId, vkey: key.vkey, publicKey: toHex(key.publicKey) });
}

/**
 * Publish a key once: its signing_keys row and its `key.added` entry in one
 * transaction. A key already published (by this or another process) writes nothing.
 */
export function addKeyEffect(
  key: { keyId: string; name: string; vkey: string; publicKey: Uint8Array },
  purpose: 'log' | 'certificate',
  now: () => Date,
): AppendManyEffect<boolean> {
  return async (tx, index) => {
    const at = now();
    const inserted = await tx
      .insert(signingKeys)
      .values({ keyId: key.keyId, name: key.name, purpose, vkey: key.vkey, validFrom: at, logIndex: index })
      .onConflictDoNothing()
      .returning({ keyId: signingKeys.keyId });
    return inserted.length ? { entries: [keyAddedEntry(key, purpose, at)], result: true } : { entries: [], result: false };
  };
}

/**
 * Rotate: a new certificate key (generated, or an existing key file by ID) becomes
 * active; the previous one is retired for new signatures and stays valid for what it
 * signed. One log entry each (`key.retired`, then `key.added`), atomically.
 */
export async function rotateCertificateKey(
  deps: { db: Db; appendManyWith<T>(e: (tx: Db, first: number) => Promise<{ entries: Uint8Array[]; result: T }>): Promise<Appended<T>>; now(): Date },
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
      entries.push(encodeEntry({ kind: 'key.retired', time: at.toISOString(), purpose: 'certificate', keyId: old }));
    }
    await tx.insert(signingKeys).values({ keyId: key.keyId, name: key.name, purpose: 'certificate', vkey: key.vkey, validFrom: at, logIndex: first + entries.length });
    entries.push(keyAddedEntry(key, 'certificate', at));
    return { entries, result: old };
  });
  return { retired: ack.result, active: key.keyId, vkey: key.vkey };
}
