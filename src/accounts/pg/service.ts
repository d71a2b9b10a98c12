/**
 * The accounts service handed to the HTTP layer: organisations, users, API tokens,
 * sign-in sessions and authentication, bound to the database and the clock by the
 * composition root (the routes never see the database handle).
 */
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/index.ts';
import { organisations } from '../../db/index.ts';
import {
  authenticateSession,
  purgeExpiredSessions,
  authenticateToken,
  createOrganisation,
  createToken,
  createUser,
  listTokens,
  listUsers,
  revokeToken,
  setUserDisabled,
  signIn,
  signOut,
  type OrganisationDeps,
  type OrgKind,
  type Principal,
  type Role,
} from './accounts.ts';

/** An organisation as the API shows it. */
export interface Organisation {
  id: string;
  name: string;
  kind: OrgKind;
  uscc: string | null;
  createdAt: Date;
}

const organisation = (o: typeof organisations.$inferSelect): Organisation => ({ ...o, kind: o.kind as OrgKind });

export class AccountService {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly appendWith: OrganisationDeps['appendWith'],
  ) {}

  /** Register an organisation (its row and its `organisation.registered` entry). */
  async createOrganisation(input: { name: string; kind: OrgKind; uscc?: string | null }): Promise<Organisation> {
    return organisation(await createOrganisation({ db: this.db, now: this.now, appendWith: this.appendWith }, input));
  }

  /** Every organisation, oldest first. */
  async listOrganisations(): Promise<Organisation[]> {
    return (await this.db.select().from(organisations).orderBy(asc(organisations.createdAt))).map(organisation);
  }

  /** One organisation, or undefined. */
  async getOrganisation(id: string): Promise<Organisation | undefined> {
    const [o] = await this.db.select().from(organisations).where(eq(organisations.id, id));
    return o ? organisation(o) : undefined;
  }

  /** The organisation with this 统一社会信用代码, or undefined (a transfer's recipient is named by its code). */
  async organisationByUscc(uscc: string): Promise<Organisation | undefined> {
    const [o] = await this.db.select().from(organisations).where(eq(organisations.uscc, uscc));
    return o ? organisation(o) : undefined;
  }

  createUser(input: { orgId: string; username: string; displayName: string; role: Role; password?: string }) {
    return createUser(this.db, input, this.now());
  }

  listUsers() {
    return listUsers(this.db);
  }

  setUserDisabled(userIdOrName: string, disabled: boolean) {
    return setUserDisabled(this.db, userIdOrName, disabled);
  }

  /** A new API token; its secret is returned once. */
  createToken(input: { userId: string; name: string; expiresAt?: Date | null }) {
    return createToken(this.db, input, this.now());
  }

  listTokens(userId?: string) {
    return listTokens(this.db, userId);
  }

  /** Revoke a token (any, or only one of `ownerUserId`'s). */
  revokeToken(tokenId: string, ownerUserId?: string): Promise<void> {
    return revokeToken(this.db, tokenId, this.now(), ownerUserId);
  }

  authenticateToken(token: string): Promise<Principal | undefined> {
    return authenticateToken(this.db, token, this.now());
  }

  authenticateSession(sessionId: string): Promise<Principal | undefined> {
    return authenticateSession(this.db, sessionId, this.now());
  }

  signIn(username: string, password: string): Promise<{ sessionId: string; principal: Principal } | undefined> {
    return signIn(this.db, username, password, this.now());
  }

  /** Delete the sessions expired now; returns how many. */
  purgeExpiredSessions(): Promise<number> {
    return purgeExpiredSessions(this.db, this.now());
  }

  signOut(sessionId: string): Promise<void> {
    return signOut(this.db, sessionId);
  }
}
