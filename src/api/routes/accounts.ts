/** Admin API for organisations, users and tokens; `GET /v1/me` for anyone signed in. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { asc } from 'drizzle-orm';
import type { AppContext } from '../../context.ts';
import { organisations } from '../../db/schema.ts';
import { createOrganisation, createToken, createUser, listTokens, listUsers, ORG_KINDS, revokeToken, ROLES, setUserDisabled, type OrgKind } from '../../registry/accounts.ts';
import { usccField } from '../../registry/form.ts';
import { requireRole, type AppEnv } from '../auth.ts';
import { problemResponses } from '../openapi.ts';

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const security = [{ bearer: [] as string[] }];
const Org = z.object({ id: z.string(), name: z.string(), kind: z.enum(ORG_KINDS), uscc: z.string().nullable(), createdAt: z.string() }).openapi('Organisation');
const User = z
  .object({ id: z.string(), orgId: z.string(), username: z.string(), displayName: z.string(), role: z.enum(ROLES), disabled: z.boolean(), createdAt: z.string() })
  .openapi('User');
const Token = z
  .object({ id: z.string(), userId: z.string(), name: z.string(), createdAt: z.string(), expiresAt: z.string().nullable(), lastUsedAt: z.string().nullable(), revokedAt: z.string().nullable() })
  .openapi('ApiToken');
const IdParam = z.object({ id: z.string().min(1).max(100) });

export function registerAccountRoutes(app: OpenAPIHono<AppEnv>, ctx: AppContext): void {
  const db = ctx.database.db;
  const now = () => ctx.clock.now();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me',
      tags: ['accounts'],
      summary: 'The signed-in user',
      security,
      responses: { 200: { description: 'You', ...json(z.object({ userId: z.string(), username: z.string(), role: z.enum(ROLES), orgId: z.string(), orgName: z.string() })) }, ...problemResponses(401) },
    }),
    async (c) => {
      const p = requireRole(c, ...ROLES);
      return c.json({ userId: p.userId, username: p.username, role: p.role, orgId: p.orgId, orgName: p.orgName, orgKind: p.orgKind }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/organisations',
      tags: ['admin'],
      summary: 'Create an organisation',
      security,
      request: { body: { required: true, ...json(z.object({ name: z.string().trim().min(1).max(200), kind: z.enum(ORG_KINDS), uscc: usccField.optional() }).strict()) } },
      responses: { 201: { description: 'Created', ...json(Org) }, ...problemResponses(400, 401, 403, 409) },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const o = await createOrganisation(db, c.req.valid('json'), now());
      return c.json({ ...o, kind: o.kind as OrgKind, createdAt: o.createdAt.toISOString() }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/organisations',
      tags: ['admin'],
      summary: 'List organisations',
      security,
      responses: { 200: { description: 'Organisations', ...json(z.object({ items: z.array(Org) })) }, ...problemResponses(401, 403) },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const rows = await db.select().from(organisations).orderBy(asc(organisations.createdAt));
      return c.json({ items: rows.map((o) => ({ ...o, kind: o.kind as OrgKind, createdAt: o.createdAt.toISOString() })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/users',
      tags: ['admin'],
      summary: 'Create a user',
      security,
      request: {
        body: {
          required: true,
          ...json(
            z
              .object({
                orgId: z.string().min(1).max(100),
                username: z.string().regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'lowercase letters, digits, . _ -; 3–64 characters'),
                displayName: z.string().trim().min(1).max(200),
                role: z.enum(ROLES),
                password: z.string().min(12).max(200).optional(),
              })
              .strict(),
          ),
        },
      },
      responses: { 201: { description: 'Created', ...json(User) }, ...problemResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      requireRole(c, 'admin');
      return c.json(await createUser(db, c.req.valid('json'), now()), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/users',
      tags: ['admin'],
      summary: 'List users',
      security,
      responses: { 200: { description: 'Users', ...json(z.object({ items: z.array(User) })) }, ...problemResponses(401, 403) },
    }),
    async (c) => {
      requireRole(c, 'admin');
      return c.json({ items: await listUsers(db) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/users/{id}/disable',
      tags: ['admin'],
      summary: 'Disable a user (their tokens and sessions stop working)',
      security,
      request: { params: IdParam },
      responses: { 200: { description: 'Disabled', ...json(User) }, ...problemResponses(401, 403, 404) },
    }),
    async (c) => {
      requireRole(c, 'admin');
      return c.json(await setUserDisabled(db, c.req.valid('param').id, true), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/tokens',
      tags: ['admin'],
      summary: 'Create an API token (the secret is shown once)',
      security,
      request: {
        body: {
          required: true,
          ...json(z.object({ userId: z.string().min(1).max(100), name: z.string().trim().min(1).max(100), expiresAt: z.iso.datetime().optional() }).strict()),
        },
      },
      responses: { 201: { description: 'Created', ...json(z.object({ id: z.string(), token: z.string(), userId: z.string(), name: z.string(), expiresAt: z.string().nullable() })) }, ...problemResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const b = c.req.valid('json');
      return c.json(await createToken(db, { userId: b.userId, name: b.name, expiresAt: b.expiresAt ? new Date(b.expiresAt) : null }, now()), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/tokens',
      tags: ['admin'],
      summary: 'List API tokens (never their secrets)',
      security,
      responses: { 200: { description: 'Tokens', ...json(z.object({ items: z.array(Token) })) }, ...problemResponses(401, 403) },
    }),
    async (c) => {
      requireRole(c, 'admin');
      return c.json({ items: await listTokens(db) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/tokens/{id}',
      tags: ['admin'],
      summary: 'Revoke an API token (admins: any; others: their own)',
      security,
      request: { params: IdParam },
      responses: { 204: { description: 'Revoked' }, ...problemResponses(401, 404) },
    }),
    async (c) => {
      const p = requireRole(c, ...ROLES);
      await revokeToken(db, c.req.valid('param').id, now(), p.role === 'admin' ? undefined : p.userId);
      return c.body(null, 204);
    },
  );
}
