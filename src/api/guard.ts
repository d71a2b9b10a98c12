/**
 * Authenticate first, then validate (issue 15, finding 9): every route the OpenAPI
 * document marks with `security` refuses an anonymous caller (401) and a caller without
 * one of its roles (403) here, before its zod validators read the body — so a stranger
 * learns nothing of a body's schema. The handlers keep their own `requireRole` checks.
 */
import type { MiddlewareHandler } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { ROLES, type Role } from '../accounts/pg/index.ts';
import { RegistryError } from '../registry/index.ts';
import type { AppEnv } from './auth.ts';

const A: Role[] = ['applicant'];
const R: Role[] = ['reviewer'];
const ADMIN: Role[] = ['admin'];
const STAFF: Role[] = ['applicant', 'reviewer', 'admin'];
const BANK: Role[] = ['bank'];

/** The roles each protected route admits, keyed `METHOD /openapi/{path}`. */
export const ROUTE_ROLES: Readonly<Record<string, readonly Role[]>> = {
  'GET /v1/me': ROLES,
  'POST /v1/organisations': ADMIN,
  'GET /v1/organisations': ADMIN,
  'POST /v1/users': ADMIN,
  'GET /v1/users': ADMIN,
  'POST /v1/users/{id}/disable': ADMIN,
  'POST /v1/tokens': ADMIN,
  'GET /v1/tokens': ADMIN,
  'DELETE /v1/tokens/{id}': ROLES,
  'POST /v1/applications': A,
  'GET /v1/applications': STAFF,
  'GET /v1/applications/{id}': STAFF,
  'PATCH /v1/applications/{id}': A,
  'PUT /v1/applications/{id}/sample': A,
  'POST /v1/applications/{id}/submit': A,
  'POST /v1/applications/{id}/withdraw': A,
  'POST /v1/applications/{id}/claim': R,
  'POST /v1/applications/{id}/request-changes': R,
  'POST /v1/applications/{id}/reject': R,
  'POST /v1/applications/{id}/open-notice': R,
  'POST /v1/applications/{id}/approve': R,
  'GET /v1/applications/{id}/versions': STAFF,
  'GET /v1/applications/{id}/diff': STAFF,
  'POST /v1/objections/{id}/dismiss': R,
  'POST /v1/objections/{id}/uphold': R,
  'POST /v1/certificates/{number}/cancel': A,
  'POST /v1/certificates/{number}/revoke': R,
  'POST /v1/certificates/{number}/change': A,
  'POST /v1/certificates/{number}/renew': A,
  'POST /v1/certificates/{number}/pledges': BANK,
  'GET /v1/pledges': ['bank', 'applicant'],
  'GET /v1/pledges/{id}': ['bank', 'applicant', 'reviewer', 'admin'],
  'POST /v1/pledges/{id}/consent': A,
  'POST /v1/pledges/{id}/decline': A,
  'POST /v1/pledges/{id}/release': BANK,
  'POST /v1/pledges/{id}/allow-subsequent': BANK,
  'POST /v1/pledges/{id}/consents': BANK,
  'GET /v1/pledges/{id}/certificate.pdf': ['bank', 'applicant', 'reviewer', 'admin'],
  'GET /v1/pledges/{id}/release-notice.pdf': ['bank', 'applicant', 'reviewer', 'admin'],
  'GET /v1/pledges/{id}/receipt': ['bank', 'applicant', 'reviewer', 'admin'],
  'GET /v1/pledges/{id}/release-receipt': ['bank', 'applicant', 'reviewer', 'admin'],
  'POST /v1/certificates/{number}/licences': A,
  'POST /v1/certificates/{number}/transfer': A,
  'POST /v1/certificates/{number}/policies': ['insurer'],
  'POST /v1/evidence': A,
  'GET /v1/reminders': A,
  'POST /v1/subscriptions': ['applicant', 'bank', 'insurer'],
  'GET /v1/subscriptions': ['applicant', 'bank', 'insurer'],
  'DELETE /v1/subscriptions/{id}': ['applicant', 'bank', 'insurer'],
  'GET /v1/subscriptions/{id}/deliveries': ['applicant', 'bank', 'insurer'],
  'GET /v1/certificates/{number}/disclosure': STAFF,
  'GET /v1/certificates/{number}/disclosure.pdf': STAFF,
  'GET /v1/evidence/{id}/pdf': STAFF,
  'POST /v1/attestations': ['notary'],
};

interface Guarded {
  method: string;
  pattern: RegExp;
  roles: readonly Role[];
}

/** The protected routes of `app`'s OpenAPI registry, each with its roles (all roles if unlisted). */
export function protectedRoutes(app: OpenAPIHono<AppEnv>): { method: string; path: string; roles: readonly Role[] }[] {
  const out: { method: string; path: string; roles: readonly Role[] }[] = [];
  for (const d of app.openAPIRegistry.definitions) {
    if (d.type !== 'route' || !d.route.security?.length) continue;
    const method = d.route.method.toUpperCase();
    out.push({ method, path: d.route.path, roles: ROUTE_ROLES[`${method} ${d.route.path}`] ?? ROLES });
  }
  return out;
}

/**
 * Middleware (after `authenticate`, before the routes): 401/403 for protected routes.
 * The table is built from the registry on first use, after every route is registered.
 */
export function guardProtected(app: OpenAPIHono<AppEnv>): MiddlewareHandler<AppEnv> {
  let table: Guarded[] | undefined;
  return async (c, next) => {
    if (!c.req.path.startsWith('/v1/')) return next();
    table ??= protectedRoutes(app).map((r) => ({
      method: r.method,
      roles: r.roles,
      pattern: new RegExp('^' + r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+') + '/?$'),
    }));
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    const hit = table.find((g) => g.method === method && g.pattern.test(c.req.path));
    if (hit) {
      const p = c.get('principal');
      if (!p) throw new RegistryError('unauthenticated', 'sign in or send an API token (Authorization: Bearer …)');
      if (!hit.roles.includes(p.role)) throw new RegistryError('forbidden', `this needs the role ${hit.roles.join(' or ')}`);
    }
    return next();
  };
}
