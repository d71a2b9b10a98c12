/** Configuration and the key file: every bad value is named; the key file is created 0600 and checked. */
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, DEFAULT_ORIGIN, loadConfig } from '../src/config.ts';
import { KeyFileError, createLogKey, readLogKey } from '../src/keys/node/log-key.ts';
import { assertCodes } from './helpers/assert-code.ts';
import { parseVerifierKey } from '../src/ledger/index.ts';

const { expectCode: expectKeyFileCode } = assertCodes(KeyFileError);

const ROOT = path.resolve(import.meta.dirname, '..');

describe('loadConfig', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', origin: DEFAULT_ORIGIN, databaseUrl: undefined, publicUrl: 'http://127.0.0.1:8080' });
    expect(c.dataDir).toBe(path.resolve('./data'));
    expect(c.keyFile).toBe(path.resolve('./data/keys/log.key'));
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['HOST', 'bad host!'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['DATADEED_ORIGIN', 'has space'],
    ['DATADEED_ORIGIN', 'a+b'],
    ['DATADEED_ORIGIN', 'x'.repeat(300)],
    ['DATADEED_PUBLIC_URL', 'ftp://example.com'],
    ['DATADEED_PUBLIC_URL', 'nope'],
    ['DATADEED_DATA_DIR', 'a\0b'],
    ['DATADEED_KEY_FILE', 'k\0'],
    ['DATADEED_BATCH_MAX', '0'],
    ['DATADEED_BATCH_WAIT_MS', 'soon'],
    ['LOG_LEVEL', 'loud'],
  ])('%s=%j is refused with a message naming it', (name, value) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('bad_config');
    expect((err as ConfigError).variable).toBe(name);
    expect((err as Error).message.startsWith(`${name}:`)).toBe(true);
  });

  it('the CLI stops with exit 2 and names the variable, before touching anything', () => {
    const r = spawnSync(process.execPath, ['bin/datadeed.mjs', 'serve'], {
      cwd: ROOT,
      env: { ...process.env, PORT: 'eighty', DATABASE_URL: '' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/\[bad_config\] PORT: /);
    const u = spawnSync(process.execPath, ['bin/datadeed.mjs', 'frobnicate'], { cwd: ROOT, encoding: 'utf8' });
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/\[unknown_command\]/);
    const a = spawnSync(process.execPath, ['bin/datadeed.mjs', 'audit', '--bogus'], { cwd: ROOT, encoding: 'utf8' });
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/\[bad_arguments\]/);
  });
});

describe('log key file', () => {
  it('is created with mode 0600 in a 0700 directory, reloaded the same, and never overwritten or created by reading', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dd-key-'));
    const file = path.join(dir, 'keys', 'log.key');
    expect(readLogKey(file, 'k.example/log')).toBeNull();
    expect(existsSync(file)).toBe(false);
    const first = createLogKey(file, 'k.example/log');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toMatch(/^PRIVATE\+KEY\+k\.example\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}\n$/);
    const again = readLogKey(file, 'k.example/log')!;
    expect(again.vkey).toBe(first.vkey);
    expect(parseVerifierKey(again.vkey).name).toBe('k.example/log');
    const text = readFileSync(file, 'utf8');
    expect(() => createLogKey(file, 'k.example/log')).toThrow(expect.objectContaining({ code: 'key_file_exists' }));
    expect(readFileSync(file, 'utf8')).toBe(text);
    // the private key never appears in what is published
    const secret = /^PRIVATE\+KEY\+[^+]+\+[0-9a-f]{8}\+(.+)$/.exec(text.trim())![1]!;
    expect(again.vkey).not.toContain(secret);
    expect(JSON.stringify(again)).not.toContain(secret);
  });

  it('refuses a key readable by others, a garbled key, and a key named for another origin', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dd-key-'));
    const file = path.join(dir, 'log.key');
    createLogKey(file, 'a.example/log');
    chmodSync(file, 0o644);
    expectKeyFileCode(() => readLogKey(file, 'a.example/log'), 'key_file_permissions');
    chmodSync(file, 0o600);
    expectKeyFileCode(() => readLogKey(file, 'b.example/log'), 'key_name_mismatch');
    writeFileSync(file, 'PRIVATE+KEY+garbage\n', { mode: 0o600 });
    expectKeyFileCode(() => readLogKey(file, 'a.example/log'), 'key_file_invalid');
  });
});
