/**
 * Organisations, users, API tokens, passwords and page sessions.
 *
 * Tokens and session ids are 256-bit random values shown once; only their SHA-256
 * is stored. Passwords are hashed with scrypt (node:crypto). Secrets are never
 * logged or returned after creation.
 */
import { createHash, randomBytes, randomUUID, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { and, asc, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { apiTokens, organisations, sessions, users } from '../../db/index.ts';
import { encodeEntry } from '../../ledger/index.ts';
import type { AppendEffect } from '../../ledger/pg/index.ts';
import { AccountError, ORG_KINDS, OrganisationSchema, parseAccountCommand, ROLES, TokenSchema, USERNAME, UserSchema, type OrgKind, type Role } from '../index.ts';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, keylen: number, opts: object) => Promise<Buffer>;

// roles and organisation kinds are part of the account commands (../commands.ts)
export { ORG_KINDS, ROLES, type OrgKind, type Role };

/** Which organisation kinds a role may belong to. */
export const ROLE_ORG_KINDS: Record<Role, readonly OrgKind[]> = {
  // the registry may register data it holds itself: its reviewers then may not decide it
  applicant: ['enterprise', 'registry'],
  reviewer: ['registry'],
  admin: ['registry'],
  bank: ['bank'],
  insurer: ['insurer'],
  notary: ['notary'],
};

export interface Principal {
  userId: string;
  username: string;
  displayName: string;
  role: Role;
  orgId: string;
  orgName: string;
  orgKind: OrgKind;
  orgUscc: string | null;
  via: 'token' | 'session';
}

const SCRYPT = { N: 16384, r: 8, p: 1 };

/** scrypt$N$r$p$salt$hash (base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password.normalize('NFC'), salt, 32, { ...SCRYPT, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  const got = await scrypt(password.normalize('NFC'), salt, expected.length, { N, r, p, maxmem: 64 * 1024 * 1024 });
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');
export const newId = () => randomUUID();
/** A new secret: prefix + 43 base64url characters (256 bits). */
export const newSecret = (prefix: string) => `${prefix}_${randomBytes(32).toString('base64url')}`;

/** What registering an organisation needs: the database, the log (one transaction for the row and its entry) and the clock. */
export interface OrganisationDeps {
  db: Db;
  appendWith<T>(effect: AppendEffect<T>): Promise<{ index: number; result: T }>;
  now(): Date;
}

/**
 * Register an organisation: its row and its `organisation.registered` log entry (org id,
 * kind, 统一社会信用代码, SHA-256 of the name) in one transaction. `raw` is checked with
 * OrganisationSchema first (`invalid_field`). An enterprise must carry a valid
 * 统一社会信用代码 (GB 32100): it is the identity its certificates are issued to (the
 * holder of an application is always the filing organisation).
 * @throws AccountError `invalid_field` (path `uscc`) when missing for an enterprise or invalid;
 *   `duplicate_uscc` when another organisation has it.
 */
export async function createOrganisation(deps: OrganisationDeps, raw: { name: string; kind: OrgKind; uscc?: string | null }) {
  const input = parseAccountCommand(OrganisationSchema, { ...raw, uscc: raw.uscc ?? undefined }, 'the organisation');
  if (!input.uscc && input.kind === 'enterprise')
    throw new AccountError('invalid_field', 'an enterprise needs its 统一社会信用代码', [{ path: 'uscc', message: 'required for an enterprise' }]);
  const id = newId();
  try {
    const ack = await deps.appendWith(async (tx, _index) => {
      const now = deps.now();
      const [row] = await tx
        .insert(organisations)
        .values({ id, name: input.name, kind: input.kind, uscc: input.uscc ?? null, createdAt: now })
        .returning();
      const entry = encodeEntry({
        kind: 'organisation.registered',
        time: now.toISOString(),
        orgId: id,
        orgKind: input.kind,
        ...(input.uscc ? { uscc: input.uscc } : {}),
        nameHash: sha256Hex(input.name),
      });
      return { entry, result: row! };
    });
    return ack.result;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AccountError('duplicate_uscc', 'an organisation with this 统一社会信用代码 already exists');
    throw err;
  }
}

/** Create a user; `raw` is checked with UserSchema first (`invalid_field`). */
export async function createUser(
  db: Db,
  raw: { orgId: string; username: string; displayName: string; role: Role; password?: string },
  now: Date,
) {
  const input = parseAccountCommand(UserSchema, raw, 'the user');
  const [org] = await db.select().from(organisations).where(eq(organisations.id, input.orgId));
  if (!org) throw new AccountError('organisation_not_found', 'no such organisation');
  if (!ROLE_ORG_KINDS[input.role].includes(org.kind as OrgKind))
    throw new AccountError('invalid_field', `role ${input.role} cannot belong to a ${org.kind} organisation`, [
      { path: 'role', message: `must fit the organisation kind ${org.kind}` },
    ]);
  const id = newId();
  try {
    const [row] = await db
      .insert(users)
      .values({
        id,
        orgId: input.orgId,
        username: input.username,
        displayName: input.displayName,
        role: input.role,
        passwordHash: input.password ? await hashPassword(input.password) : null,
        createdAt: now,
      })
      .returning();
    return publicUser(row!);
  } catch (err) {
    if (isUniqueViolation(err)) throw new AccountError('duplicate_username', `username ${input.username} is taken`);
    throw err;
  }
}

export function publicUser(u: typeof users.$inferSelect) {
  return {
    id: u.id,
    orgId: u.orgId,
    username: u.username,
    displayName: u.displayName,
    role: u.role as Role,
    disabled: u.disabled,
    createdAt: u.createdAt.toISOString(),
  };
}

export async function listUsers(db: Db) {
  return (await db.select().from(users).orderBy(asc(users.createdAt), asc(users.username))).map(publicUser);
}

export async function setUserDisabled(db: Db, userIdOrName: string, disabled: boolean) {
  const rows = await db
    .update(users)
    .set({ disabled })
    .where(or(eq(users.id, userIdOrName), eq(users.username, userIdOrName)))
    .returning();
  if (!rows[0]) throw new AccountError('user_not_found', 'no such user');
  return publicUser(rows[0]);
}

/** Create an API token for a user; the secret is returned once and never again. */
export async function createToken(db: Db, raw: { userId: string; name: string; expiresAt?: Date | null }, now: Date) {
  const fields = parseAccountCommand(TokenSchema.omit({ expiresAt: true }), { userId: raw.userId, name: raw.name }, 'the token');
  const input = { ...fields, expiresAt: raw.expiresAt };
  const [u] = await db
    .select()
    .from(users)
    .where(or(eq(users.id, input.userId), eq(users.username, input.userId)));
  if (!u) throw new AccountError('user_not_found', 'no such user');
  const token = newSecret('ddt');
  const id = newId();
  await db.insert(apiTokens).values({ id, userId: u.id, tokenHash: sha256Hex(token), name: input.name, createdAt: now, expiresAt: input.expiresAt ?? null });
  return { id, token, userId: u.id, name: input.name, expiresAt: input.expiresAt?.toISOString() ?? null };
}

export async function revokeToken(db: Db, tokenId: string, now: Date, ownerUserId?: string) {
  const cond = ownerUserId ? and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, ownerUserId)) : eq(apiTokens.id, tokenId);
  const rows = await db.update(apiTokens).set({ revokedAt: now }).where(and(cond, isNull(apiTokens.revokedAt))).returning({ id: apiTokens.id });
  if (!rows[0]) throw new AccountError('token_not_found', 'no such active token');
}

export async function listTokens(db: Db, userId?: string) {
  const rows = await db
    .select({ id: apiTokens.id, userId: apiTokens.userId, name: apiTokens.name, createdAt: apiTokens.createdAt, expiresAt: apiTokens.expiresAt, lastUsedAt: apiTokens.lastUsedAt, revokedAt: apiTokens.revokedAt })
    .from(apiTokens)
    .where(userId ? eq(apiTokens.userId, userId) : undefined)
    .orderBy(asc(apiTokens.createdAt));
  return rows.map((r) => ({
    ...r,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt?.toISOString() ?? null,
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
  }));
}

async function principalFor(db: Db, userId: string, via: Principal['via']): Promise<Principal | undefined> {
  const [row] = await db
    .select(PRINCIPAL_COLUMNS)
    .from(users)
    .innerJoin(organisations, eq(organisations.id, users.orgId))
    .where(and(eq(users.id, userId), eq(users.disabled, false)));
  return row ? principalOf(row, via) : undefined;
}

/** The columns a principal is made of (users ⋈ organisations): only these are read on every authenticated request. */
const PRINCIPAL_COLUMNS = {
  userId: users.id,
  username: users.username,
  displayName: users.displayName,
  role: users.role,
  orgId: organisations.id,
  orgName: organisations.name,
  orgKind: organisations.kind,
  orgUscc: organisations.uscc,
};

function principalOf(r: { userId: string; username: string; displayName: string; role: string; orgId: string; orgName: string; orgKind: string; orgUscc: string | null }, via: Principal['via']): Principal {
  return { userId: r.userId, username: r.username, displayName: r.displayName, role: r.role as Role, orgId: r.orgId, orgName: r.orgName, orgKind: r.orgKind as OrgKind, orgUscc: r.orgUscc, via };
}

/**
 * Resolve a bearer token; undefined when unknown, revoked, expired or its user disabled.
 * One query (token, user and organisation joined): every authenticated API request pays
 * it — two round trips cost 1–5 ms a request on the embedded database.
 */
export async function authenticateToken(db: Db, token: string, now: Date): Promise<Principal | undefined> {
  if (!/^ddt_[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
  const [row] = await db
    .select({ tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt, ...PRINCIPAL_COLUMNS })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .innerJoin(organisations, eq(organisations.id, users.orgId))
    .where(
      and(eq(apiTokens.tokenHash, sha256Hex(token)), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)), eq(users.disabled, false)),
    );
  if (!row) return undefined;
  // last use, at most once a minute per token
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.tokenId));
  return principalOf(row, 'token');
}

export const SESSION_TTL_MS = 12 * 3600_000;

/** Check a password and open a page session; returns the cookie value (shown once). */
export async function signIn(db: Db, username: string, password: string, now: Date): Promise<{ sessionId: string; principal: Principal } | undefined> {
  // a string that is no username names no user (and is never sent to the database)
  const [u] = USERNAME.test(username) ? await db.select().from(users).where(eq(users.username, username)) : [];
  // run scrypt even for unknown users so timing does not reveal which usernames exist
  const ok = await verifyPassword(password, u?.passwordHash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
  if (!u || !ok || u.disabled) return undefined;
  // expired sessions never authenticate again: each sign-in clears them away
  await purgeExpiredSessions(db, now);
  const sessionId = newSecret('dds');
  await db.insert(sessions).values({ idHash: sha256Hex(sessionId), userId: u.id, createdAt: now, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) });
  const principal = await principalFor(db, u.id, 'session');
  return principal ? { sessionId, principal } : undefined;
}

export async function authenticateSession(db: Db, sessionId: string, now: Date): Promise<Principal | undefined> {
  if (!/^dds_[A-Za-z0-9_-]{43}$/.test(sessionId)) return undefined;
  const [row] = await db
    .select(PRINCIPAL_COLUMNS)
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(organisations, eq(organisations.id, users.orgId))
    .where(and(eq(sessions.idHash, sha256Hex(sessionId)), gt(sessions.expiresAt, now), eq(users.disabled, false)));
  return row ? principalOf(row, 'session') : undefined;
}

/**
 * Delete every session expired at `now` (issue 15, finding 7: expired sessions were never
 * purged). Run at each sign-in and by the server's registry clock. Returns how many.
 */
export async function purgeExpiredSessions(db: Db, now: Date): Promise<number> {
  const gone = await db.delete(sessions).where(lte(sessions.expiresAt, now)).returning({ idHash: sessions.idHash });
  return gone.length;
}

export async function signOut(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, sha256Hex(sessionId)));
}

export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: string }).code === '23505') return true;
  }
  return false;
}

export { sql };
