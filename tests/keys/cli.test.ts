/**
 * New keys come only from `datadeed keys generate|rotate` (or the first start of an
 * empty log): `datadeed audit` never creates one, and `keys generate --purpose log`
 * writes the log key file once and never overwrites it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseVerifierKey } from '../../src/ledger/index.ts';
import { loadConfig } from '../../src/config.ts';
import { composeSystem } from '../../src/compose.ts';
import { formatKeyId } from '../../src/certificates/index.ts';
import { createLogKey } from '../../src/keys/node/index.ts';
import { createPostgresDatabase, usingPostgres } from '../helpers/db.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ORIGIN = 'cli-keys.datadeed.localhost/log';
const dirs: string[] = [];
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops) await drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'dd-keys-cli-'));
  dirs.push(d);
  return d;
}

function cli(args: string[], env: Record<string, string>) {
  const e: NodeJS.ProcessEnv = { ...process.env, DATADEED_ORIGIN: ORIGIN, ...env };
  if (!env.DATABASE_URL) delete e.DATABASE_URL;
  // a start that is not refused keeps serving: the timeout ends it, and the test fails
  return spawnSync(process.execPath, ['bin/datadeed.mjs', ...args], { cwd: ROOT, env: e, encoding: 'utf8', timeout: 240_000 });
}

describe('key commands', () => {
  it('`datadeed audit` on a data directory without a log key fails and creates no key', () => {
    const dir = tempDir();
    const r = cli(['audit'], { DATADEED_DATA_DIR: dir });
    expect(r.status).toBe(4); // unavailable: no key to check with (src/cli/exit-codes.ts)
    expect(r.stderr).toMatch(/\[log_key_missing\]/);
    expect(r.stderr).toContain(path.join(dir, 'keys', 'log.key'));
    expect(existsSync(path.join(dir, 'keys'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]); // nothing at all was created: the key is read before the database is opened
  });

  it('`datadeed keys generate --purpose log` writes the log key file once (0600) and never overwrites it', () => {
    const dir = tempDir();
    const file = path.join(dir, 'keys', 'log.key');
    const r = cli(['keys', 'generate', '--purpose', 'log'], { DATADEED_DATA_DIR: dir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const vkey = /^(\S+\+[0-9a-f]{8}\+\S+)$/m.exec(r.stdout)![1]!;
    expect(parseVerifierKey(vkey).name).toBe(ORIGIN);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(new RegExp(`^PRIVATE\\+KEY\\+${ORIGIN.replace(/\./g, '\\.')}\\+${vkey.split('+')[1]}\\+`));

    const again = cli(['keys', 'generate', '--purpose', 'log'], { DATADEED_DATA_DIR: dir });
    expect(again.status).toBe(3); // refused
    expect(again.stderr).toMatch(/\[key_file_exists\]/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('`datadeed keys generate --purpose document` makes the registry CA once and document keys it certifies (0600), printing the certificate', () => {
    const dir = tempDir();
    const r = cli(['keys', 'generate', '--purpose', 'document'], { DATADEED_DATA_DIR: dir });
    expect(r.status, r.stderr).toBe(0);
    const keyId = /generated document key ([0-9a-f]{16}) /.exec(r.stdout)![1]!;
    const files = readdirSync(path.join(dir, 'keys')).sort();
    expect(files).toEqual(['document-ca.key', `document-${keyId}.key`].sort());
    for (const f of files) expect(statSync(path.join(dir, 'keys', f)).mode & 0o777).toBe(0o600);
    const ca = readFileSync(path.join(dir, 'keys', 'document-ca.key'), 'utf8');
    // OpenSSL reads the printed certificate: issued by the CA, the SHA-256 printed is its fingerprint, and its ID's prefix
    const pem = r.stdout.slice(r.stdout.indexOf('-----BEGIN CERTIFICATE-----'));
    const caPem = ca.slice(ca.indexOf('-----BEGIN CERTIFICATE-----'));
    writeFileSync(path.join(dir, 'doc.pem'), pem);
    writeFileSync(path.join(dir, 'ca.pem'), caPem);
    expect(spawnSync('openssl', ['verify', '-CAfile', path.join(dir, 'ca.pem'), path.join(dir, 'doc.pem')], { encoding: 'utf8' }).stdout).toContain(': OK');
    const fp = spawnSync('openssl', ['x509', '-in', path.join(dir, 'doc.pem'), '-noout', '-fingerprint', '-sha256', '-subject'], { encoding: 'utf8' }).stdout;
    const hex = /Fingerprint=([0-9A-F:]+)/.exec(fp)![1]!.replace(/:/g, '').toLowerCase();
    expect(r.stdout).toContain(`certificate sha256:${hex}`);
    expect(hex.slice(0, 16)).toBe(keyId);
    expect(fp).toContain(`OU = ${ORIGIN}`);
    // a second document key: the same CA (never overwritten)
    const again = cli(['keys', 'generate', '--purpose', 'document'], { DATADEED_DATA_DIR: dir });
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'keys', 'document-ca.key'), 'utf8')).toBe(ca);
    expect(readdirSync(path.join(dir, 'keys')).filter((f) => /^document-[0-9a-f]{16}\.key$/.test(f))).toHaveLength(2);
    // a document key ID is 16 hex digits; the log key is never rotated
    const bad = cli(['keys', 'rotate', '--purpose', 'document', '--key-id', 'abcdef01'], { DATADEED_DATA_DIR: dir });
    expect([bad.status, /\[bad_option\]/.test(bad.stderr)]).toEqual([2, true]);
    const log = cli(['keys', 'rotate', '--purpose', 'log'], { DATADEED_DATA_DIR: dir });
    expect([log.status, /\[bad_option\]/.test(log.stderr)]).toEqual([2, true]);
  });

  it('`datadeed serve` with a log key that is not the log one (PostgreSQL: a second instance with another data directory) exits 4 naming both key IDs, writing nothing', async () => {
    const dirA = tempDir();
    const env: Record<string, string> = { DATADEED_DATA_DIR: dirA, DATADEED_ORIGIN: ORIGIN, LOG_LEVEL: 'silent', PORT: '0' };
    if (usingPostgres) {
      const pg = await createPostgresDatabase();
      drops.push(pg.drop);
      env.DATABASE_URL = pg.url;
    }
    // the first instance: its first start generates and publishes the keys
    const first = await composeSystem(loadConfig(env));
    const expected = formatKeyId(first.logKey.keyId);
    const size = async () => (await first.store.latestCheckpoint())?.size;
    const before = { size: await size(), keys: (await first.keys.published()).length };
    await first.close();

    // the second: another data directory (PostgreSQL) or another key file (the same embedded database)
    const dirB = tempDir();
    const otherFile = path.join(dirB, 'keys', 'log.key');
    const other = formatKeyId(createLogKey(otherFile, ORIGIN).keyId);
    const second = usingPostgres ? { ...env, DATADEED_DATA_DIR: dirB } : { ...env, DATADEED_KEY_FILE: otherFile };
    const r = cli(['serve'], second);
    expect(r.status, r.stdout + r.stderr).toBe(4); // unavailable: this installation cannot serve this log
    expect(r.stderr).toMatch(/\[log_key_mismatch\]/);
    expect(r.stderr).toContain(expected);
    expect(r.stderr).toContain(other);
    expect(r.stdout).not.toMatch(/serving/);

    const again = await composeSystem(loadConfig(env));
    try {
      expect({ size: await again.store.latestCheckpoint().then((c) => c?.size), keys: (await again.keys.published()).length }).toEqual(before);
    } finally {
      await again.close();
    }
  }, 600_000);
});
