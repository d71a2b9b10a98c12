/** `datadeed orgs|users|tokens …`: account administration against the database directly. */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { asc } from 'drizzle-orm';
import { embeddedDataDir, type Config } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { organisations } from '../db/schema.ts';
import { createOrganisation, createToken, createUser, listTokens, listUsers, ORG_KINDS, revokeToken, ROLES, setUserDisabled, type OrgKind, type Role } from '../registry/accounts.ts';
import { RegistryError } from '../registry/errors.ts';
import { validateUscc } from '../certificates/uscc.ts';
import { UsageError } from './usage.ts';

function need(v: string | undefined, flag: string): string {
  if (!v) throw new UsageError('missing_option', `${flag} is required`);
  return v;
}

export async function runAccounts(config: Config, group: 'orgs' | 'users' | 'tokens', args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: 'string' },
      kind: { type: 'string' },
      uscc: { type: 'string' },
      org: { type: 'string' },
      username: { type: 'string' },
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      expires: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const key = `${group} ${sub ?? ''}`;
  // validate everything before opening the database
  if (values.kind && !(ORG_KINDS as readonly string[]).includes(values.kind)) throw new UsageError('bad_option', `--kind must be one of ${ORG_KINDS.join(', ')}`);
  if (values.role && !(ROLES as readonly string[]).includes(values.role)) throw new UsageError('bad_option', `--role must be one of ${ROLES.join(', ')}`);
  if (values.uscc) {
    const r = validateUscc(values.uscc);
    if (!r.ok) throw new UsageError('bad_option', `--uscc: ${r.message}`);
  }
  let expiresAt: Date | null = null;
  if (values.expires) {
    expiresAt = new Date(values.expires);
    if (Number.isNaN(expiresAt.getTime())) throw new UsageError('bad_option', '--expires must be an ISO date-time');
  }
  if (!['orgs add', 'orgs list', 'users add', 'users list', 'users disable', 'tokens create', 'tokens list', 'tokens revoke'].includes(key))
    throw new UsageError('unknown_command', `unknown command ${JSON.stringify(key.trim())}`);
  let password: string | undefined;
  if (values['password-stdin']) {
    password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
    if (password.length < 12) throw new UsageError('bad_option', 'the password must have at least 12 characters');
  }

  const database = await openDatabase({ url: config.databaseUrl, dataDir: embeddedDataDir(config) });
  const db = database.db;
  const now = new Date();
  const out = (v: unknown) => process.stdout.write((typeof v === 'string' ? v : JSON.stringify(v, null, 2)) + '\n');
  try {
    switch (key) {
      case 'orgs add':
        out(await createOrganisation(db, { name: need(values.name, '--name'), kind: need(values.kind, '--kind') as OrgKind, uscc: values.uscc ?? null }, now));
        break;
      case 'orgs list':
        for (const o of await db.select().from(organisations).orderBy(asc(organisations.createdAt))) out(`${o.id}  ${o.kind.padEnd(10)}  ${o.uscc ?? '-'.padEnd(18)}  ${o.name}`);
        break;
      case 'users add':
        out(
          await createUser(
            db,
            { orgId: need(values.org, '--org'), username: need(values.username, '--username'), displayName: need(values.name, '--name'), role: need(values.role, '--role') as Role, password },
            now,
          ),
        );
        break;
      case 'users list':
        for (const u of await listUsers(db)) out(`${u.id}  ${u.role.padEnd(9)}  ${u.disabled ? 'disabled' : 'active  '}  ${u.username}  (${u.displayName})`);
        break;
      case 'users disable':
        out(await setUserDisabled(db, need(positionals[0], '<user>'), true));
        break;
      case 'tokens create': {
        const t = await createToken(db, { userId: need(positionals[0], '<user>'), name: values.name ?? 'cli', expiresAt }, now);
        process.stderr.write('This token is shown once; store it now.\n');
        out(values.json ? t : t.token);
        break;
      }
      case 'tokens list':
        for (const t of await listTokens(db)) out(`${t.id}  ${t.revokedAt ? 'revoked' : 'active '}  user ${t.userId}  ${t.name}  last used ${t.lastUsedAt ?? 'never'}`);
        break;
      case 'tokens revoke':
        await revokeToken(db, need(positionals[0], '<token id>'), now);
        out('revoked');
        break;
    }
    return 0;
  } catch (err) {
    if (err instanceof RegistryError) {
      process.stderr.write(`datadeed: [${err.code}] ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await database.close();
  }
}
