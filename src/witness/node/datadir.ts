/**
 * A witness data directory: `witness.key` (the cosigning key, 0600) and `db/` (its
 * embedded database, with `db.lock` beside it while open). `init` creates both;
 * a directory whose database was lost is not re-initialised with the same key.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LedgerError, formatCheckpoint, parseVerifierKey } from '../../ledger/index.ts';
import { WitnessError } from '../errors.ts';
import { openWitnessStore, type PgliteWitnessStore } from '../pg/store.ts';
import { createWitnessKeyFile, loadWitnessKeyFile, WitnessKeyError, type WitnessKey } from './keyfile.ts';

/** Paths inside a witness data directory. */
export function witnessPaths(dataDir: string): { keyFile: string; database: string } {
  return { keyFile: path.join(dataDir, 'witness.key'), database: path.join(dataDir, 'db') };
}

/**
 * Creates a witness: a new key named `name` and an empty database bound to it.
 * @throws WitnessKeyError `key_exists` / `bad_name`, WitnessStoreError `already_initialised`.
 */
export async function initWitness(dataDir: string, name: string): Promise<WitnessKey> {
  const paths = witnessPaths(dataDir);
  if (existsSync(paths.keyFile)) throw new WitnessKeyError('key_exists', `${paths.keyFile} already exists; a witness key is never overwritten`);
  if (existsSync(path.join(paths.database, 'PG_VERSION'))) {
    throw new WitnessKeyError('key_exists', `${paths.database} already holds a witness database`);
  }
  const key = createWitnessKeyFile(paths.keyFile, name);
  const store = await openWitnessStore(paths.database, key.vkey, { create: true });
  await store.close();
  return key;
}

/** Opens an initialised witness: its key and its database (which must belong to that key). */
export async function openWitness(dataDir: string): Promise<{ key: WitnessKey; store: PgliteWitnessStore }> {
  const paths = witnessPaths(dataDir);
  const key = loadWitnessKeyFile(paths.keyFile);
  const store = await openWitnessStore(paths.database, key.vkey, { create: false });
  return { key, store };
}

/**
 * Checks a log verifier key (C2SP signed-note vkey, Ed25519 0x01) and an origin
 * (default: the key's name) before they are trusted.
 * @throws WitnessError `malformed_log_key` or `malformed_origin`.
 */
export function checkTrustedLog(vkey: string, origin?: string): { origin: string; vkey: string } {
  let name: string;
  try {
    name = parseVerifierKey(vkey).name;
  } catch (err) {
    if (err instanceof LedgerError) throw new WitnessError('malformed_log_key', 'not a log verifier key <name>+<hex id>+<base64(0x01 ‖ Ed25519 key)>');
    throw err;
  }
  const o = origin ?? name;
  try {
    formatCheckpoint({ origin: o, size: 0, rootHash: new Uint8Array(32), extensions: [] });
  } catch {
    throw new WitnessError('malformed_origin', 'an origin is one non-empty line without control characters');
  }
  return { origin: o, vkey };
}
