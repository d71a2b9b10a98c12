/**
 * `datadeed export-proof` (PGlite on disk, or PostgreSQL with DATABASE_URL): an entry's
 * inclusion proof as a C2SP tlog-proof file, with the checkpoint a bundle would carry —
 * here cosigned by a witness of the registry's policy. The file is read by an
 * independent reader written from the C2SP text (tests/ledger/c2sp_tlog_proof_read.py:
 * the format, the RFC 9162 inclusion check, the log's Ed25519 signature through openssl).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { composeSystem } from '../../src/compose.ts';
import { parseTlogProof, toHex } from '../../src/ledger/index.ts';
import type { RunningWitness } from '../../src/witness/node/index.ts';
import { createPostgresDatabase, seedEmbeddedDataDir, usingPostgres } from '../helpers/db.ts';
import { initTrustingWitness, inProcessWitness, NOTARY_ORIGIN, registryDir, removeDir, ROOT, until, writePolicy } from '../helpers/notary.ts';

const READER = new URL('./c2sp_tlog_proof_read.py', import.meta.url).pathname;
const { dir, logKey } = registryDir();
let witness: RunningWitness;
let env: Record<string, string>;
let dropPg: (() => Promise<void>) | undefined;
const entries: Uint8Array[] = [];
let publishedSize = 0;

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['bin/datadeed.mjs', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 180_000, env: { ...process.env, ...env } });
}

beforeAll(async () => {
  seedEmbeddedDataDir(dir);
  mkdirSync(path.join(dir, 'w'));
  const vkey = await initTrustingWitness(path.join(dir, 'w', 'data'), 'notary-w.example/witness', logKey.vkey);
  witness = await inProcessWitness(path.join(dir, 'w', 'data'));
  const policy = writePolicy(dir, `log ${logKey.vkey}\nwitness w ${vkey} ${witness.url}\nquorum w\n`);
  env = { DATADEED_DATA_DIR: dir, DATADEED_ORIGIN: NOTARY_ORIGIN, DATADEED_WITNESS_POLICY: policy, DATADEED_CHECKPOINT_INTERVAL_MS: '3600000' };
  if (usingPostgres) {
    const pg = await createPostgresDatabase();
    env.DATABASE_URL = pg.url;
    dropPg = pg.drop;
  }
  const sys = await composeSystem(loadConfig(env), { witnessRetry: { minMs: 50, maxMs: 200 } });
  try {
    await Promise.all(Array.from({ length: 10 }, (_, i) => sys.appendEvent({ kind: 'test.event', n: i } as never)));
    const cp = (await sys.publisher.publish())!;
    publishedSize = cp.size;
    await until(async () => (await sys.services.log.servedCheckpoint())!.size === cp.size, 'the cosigned checkpoint');
    for (let i = 0; i < cp.size; i++) entries.push((await sys.store.entry(i))!);
  } finally {
    await sys.close();
  }
}, 300_000);

afterAll(async () => {
  await witness?.close();
  await dropPg?.();
  removeDir(dir);
});

describe('datadeed export-proof', { timeout: 300_000 }, () => {
  it('writes a C2SP tlog-proof that an independent reader verifies', () => {
    for (const index of [0, 5, publishedSize - 1]) {
      const file = path.join(dir, `entry-${index}.tlog-proof`);
      const r = cli('export-proof', String(index), '--out', file);
      expect(r.status, r.stderr).toBe(0);
      const read = spawnSync('python3', [READER, file, logKey.vkey], { encoding: 'utf8' });
      expect(read.status, read.stderr).toBe(0);
      const got = JSON.parse(read.stdout);
      expect(got).toMatchObject({ index, origin: NOTARY_ORIGIN, size: publishedSize, included: true, logSignatureVerified: true });
      expect(got.extraLen).toBe(entries[index]!.length);
      expect(got.signatures).toEqual([NOTARY_ORIGIN, 'notary-w.example/witness']);
      // our own parser reads the same
      const parsed = parseTlogProof(readFileSync(file, 'utf8'));
      expect(parsed.index).toBe(index);
      expect(toHex(parsed.extra!)).toBe(toHex(entries[index]!));
      expect(parsed.proof).toHaveLength(got.proofLen);
    }
  });

  it('refuses an entry no published checkpoint includes, and a bad index', () => {
    const beyond = cli('export-proof', String(publishedSize), '--out', '-');
    expect(beyond.status).toBe(1);
    expect(beyond.stderr).toContain('[index_out_of_range]');
    const bad = cli('export-proof', '-1');
    expect(bad.status).toBe(2);
  });
});
