/**
 * The account commands taken from outside, as plain zod schemas (field rules:
 * src/fields.ts): creating organisations, users and API tokens, and signing in. The
 * admin API, the CLI and the pages use them through the functions of ./pg/, which parse
 * their input with them before writing anything; src/api attaches their OpenAPI names.
 */
import { z } from 'zod';
import { accountRef, fieldIssues, instantField, lineField, nameField, secretField, usccField } from '../fields.ts';
import { AccountError } from './errors.ts';

/** The roles a user may hold (`notary`: a notary office, 公证处, that attests deposits). */
export const ROLES = ['applicant', 'reviewer', 'bank', 'insurer', 'notary', 'admin'] as const;
export type Role = (typeof ROLES)[number];
/** The kinds of organisation. */
export const ORG_KINDS = ['enterprise', 'bank', 'insurer', 'notary', 'registry'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** A username: lowercase letters, digits, `.`, `_`, `-`; 3–64 characters, starting with a letter or digit. */
export const USERNAME = /^[a-z0-9][a-z0-9._-]{2,63}$/;

/** Create an organisation. Its name follows the certificates' name rule: it becomes a holder's name on a transfer. */
export const OrganisationSchema = z.object({ name: nameField(), kind: z.enum(ORG_KINDS), uscc: usccField.optional() }).strict();
export type OrganisationCommand = z.infer<typeof OrganisationSchema>;

/** Create a user in an organisation (by the organisation's id). */
export const UserSchema = z
  .object({
    orgId: accountRef,
    username: z.string().regex(USERNAME, 'lowercase letters, digits, . _ -; 3–64 characters'),
    displayName: lineField(200),
    role: z.enum(ROLES),
    password: secretField(12, 200).optional(),
  })
  .strict();
export type UserCommand = z.infer<typeof UserSchema>;

/** Create an API token for a user (by id or username). */
export const TokenSchema = z.object({ userId: accountRef, name: lineField(100), expiresAt: instantField.optional() }).strict();
export type TokenCommand = z.infer<typeof TokenSchema>;

/** Sign in with a username and password (a page session). Secrets are neither trimmed nor normalised here. */
export const SignInSchema = z.object({ username: secretField(1, 64), password: secretField(1, 200) });
export type SignInCommand = z.infer<typeof SignInSchema>;

/**
 * Parses an account command with its schema, before anything is written.
 * @throws AccountError `invalid_field` with each failing field's path in `details`.
 */
export function parseAccountCommand<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new AccountError('invalid_field', `${what} has invalid fields`, fieldIssues(r.error));
  return r.data;
}
