/**
 * Acceptance (issue 15, finding 6): the newest entries are deleted behind the server's
 * back, the way a database superuser would — triggers disabled, rows deleted, the tree
 * state reset to an older checkpoint — so the database is consistent with itself and a
 * plain `audit` passes. The server then refuses to sign and stops writes (it keeps the
 * newest checkpoint it signed beside its key), refuses to start again, and `datadeed
 * audit --trusted-checkpoint` names the rollback; after the log is rewritten past the
 * signed size it names the fork. On PGlite, or PostgreSQL with DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { createApp } from '../../src/api/app.tsx';
import { loadConfig } from '../../src/config.ts';
import { composeSystem, type System } from '../../src/compose.ts';
import { embeddedDataDir } from '../../src/config.ts';
import { openDatabase, queryRows, type Db } from '../../src/db/index.ts';
import { ed25519Verifier, emptyTreeState, encodeEntry, integrate, toHex, type TreeState } from '../../src/ledger/index.ts';
import { nodeRfc6962 } from '../../src/ledger/node/index.ts';
import { auditLog, LogStore, Sequencer, type StoredCheckpoint } from '../../src/ledger/pg/index.ts';
import { createPostgresDatabase, seedEmbeddedDataDir, usingPostgres } from '../helpers/db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
let env: Record<string, string>;
let dropDb: (() => Promise<void>) | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'datadeed-rollback-'));
  seedEmbeddedDataDir(dir);
  // no interval publication: every checkpoint here is one the test asked for
  env = { DATADEED_DATA_DIR: dir, DATADEED_ORIGIN: 'rollback.datadeed.localhost/log', LOG_LEVEL: 'silent', DATADEED_CHECKPOINT_INTERVAL_MS: '3600000' };
  if (usingPostgres) {
    const pg = await createPostgresDatabase();
    env.DATABASE_URL = pg.url;
    dropDb = pg.drop;
  }
});
afterAll(async () => {
  await dropDb?.();
  rmSync(dir, { recursive: true, force: true });
});

function childEnv(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!env.DATABASE_URL) delete e.DATABASE_URL;
  return e;
}

function cli(args: string[]) {
  return spawnSync(process.execPath, ['bin/datadeed.mjs', ...args], { cwd: ROOT, env: childEnv(), encoding: 'utf8' });
}

async function openRaw() {
  return openDatabase({ url: env.DATABASE_URL, dataDir: embeddedDataDir(loadConfig(env)) });
}

/** The partial tiles of the first `size` entries, recomputed from them (what the tree state held at that size). */
async function partialTilesAt(store: LogStore, size: number): Promise<Uint8Array> {
  const leaves = (await store.entries(0, size)).map((e) => nodeRfc6962.hashLeaf(e));
  return integrate(nodeRfc6962, { state: emptyTreeState(nodeRfc6962, new Date(0)), leaves, now: new Date(0) }).state.partialTiles;
}

/** What a superuser does: reset the log to the older checkpoint `to`, consistently. */
async function rollBack(db: Db, to: StoredCheckpoint, edge: Uint8Array[], partialTiles: Uint8Array) {
  await db.transaction(async (tx) => {
    for (const t of ['log_entries', 'log_tiles', 'log_checkpoints', 'log_tree_state']) await tx.execute(sql.raw(`ALTER TABLE ${t} DISABLE TRIGGER USER`));
    await tx.execute(sql`DELETE FROM log_entries WHERE idx >= ${to.size}`);
    // tiles not yet full at that size
    await tx.execute(sql`DELETE FROM log_tiles WHERE (idx + 1) * 256 > (${to.size}::bigint >> (8 * level))`);
    await tx.execute(sql`DELETE FROM log_checkpoints WHERE tree_size > ${to.size}`);
    await tx.execute(sql`UPDATE log_tree_state SET tree_size = ${to.size}, root_hash = decode(${toHex(to.rootHash)}, 'hex'),
                         right_edge = decode(${edge.map(toHex).join('')}, 'hex'), integrated_at = ${to.createdAt.toISOString()}::timestamptz,
                         partial_tiles = decode(${toHex(partialTiles)}, 'hex')`);
    for (const t of ['log_entries', 'log_tiles', 'log_checkpoints', 'log_tree_state']) await tx.execute(sql.raw(`ALTER TABLE ${t} ENABLE TRIGGER USER`));
  });
}

const count = async (db: Db, table: string) => Number((await queryRows<{ n: unknown }>(db, sql.raw(`SELECT count(*) AS n FROM ${table}`)))[0]!.n);

let older: StoredCheckpoint;
let newest: StoredCheckpoint;
const trustedFile = () => path.join(dir, 'client-saved.checkpoint');

describe('rollback and fork guard', () => {
  it('refuses to sign and stops writes when the database is rolled back behind its back', async () => {
    const fatal: Error[] = [];
    const ctx: System = await composeSystem(loadConfig(env), { onFatal: (e) => fatal.push(e) });
    try {
      for (let g = 0; g < 3; g++) {
        const acks = await Promise.all(Array.from({ length: 40 }, (_, i) => ctx.appendEvent({ kind: 'test.rollback', g, i })));
        if (g === 0) older = (await ctx.store.checkpointAt(Math.max(...acks.map((a) => a.checkpoint.size))))!;
      }
      newest = (await ctx.store.latestCheckpoint())!;
      expect(newest.size).toBeGreaterThan(older.size + 60);
      // the signer's record beside its key is the newest checkpoint it served; a client saves it too
      expect(readFileSync(ctx.config.checkpointFile, 'utf8')).toBe(newest.note);
      writeFileSync(trustedFile(), newest.note);
      const edge = (await ctx.store.compactRange(older.size)).hashes();

      await rollBack(ctx.database.db, older, edge, await partialTilesAt(ctx.store, older.size));
      // consistent with itself: an audit without an outside checkpoint passes
      const plain = await auditLog({ store: ctx.store, origin: ctx.config.origin, verifiers: [ed25519Verifier(ctx.logKey.vkey)] });
      expect(plain).toMatchObject({ ok: true, treeSize: older.size });

      // the next write is refused (it would reuse indices already acknowledged) …
      await expect(ctx.appendEvent({ kind: 'test.after_rollback' })).rejects.toMatchObject({ code: 'tree_rolled_back' });
      await expect(ctx.appendEvent({ kind: 'test.after_rollback' })).rejects.toMatchObject({ code: 'sequencer_fatal' });
      // … and so is any signature
      await expect(ctx.publisher.publish()).rejects.toMatchObject({ code: 'sequencer_fatal' });
      expect(fatal.map((e) => (e as { code?: string }).code)).toEqual(['tree_rolled_back']);
      const ready = await createApp(ctx.services).request('/readyz');
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { code: string }).code).toBe('log_stopped');
      expect(await count(ctx.database.db, 'log_entries')).toBe(older.size);
      expect((await ctx.store.latestCheckpoint())!.size).toBe(older.size);

      const trusted = await auditLog({ store: ctx.store, origin: ctx.config.origin, verifiers: [ed25519Verifier(ctx.logKey.vkey)], trusted: newest.note });
      expect(trusted).toMatchObject({ ok: false, problem: { code: 'log_rolled_back', checkpoint: newest.size } });
    } finally {
      await ctx.close();
    }
  }, 300_000);

  it('a fresh publisher on the same key finds it too: the server refuses to start', async () => {
    await expect(composeSystem(loadConfig(env))).rejects.toMatchObject({ code: 'tree_rolled_back', message: expect.stringContaining('log.checkpoint') });
    const database = await openRaw();
    try {
      expect((await new LogStore(database.db, nodeRfc6962).treeState()).size).toBe(older.size);
    } finally {
      await database.close();
    }
  }, 300_000);

  it('`datadeed audit --trusted-checkpoint` names the rollback; a plain audit cannot see it', () => {
    const plain = cli(['audit']);
    expect(plain.status, plain.stderr).toBe(0);
    const bad = cli(['audit', '--trusted-checkpoint', trustedFile()]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(new RegExp(`audit FAILED at checkpoint ${newest.size} \\[log_rolled_back\\].*rolled back`));
    // the server's own record works the same way
    const own = cli(['audit', '--json', '--trusted-checkpoint', loadConfig(env).checkpointFile]);
    expect(own.status).toBe(1);
    expect(JSON.parse(own.stdout).problem).toMatchObject({ code: 'log_rolled_back', checkpoint: newest.size });
  }, 300_000);

  it('after the log is rewritten past the signed size, the server refuses to start and audit names the fork', async () => {
    const database = await openRaw();
    try {
      // the attacker's own sequencer, without the signer's record
      const store = new LogStore(database.db, nodeRfc6962);
      const rewriter = new Sequencer({ store });
      // well-formed entries (the state audit replays them too): only the fork is wrong
      const time = new Date().toISOString();
      await Promise.all(Array.from({ length: newest.size - older.size + 10 }, (_, i) => rewriter.append(encodeEntry({ kind: 'test.rewritten', time, i }))));
      await rewriter.close();
      const state: TreeState = await store.treeState();
      expect(state.size).toBe(newest.size + 10);
    } finally {
      await database.close();
    }
    await expect(composeSystem(loadConfig(env))).rejects.toMatchObject({ code: 'tree_forked' });
    const forked = cli(['audit', '--trusted-checkpoint', trustedFile()]);
    expect(forked.status).toBe(1);
    expect(forked.stdout).toMatch(new RegExp(`audit FAILED at checkpoint ${newest.size} \\[log_forked\\]`));
    // a client that saved the older checkpoint finds the log extends it
    writeFileSync(trustedFile(), older.note);
    const fine = cli(['audit', '--trusted-checkpoint', trustedFile()]);
    expect(fine.status, fine.stdout + fine.stderr).toBe(0);
    expect(fine.stdout).toMatch(new RegExp(`extends the trusted checkpoint of size ${older.size}`));
    // a file that is not a checkpoint of this log signed by its key is refused as such
    writeFileSync(trustedFile(), 'not a checkpoint\n');
    const junk = cli(['audit', '--json', '--trusted-checkpoint', trustedFile()]);
    expect(junk.status).toBe(1);
    expect(JSON.parse(junk.stdout).problem.code).toBe('trusted_checkpoint_invalid');
  }, 300_000);
});
