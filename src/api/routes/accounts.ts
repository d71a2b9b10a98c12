/** Admin API for organisations, users and tokens; `GET /v1/me` for anyone signed in. */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiServices } from '../services.ts';
import { ORG_KINDS, ROLES } from '../../accounts/pg/index.ts';
import { AccountRefParam, NewOrganisationBody, NewTokenBody, NewUserBody } from '../schemas.ts';
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
const IdParam = AccountRefParam;

export function registerAccountRoutes(app: OpenAPIHono<AppEnv>, { accounts }: Pick<ApiServices, 'accounts'>): void {

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
      request: { body: { required: true, ...json(NewOrganisationBody) } },
      responses: { 201: { description: 'Created', ...json(Org) }, ...problemResponses(400, 401, 403, 409) },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const o = await accounts.createOrganisation(c.req.valid('json'));
      return c.json({ ...o, createdAt: o.createdAt.toISOString() }, 201);
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
      const rows = await accounts.listOrganisations();
      return c.json({ items: rows.map((o) => ({ ...o, createdAt: o.createdAt.toISOString() })) }, 200);
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
          ...json(NewUserBody),
        },
      },
      responses: { 201: { description: 'Created', ...json(User) }, ...problemResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      requireRole(c, 'admin');
      return c.json(await accounts.createUser(c.req.valid('json')), 201);
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
      return c.json({ items: await accounts.listUsers() }, 200);
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
      return c.json(await accounts.setUserDisabled(c.req.valid('param').id, true), 200);
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
          ...json(NewTokenBody),
        },
      },
      responses: { 201: { description: 'Created', ...json(z.object({ id: z.string(), token: z.string(), userId: z.string(), name: z.string(), expiresAt: z.string().nullable() })) }, ...problemResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      requireRole(c, 'admin');
      const b = c.req.valid('json');
      return c.json(await accounts.createToken({ userId: b.userId, name: b.name, expiresAt: b.expiresAt ? new Date(b.expiresAt) : null }), 201);
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
      return c.json({ items: await accounts.listTokens() }, 200);
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
      await accounts.revokeToken(c.req.valid('param').id, p.role === 'admin' ? undefined : p.userId);
      return c.body(null, 204);
    },
  );
}
