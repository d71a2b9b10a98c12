/**
 * First run on the command line: `datadeed admin create` makes the registry's organisation
 * and its first administrator, who signs in with the password printed once; a second run
 * refuses. `users add` refuses to make a user without saying how they sign in (it used to
 * make a user who could never sign in).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, embeddedDataDir } from '../../src/config.ts';
import { runAccounts } from '../../src/cli/accounts.ts';
import { UsageError } from '../../src/cli/usage.ts';
import { openDatabase } from '../../src/db/index.ts';
import { signIn } from '../../src/accounts/pg/index.ts';
import { seedEmbeddedDataDir } from '../helpers/db.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'dd-admin-'));
seedEmbeddedDataDir(dir);
const config = loadConfig({ DATADEED_DATA_DIR: dir, DATADEED_AUTHORITY_NAME: '天津市知识产权局' });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs an accounts command, returning what it printed. */
async function run(args: string[]): Promise<string> {
  const [group, ...rest] = args;
  const out: string[] = [];
  const write = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = ((s: string) => out.push(String(s)) > 0) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    await runAccounts(config, group as 'admin', rest);
  } finally {
    process.stdout.write = write;
    process.stderr.write = err;
  }
  return out.join('');
}

describe('first run', () => {
  it('admin create: the authority’s organisation and an administrator who can sign in', async () => {
    const text = await run(['admin', 'create', '--username', 'li.ming', '--name', '李明']);
    const password = /password: (\S+)/.exec(text)![1]!;
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(text).toContain('天津市知识产权局');
    const database = await openDatabase({ dataDir: embeddedDataDir(config) });
    try {
      const r = await signIn(database.db, 'li.ming', password, new Date());
      expect(r?.principal.role).toBe('admin');
      expect(r?.principal.orgKind).toBe('registry');
    } finally {
      await database.close();
    }
    await expect(run(['admin', 'create'])).rejects.toMatchObject({ code: 'bad_arguments' });
  });

  it('users add says how the user signs in, or refuses', async () => {
    const err = await run(['users', 'add', '--org', 'x', '--username', 'bob', '--name', 'Bob', '--role', 'reviewer']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).code).toBe('missing_option');
    const both = await run(['users', 'add', '--org', 'x', '--username', 'bob', '--name', 'Bob', '--role', 'reviewer', '--token-only', '--generate-password']).catch((e: unknown) => e);
    expect((both as UsageError).code).toBe('bad_arguments');
  });
});
