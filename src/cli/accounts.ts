/**
 * `datadeed orgs|users|tokens …`: account administration. Registering an organisation is
 * logged (`organisation.registered`), so `orgs add` runs through the composed registry (its
 * log and keys); users and tokens are private and go to the database directly.
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { embeddedDataDir, type Config } from '../config.ts';
import { openDatabase } from '../db/index.ts';
import { organisations, users } from '../db/index.ts';
import { createToken, createUser, listTokens, listUsers, ORG_KINDS, revokeToken, ROLES, setUserDisabled, type OrgKind, type Role } from '../accounts/pg/index.ts';
import { validateUscc } from '../certificates/index.ts';
import { UsageError } from './usage.ts';
import { composeSystem } from '../compose.ts';

function need(v: string | undefined, flag: string): string {
  if (!v) throw new UsageError('missing_option', `${flag} is required`);
  return v;
}

/** A new random password (24 characters, 144 bits), for a user who is to be told it once. */
const newPassword = () => randomBytes(18).toString('base64url');

export async function runAccounts(config: Config, group: 'orgs' | 'users' | 'tokens' | 'admin', args: string[]): Promise<number> {
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
      'generate-password': { type: 'boolean' },
      'token-only': { type: 'boolean' },
      'org-name': { type: 'string' },
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
  if (!['orgs add', 'orgs list', 'users add', 'users list', 'users disable', 'tokens create', 'tokens list', 'tokens revoke', 'admin create'].includes(key))
    throw new UsageError('unknown_command', `unknown command ${JSON.stringify(key.trim())}`);
  if (key === 'orgs add' && values.kind === 'enterprise' && !values.uscc) throw new UsageError('bad_option', 'an enterprise needs --uscc (its 统一社会信用代码)');
  // a user is made with a password they can sign in with, or — said so — as an API-only user
  const ways = ['password-stdin', 'generate-password', 'token-only'].filter((k) => values[k as 'token-only']);
  if (ways.length > 1) throw new UsageError('bad_arguments', `give only one of --${ways.join(', --')}`);
  if (key === 'users add' && ways.length === 0)
    throw new UsageError(
      'missing_option',
      'give --password-stdin (the password on standard input), --generate-password (a new one, printed once) or --token-only (a user who signs in with API tokens only, never on the pages)',
    );
  if (key === 'admin create' && values['token-only']) throw new UsageError('bad_option', 'the first administrator signs in on the pages: give --password-stdin or let a password be generated');
  let password: string | undefined;
  let generated = false;
  if (values['generate-password'] || (key === 'admin create' && !values['password-stdin'])) {
    password = newPassword();
    generated = true;
  }
  if (values['password-stdin']) {
    password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
    if (password.length < 12) throw new UsageError('bad_option', 'the password must have at least 12 characters');
  }

  if (key === 'orgs add') {
    // registering an organisation is a log entry (organisation.registered): through the running registry's log
    const system = await composeSystem(config);
    try {
      const o = await system.accounts.createOrganisation({ name: need(values.name, '--name'), kind: need(values.kind, '--kind') as OrgKind, uscc: values.uscc ?? null });
      process.stdout.write(JSON.stringify({ ...o, createdAt: o.createdAt.toISOString() }, null, 2) + '\n');
      return 0;
    } finally {
      await system.close();
    }
  }
  if (key === 'admin create') {
    // first run: the registry's own organisation (a log entry, organisation.registered) and its first administrator
    const system = await composeSystem(config);
    const out = (v: unknown) => process.stdout.write((typeof v === 'string' ? v : JSON.stringify(v, null, 2)) + '\n');
    try {
      const admins = await system.database.db.select({ id: users.id }).from(users).where(eq(users.role, 'admin')).limit(1);
      if (admins.length) throw new UsageError('bad_arguments', 'an administrator exists already: add more with `datadeed users add --role admin`, or sign in at /login');
      const org = await system.accounts.createOrganisation({ name: values['org-name'] ?? config.authority.zh, kind: 'registry', uscc: values.uscc ?? null });
      const username = values.username ?? 'admin';
      const u = await system.accounts.createUser({ orgId: org.id, username, displayName: values.name ?? username, role: 'admin', password });
      out({ organisation: org, user: u });
      if (generated) {
        process.stderr.write('The password is shown once; store it now, then sign in at /login.\n');
        out(`password: ${password}`);
      }
      return 0;
    } finally {
      await system.close();
    }
  }
  const database = await openDatabase({ url: config.databaseUrl, dataDir: embeddedDataDir(config) });
  const db = database.db;
  const now = new Date();
  const out = (v: unknown) => process.stdout.write((typeof v === 'string' ? v : JSON.stringify(v, null, 2)) + '\n');
  try {
    switch (key) {
      case 'orgs list':
        for (const o of await db.select().from(organisations).orderBy(asc(organisations.createdAt))) out(`${o.id}  ${o.kind.padEnd(10)}  ${o.uscc ?? '-'.padEnd(18)}  ${o.name}`);
        break;
      case 'users add': {
        const u = await createUser(
          db,
          { orgId: need(values.org, '--org'), username: need(values.username, '--username'), displayName: need(values.name, '--name'), role: need(values.role, '--role') as Role, password },
          now,
        );
        out(u);
        if (generated) {
          process.stderr.write('The password is shown once; hand it to the user now.\n');
          out(`password: ${password}`);
        } else if (!password) process.stderr.write(`${u.username} has no password: it signs in with API tokens only (datadeed tokens create ${u.username}).\n`);
        break;
      }
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
  } finally {
    await database.close();
  }
}
