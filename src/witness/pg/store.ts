/**
 * The witness's state in its own embedded PGlite database (a data directory of its
 * own, never the registry's).
 *
 * Contract (see `WitnessStore`): `commit` is one conditional statement — an INSERT that
 * does nothing if the log already has a state, or an UPDATE guarded by the previous size
 * and root — so it is atomic and compare-and-swap; it has committed when it returns
 * (PGlite writes through to its data directory: a committed row survives a process
 * kill; PGlite runs with fsync off, so a power loss may lose the latest commits). A
 * trigger refuses any change that would shrink a log or change its root at one size,
 * and keeps trusted logs and evidence append-only. One process holds the directory
 * (a lock file beside it).
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PGLITE_MEMORY_SETTINGS, lockDirectory } from '../../db/index.ts';
import { DataDeedError } from '../../errors.ts';
import { sha256, utf8 } from '../../ledger/index.ts';
import type { CosignedCheckpoint, Evidence, EvidenceKind, TrustedLogs } from '../decide.ts';
import type { StoredEvidence, WitnessStore } from '../witness.ts';
import { WITNESS_SCHEMA_SQL, WITNESS_SCHEMA_VERSION } from './schema.ts';

/** Stable codes of store failures. */
export const WITNESS_STORE_ERROR_CODES = ['not_initialised', 'already_initialised', 'busy', 'wrong_key', 'schema_version', 'state_conflict'] as const;
export type WitnessStoreErrorCode = (typeof WITNESS_STORE_ERROR_CODES)[number];

/** A failure of the witness database; `code` is stable. */
export class WitnessStoreError extends DataDeedError<WitnessStoreErrorCode> {
  override readonly name = 'WitnessStoreError';
  constructor(code: WitnessStoreErrorCode, message: string) {
    super(code, message);
  }
}

/** The PGlite-backed store, with the administrative operations of the CLI. */
export interface PgliteWitnessStore extends WitnessStore {
  /** Trusts a log key for an origin; false when it was already trusted. */
  addTrustedLog(origin: string, vkey: string): Promise<boolean>;
  /** The cosigner verifier key recorded at init. */
  readonly cosignerVkey: string;
  close(): Promise<void>;
}

function lockFile(dataDir: string): () => void {
  return lockDirectory(dataDir, {
    busy: (pid) =>
      new WitnessStoreError(
        'busy',
        pid === undefined ? `cannot lock the witness database ${dataDir}` : `the witness database ${dataDir} is in use by process ${pid} (a running witness serve?); stop it first`,
      ),
  });
}

const num = (v: unknown): number => {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isSafeInteger(n)) throw new Error('not a safe integer');
  return n;
};
const bytes = (v: unknown): Uint8Array => {
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  throw new Error('not a bytea value');
};

interface StateRow {
  origin: string;
  tree_size: unknown;
  root_hash: unknown;
  note: string;
  cosigned_at: unknown;
}
interface EvidenceRow {
  id: unknown;
  origin: string;
  kind: string;
  submitted: string;
  cosigned: string | null;
  received_at: Date;
}

function toState(r: StateRow): CosignedCheckpoint {
  return { origin: r.origin, size: num(r.tree_size), rootHash: bytes(r.root_hash), note: r.note, timestamp: num(r.cosigned_at) };
}
function toEvidence(r: EvidenceRow): StoredEvidence {
  return {
    id: num(r.id),
    origin: r.origin,
    kind: r.kind as EvidenceKind,
    submitted: r.submitted,
    ...(r.cosigned === null ? {} : { cosigned: r.cosigned }),
    receivedAt: new Date(r.received_at).toISOString(),
  };
}

class Store implements PgliteWitnessStore {
  constructor(
    private readonly db: PGlite,
    readonly cosignerVkey: string,
    private readonly unlock: () => void,
  ) {}

  async trustedLogs(): Promise<TrustedLogs> {
    const { rows } = await this.db.query<{ origin: string; vkey: string }>('SELECT origin, vkey FROM witness_trusted_log ORDER BY origin, added_at, vkey');
    const out = new Map<string, string[]>();
    for (const r of rows) {
      const list = out.get(r.origin) ?? [];
      list.push(r.vkey);
      out.set(r.origin, list);
    }
    return out;
  }

  async addTrustedLog(origin: string, vkey: string): Promise<boolean> {
    const { rows } = await this.db.query('INSERT INTO witness_trusted_log (origin, vkey) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING origin', [origin, vkey]);
    return rows.length === 1;
  }

  async latest(origin: string): Promise<CosignedCheckpoint | undefined> {
    const { rows } = await this.db.query<StateRow>('SELECT origin, tree_size, root_hash, note, cosigned_at FROM witness_log_state WHERE origin = $1', [origin]);
    return rows[0] === undefined ? undefined : toState(rows[0]);
  }

  async latestByOriginHash(originHash: Uint8Array): Promise<CosignedCheckpoint | undefined> {
    const { rows } = await this.db.query<StateRow>('SELECT origin, tree_size, root_hash, note, cosigned_at FROM witness_log_state WHERE origin_hash = $1', [originHash]);
    return rows[0] === undefined ? undefined : toState(rows[0]);
  }

  async commit(previous: CosignedCheckpoint | undefined, next: CosignedCheckpoint): Promise<void> {
    if (previous !== undefined && previous.origin !== next.origin) throw new WitnessStoreError('state_conflict', 'origin changed');
    // One statement each: atomic without an explicit transaction; committed on return.
    const { rows } =
      previous === undefined
        ? await this.db.query(
            `INSERT INTO witness_log_state (origin, origin_hash, tree_size, root_hash, note, cosigned_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (origin) DO NOTHING RETURNING origin`,
            [next.origin, sha256(utf8(next.origin)), next.size, next.rootHash, next.note, next.timestamp],
          )
        : await this.db.query(
            `UPDATE witness_log_state SET tree_size = $2, root_hash = $3, note = $4, cosigned_at = $5, updated_at = now()
             WHERE origin = $1 AND tree_size = $6 AND root_hash = $7 RETURNING origin`,
            [next.origin, next.size, next.rootHash, next.note, next.timestamp, previous.size, previous.rootHash],
          );
    if (rows.length !== 1) throw new WitnessStoreError('state_conflict', 'the log state changed under this request');
  }

  async recordEvidence(evidence: Evidence, receivedAt: Date): Promise<void> {
    const digest = sha256(utf8(JSON.stringify([evidence.kind, evidence.submitted, evidence.cosigned ?? null])));
    await this.db.query(
      `INSERT INTO witness_evidence (origin, kind, submitted, cosigned, digest, received_at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (digest) DO NOTHING`,
      [evidence.origin, evidence.kind, evidence.submitted, evidence.cosigned ?? null, digest, receivedAt],
    );
  }

  async listEvidence(opts: { after?: number; limit: number }): Promise<StoredEvidence[]> {
    const { rows } = await this.db.query<EvidenceRow>(
      'SELECT id, origin, kind, submitted, cosigned, received_at FROM witness_evidence WHERE id > $1 ORDER BY id LIMIT $2',
      [opts.after ?? 0, opts.limit],
    );
    return rows.map(toEvidence);
  }

  async getEvidence(id: number): Promise<StoredEvidence | undefined> {
    const { rows } = await this.db.query<EvidenceRow>('SELECT id, origin, kind, submitted, cosigned, received_at FROM witness_evidence WHERE id = $1', [id]);
    return rows[0] === undefined ? undefined : toEvidence(rows[0]);
  }

  async close(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      this.unlock();
    }
  }
}

/**
 * Opens the witness database in `dataDir` (a PGlite data directory).
 * - `create: true` (init): the directory must not hold a database yet; creates the
 *   schema and records `cosignerVkey`.
 * - `create: false` (serve, add-log): the database must exist and belong to
 *   `cosignerVkey` — a witness whose state is lost must not cosign again under the
 *   same key, since it would forget what it cosigned.
 * @throws WitnessStoreError `not_initialised`, `already_initialised`, `busy`,
 *   `wrong_key` or `schema_version`.
 */
export async function openWitnessStore(dataDir: string, cosignerVkey: string, opts: { create: boolean }): Promise<PgliteWitnessStore> {
  const exists = existsSync(path.join(dataDir, 'PG_VERSION'));
  if (opts.create && exists) throw new WitnessStoreError('already_initialised', `${dataDir} already holds a witness database`);
  if (!opts.create && !exists) throw new WitnessStoreError('not_initialised', `${dataDir} holds no witness database; run datadeed witness init`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const unlock = lockFile(dataDir);
  let db: PGlite | undefined;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    // the registry's embedded-database memory settings (src/db/database.ts): 128 MB of shared buffers by default
    db = await PGlite.create(dataDir, { postgresqlconf: [...PGLITE_MEMORY_SETTINGS] });
    if (!opts.create) {
      const { rows } = await db.query<{ present: boolean }>(`SELECT to_regclass('witness_meta') IS NOT NULL AS present`);
      if (!rows[0]?.present) throw new WitnessStoreError('not_initialised', `${dataDir} holds no witness database; run datadeed witness init`);
    }
    await db.exec(WITNESS_SCHEMA_SQL);
    if (opts.create) {
      await db.query('INSERT INTO witness_meta (schema_version, cosigner_vkey) VALUES ($1, $2)', [WITNESS_SCHEMA_VERSION, cosignerVkey]);
    }
    const { rows } = await db.query<{ schema_version: number; cosigner_vkey: string }>('SELECT schema_version, cosigner_vkey FROM witness_meta');
    const meta = rows[0];
    if (meta === undefined) throw new WitnessStoreError('not_initialised', `${dataDir} holds no witness database; run datadeed witness init`);
    if (meta.schema_version !== WITNESS_SCHEMA_VERSION) throw new WitnessStoreError('schema_version', `witness database schema ${meta.schema_version}, expected ${WITNESS_SCHEMA_VERSION}`);
    if (meta.cosigner_vkey !== cosignerVkey) throw new WitnessStoreError('wrong_key', `the witness database belongs to ${meta.cosigner_vkey}, not to this key`);
    return new Store(db, cosignerVkey, unlock);
  } catch (err) {
    try {
      await db?.close();
    } finally {
      unlock();
    }
    throw err;
  }
}
