/**
 * Public surface of the accounts core: its errors and its commands (plain zod schemas). Organisations, users, tokens and
 * sessions are stored by `./pg/`. Accounts sit beneath the registry: they import nothing
 * from `src/registry`.
 */
export { ACCOUNT_ERROR_CODES, AccountError } from './errors.ts';
export type { AccountErrorCode } from './errors.ts';
export {
  ORG_KINDS,
  OrganisationSchema,
  parseAccountCommand,
  ROLES,
  SignInSchema,
  TokenSchema,
  USERNAME,
  UserSchema,
} from './commands.ts';
export type { OrganisationCommand, OrgKind, Role, SignInCommand, TokenCommand, UserCommand } from './commands.ts';
