/**
 * Issue 15, finding 5: at start every key is loaded and compared with the keys the log
 * already holds BEFORE anything is written. A lost or different log key file, a second
 * instance with another data directory, or a certificate key — or a document-signing
 * key (its certificate) — that is not the log's active one refuses to start, naming the
 * key ID the log expects and the one found, and leaves the log (entries, checkpoints,
 * published keys) unchanged. Only the very first start of an empty log generates keys
 * (and the first start of a log that never had a document key generates that one) —
 * and when two instances race on an empty database, exactly one set of keys is published.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, queryRows, toBytes, type Database } from '../../src/db/index.ts';
import { ed25519Verifier, openNote } from '../../src/ledger/index.ts';
import { generateSignerKey, logKeyFromString } from '../../src/keys/node/log-key.ts';
import { generateCertificateKey } from '../../src/keys/node/keyring.ts';
import { generateDocumentKey, loadDocumentKey } from '../../src/keys/node/index.ts';
import { rotateCertificateKey, rotateDocumentKey } from '../../src/keys/pg/index.ts';
import { documentKeyFromEvent, formatKeyId } from '../../src/certificates/index.ts';
import { decodeEntry, toBase64 } from '../../src/ledger/index.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startSystem, TestClock } from '../helpers/context.ts';

const ORIGIN = 'keys.datadeed.localhost/log';
const clock = new TestClock();
const dirs: string[] = [];
const extra: Database[] = [];
let testDb: TestDatabase;
let dirA: string;

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'dd-start-'));
  dirs.push(d);
  return d;
}

const configFor = (dir: string) => loadConfig({ DATADEED_DATA_DIR: dir, DATADEED_ORIGIN: ORIGIN, LOG_LEVEL: 'silent' });

/** Start the system on `dir`'s keys against `database`, then stop it again (its database stays open). */
async function startStop(dir: string, database: Database = testDb): Promise<void> {
  const system = await startSystem(configFor(dir), { database, clock });
  await system.close();
}

/** The same database through its own connection pool, as a second process would have (PGlite: one client per process). */
async function secondHandle(db: TestDatabase): Promise<Database> {
  if (!db.url) return db;
  const d = await openDatabase({ url: db.url, maxConnections: 4 });
  extra.push(d);
  return d;
}

/** Everything a refused start must leave alone. */
async function logState(database: Database = testDb) {
  const checkpoints = await queryRows<{ tree_size: unknown; note: string }>(database.db, sql`SELECT tree_size, note FROM log_checkpoints ORDER BY tree_size`);
  const [entries] = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM log_entries`);
  const keys = await queryRows(database.db, sql`SELECT key_id, purpose, vkey, valid_until FROM signing_keys ORDER BY key_id`);
  return { entries: Number(entries!.n), checkpoints: checkpoints.map((c) => `${c.tree_size} ${c.note}`), keys };
}

async function heldKeyId(purpose: 'log' | 'certificate' | 'document', database: Database = testDb): Promise<string> {
  const rows = await queryRows<{ key_id: string }>(database.db, sql`SELECT key_id FROM signing_keys WHERE purpose = ${purpose} AND valid_until IS NULL`);
  expect(rows).toHaveLength(1);
  return rows[0]!.key_id;
}

/** Runs `fn`, which must reject with an error of `code`; returns the error. */
async function refusal(fn: () => Promise<unknown>, code: string): Promise<Error & { code: string }> {
  let thrown: unknown;
  try {
    await fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected a refusal with code ${code}`).toBeInstanceOf(Error);
  expect((thrown as { code?: string }).code).toBe(code);
  return thrown as Error & { code: string };
}

const keyFiles = (dir: string) => (existsSync(path.join(dir, 'keys')) ? readdirSync(path.join(dir, 'keys')).sort() : []);

beforeAll(async () => {
  testDb = await openTestDatabase();
  dirA = tempDir();
  // the first start of an empty log generates its keys; then the log grows a little
  const system = await startSystem(configFor(dirA), { database: testDb, clock });
  try {
    await Promise.all(Array.from({ length: 5 }, (_, i) => system.appendEvent({ kind: 'test.filler', i })));
  } finally {
    await system.close();
  }
});
afterAll(async () => {
  for (const d of extra) await d.close();
  await testDb?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('keys at start', () => {
  it('the first start of an empty log generated the log key, a certificate key and a document key (with its CA) and published all three', async () => {
    const files = keyFiles(dirA);
    expect(files).toContain('log.key');
    expect(files.filter((f) => /^certificate-[0-9a-f]{8}\.key$/.test(f))).toHaveLength(1);
    const logKey = logKeyFromString(readFileSync(path.join(dirA, 'keys', 'log.key'), 'utf8'));
    expect(await heldKeyId('log')).toBe(formatKeyId(logKey.keyId));
    expect(files).toContain(`certificate-${await heldKeyId('certificate')}.key`);
    const documentId = await heldKeyId('document');
    expect(files).toContain(`document-${documentId}.key`);
    expect(files).toContain('document-ca.key');
    for (const f of ['document-ca.key', `document-${documentId}.key`]) expect(statSync(path.join(dirA, 'keys', f)).mode & 0o777).toBe(0o600);
    expect((await logState()).entries).toBe(3 + 5);
    // the row and the key.added entry hold the certificate of the key file (and the CA's)
    const key = loadDocumentKey(dirA, ORIGIN, documentId);
    const [row] = await queryRows<{ vkey: string | null; certificate: string; ca_certificate: string; log_index: unknown }>(
      testDb.db,
      sql`SELECT vkey, certificate, ca_certificate, log_index FROM signing_keys WHERE purpose = 'document'`,
    );
    expect(row).toMatchObject({ vkey: null, certificate: toBase64(key.certificate), ca_certificate: toBase64(key.caCertificate) });
    const [entry] = await queryRows<{ data: unknown }>(testDb.db, sql`SELECT data FROM log_entries WHERE idx = ${Number(row!.log_index)}`);
    const logged = documentKeyFromEvent(decodeEntry(toBytes(entry!.data)));
    expect(logged?.keyId).toBe(documentId);
    expect(Buffer.from(logged!.certificate).equals(Buffer.from(key.certificate))).toBe(true);
  });

  it('a restart with the same keys starts and writes nothing', async () => {
    const before = await logState();
    await startStop(dirA);
    expect(await logState()).toEqual(before);
  });

  it('a restart with a different log key file refuses, naming both key IDs, and writes nothing', async () => {
    const file = path.join(dirA, 'keys', 'log.key');
    const original = readFileSync(file, 'utf8');
    const other = generateSignerKey(ORIGIN);
    const otherId = formatKeyId(logKeyFromString(other).keyId);
    const expected = await heldKeyId('log');
    const before = await logState();
    writeFileSync(file, `${other}\n`, { mode: 0o600 });
    try {
      const err = await refusal(() => startStop(dirA), 'log_key_mismatch');
      expect(err.message).toContain(expected);
      expect(err.message).toContain(otherId);
      expect(await logState()).toEqual(before);
      expect(readFileSync(file, 'utf8')).toBe(`${other}\n`);
    } finally {
      writeFileSync(file, original, { mode: 0o600 });
    }
    await startStop(dirA); // the right key starts again
  });

  it('a lost log key file is not replaced: start refuses, names the expected key and creates no key file', async () => {
    const file = path.join(dirA, 'keys', 'log.key');
    const expected = await heldKeyId('log');
    const before = await logState();
    renameSync(file, `${file}.away`);
    try {
      const err = await refusal(() => startStop(dirA), 'log_key_missing');
      expect(err.message).toContain(expected);
      expect(existsSync(file)).toBe(false);
      expect(await logState()).toEqual(before);
    } finally {
      renameSync(`${file}.away`, file);
    }
  });

  it('a second instance with another data directory against the same database refuses and writes nothing', async () => {
    const second = await secondHandle(testDb);
    const before = await logState();
    const dirB = tempDir();
    const err = await refusal(() => startStop(dirB, second), 'log_key_missing');
    expect(err.message).toContain(await heldKeyId('log'));
    expect(keyFiles(dirB)).toEqual([]); // no key was created for it
    expect(await logState()).toEqual(before);

    // … and with a log key of its own (made beforehand) it refuses naming both keys
    const own = generateSignerKey(ORIGIN);
    mkdirSync(path.join(dirB, 'keys'), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(dirB, 'keys', 'log.key'), `${own}\n`, { mode: 0o600 });
    const err2 = await refusal(() => startStop(dirB, second), 'log_key_mismatch');
    expect(err2.message).toContain(await heldKeyId('log'));
    expect(err2.message).toContain(formatKeyId(logKeyFromString(own).keyId));
    expect(keyFiles(dirB)).toEqual(['log.key']);
    expect(await logState()).toEqual(before);
  });

  it('a certificate key that is not the log active one refuses, naming both key IDs, and writes nothing', async () => {
    const expected = await heldKeyId('certificate');
    const file = path.join(dirA, 'keys', `certificate-${expected}.key`);
    const before = await logState();
    renameSync(file, path.join(dirA, `certificate-${expected}.away`));
    const stray = generateCertificateKey(dirA, ORIGIN);
    try {
      const err = await refusal(() => startStop(dirA), 'certificate_key_mismatch');
      expect(err.message).toContain(expected);
      expect(err.message).toContain(stray.keyId);
      expect(await logState()).toEqual(before);
      rmSync(stray.file);
      const err2 = await refusal(() => startStop(dirA), 'certificate_key_missing');
      expect(err2.message).toContain(expected);
      expect(keyFiles(dirA).filter((f) => /^(log|certificate-[0-9a-f]{8})\.key$/.test(f))).toEqual(['log.key']);
      expect(await logState()).toEqual(before);
    } finally {
      rmSync(stray.file, { force: true });
      renameSync(path.join(dirA, `certificate-${expected}.away`), file);
    }
    await startStop(dirA);
  });

  it('a lost certificate key is recovered by `keys rotate` (which checks the log key only); the old key is retired, not reused', async () => {
    const lost = await heldKeyId('certificate');
    const file = path.join(dirA, 'keys', `certificate-${lost}.key`);
    renameSync(file, path.join(dirA, 'lost.key'));
    const before = await logState();
    const rotating = await startSystem(configFor(dirA), { database: testDb, clock, keys: 'rotate' });
    let active: string;
    try {
      const r = await rotateCertificateKey({ db: testDb.db, appendManyWith: (e) => rotating.appendManyWith(e), now: () => clock.now() }, dirA, ORIGIN);
      expect(r.retired).toBe(lost);
      active = r.active;
    } finally {
      await rotating.close();
    }
    expect(await heldKeyId('certificate')).toBe(active);
    const after = await logState();
    expect(after.entries).toBe(before.entries + 2); // key.retired, key.added
    await startStop(dirA); // serves again with the new key
    // a rotating start still refuses a different log key
    const logFile = path.join(dirA, 'keys', 'log.key');
    const original = readFileSync(logFile, 'utf8');
    writeFileSync(logFile, `${generateSignerKey(ORIGIN)}\n`, { mode: 0o600 });
    try {
      await refusal(() => startSystem(configFor(dirA), { database: testDb, clock, keys: 'rotate' }), 'log_key_mismatch');
    } finally {
      writeFileSync(logFile, original, { mode: 0o600 });
    }
    expect(await logState()).toEqual(after);
  });

  it('a document key whose certificate is not the one the log holds refuses to start, naming both key IDs, and writes nothing', async () => {
    const expected = await heldKeyId('document');
    const file = path.join(dirA, 'keys', `document-${expected}.key`);
    const away = path.join(dirA, `document-${expected}.away`);
    const before = await logState();
    renameSync(file, away);
    const stray = await generateDocumentKey(dirA, ORIGIN, clock.now()); // same CA, another key and certificate
    try {
      const err = await refusal(() => startStop(dirA), 'document_key_mismatch');
      expect(err.message).toContain(expected);
      expect(err.message).toContain(stray.keyId);
      expect(await logState()).toEqual(before);
      // the other certificate under the expected file name: the file names another key than it holds
      writeFileSync(file, readFileSync(stray.file), { mode: 0o600 });
      await refusal(() => startStop(dirA), 'key_file_invalid');
      expect(await logState()).toEqual(before);
      rmSync(file);
      rmSync(stray.file);
      const err2 = await refusal(() => startStop(dirA), 'document_key_missing');
      expect(err2.message).toContain(expected);
      expect(keyFiles(dirA).filter((f) => /^document-[0-9a-f]{16}\.key$/.test(f))).toEqual([]); // none was made in its place
      expect(await logState()).toEqual(before);
    } finally {
      rmSync(stray.file, { force: true });
      rmSync(file, { force: true });
      renameSync(away, file);
    }
    await startStop(dirA); // the right key starts again
  });

  it('a lost document key is recovered by `keys rotate --purpose document`; the old one is retired, not reused', async () => {
    const lost = await heldKeyId('document');
    const file = path.join(dirA, 'keys', `document-${lost}.key`);
    renameSync(file, path.join(dirA, 'lost-document.key'));
    await refusal(() => startStop(dirA), 'document_key_missing');
    const before = await logState();
    const rotating = await startSystem(configFor(dirA), { database: testDb, clock, keys: 'rotate' });
    let active: string;
    try {
      const r = await rotateDocumentKey({ db: testDb.db, appendManyWith: (e) => rotating.appendManyWith(e), now: () => clock.now() }, dirA, ORIGIN);
      expect(r.retired).toBe(lost);
      active = r.active;
    } finally {
      await rotating.close();
    }
    expect(active).not.toBe(lost);
    expect(await heldKeyId('document')).toBe(active);
    const after = await logState();
    expect(after.entries).toBe(before.entries + 2); // key.retired, key.added
    await startStop(dirA); // serves again, signing with the new key
    expect(await logState()).toEqual(after);
  });

  it('a log that holds no document key (started before PDFs were signed) gets one at its next start, published once', async () => {
    const fresh = await openTestDatabase();
    try {
      const d = tempDir();
      // such a log: its log key and a certificate key, no document key
      const rotating = await startSystem(configFor(d), { database: fresh, clock, keys: 'rotate' });
      try {
        await rotateCertificateKey({ db: fresh.db, appendManyWith: (e) => rotating.appendManyWith(e), now: () => clock.now() }, d, ORIGIN);
      } finally {
        await rotating.close();
      }
      expect(keyFiles(d).filter((f) => f.startsWith('document-'))).toEqual([]);
      const before = await logState(fresh);
      expect(before.keys.map((k) => (k as { purpose: string }).purpose).sort()).toEqual(['certificate', 'log']);
      await startStop(d, fresh);
      const after = await logState(fresh);
      expect(after.entries).toBe(before.entries + 1);
      const documentId = await heldKeyId('document', fresh);
      expect(keyFiles(d)).toEqual(expect.arrayContaining(['document-ca.key', `document-${documentId}.key`]));
      await startStop(d, fresh); // and then it is the log's: a restart publishes nothing
      expect(await logState(fresh)).toEqual(after);
    } finally {
      await fresh.close();
    }
  });

  it('two instances starting together on an empty database: exactly one publishes its keys, the other refuses', async () => {
    const fresh = await openTestDatabase();
    try {
      const other = await secondHandle(fresh);
      const [d1, d2] = [tempDir(), tempDir()];
      const results = await Promise.allSettled([startStop(d1, fresh), startStop(d2, other)]);
      const won = results.map((r) => r.status === 'fulfilled');
      expect(won.filter(Boolean)).toHaveLength(1);
      const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(['log_key_mismatch', 'certificate_key_mismatch']).toContain((loser.reason as { code?: string }).code);
      const winner = won[0] ? d1 : d2;
      const state = await logState(fresh);
      expect(state.keys).toHaveLength(3); // log, certificate, document
      expect(state.entries).toBe(3);
      const winnerKey = logKeyFromString(readFileSync(path.join(winner, 'keys', 'log.key'), 'utf8'));
      expect(await heldKeyId('log', fresh)).toBe(formatKeyId(winnerKey.keyId));
      // every checkpoint is signed by the winner's key
      for (const cp of state.checkpoints) await openNote(cp.slice(cp.indexOf(' ') + 1), [ed25519Verifier(winnerKey.vkey)]);
      await startStop(winner, fresh); // the winner restarts
    } finally {
      await fresh.close();
    }
  });
});
