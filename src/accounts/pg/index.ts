/** Public surface of src/accounts/pg. */
export { ORG_KINDS, ROLES, SESSION_TTL_MS, authenticateSession, authenticateToken, createOrganisation, createToken, createUser, listTokens, listUsers, newId, purgeExpiredSessions, revokeToken, setUserDisabled, signIn, signOut } from './accounts.ts';
export type { OrganisationDeps, OrgKind, Principal, Role } from './accounts.ts';
export { AccountService } from './service.ts';
export type { Organisation } from './service.ts';
