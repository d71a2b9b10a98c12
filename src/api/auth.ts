/**
 * Authentication (API tokens for programs, session cookies for pages) and the
 * role check every route makes. Anonymous requests get principal = null.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AccountService, Principal, Role } from '../accounts/pg/index.ts';
import { RegistryError } from '../registry/index.ts';

import type { Lang } from './pages/i18n.ts';

export type AppEnv = { Variables: { principal: Principal | null; lang: Lang } };

export const SESSION_COOKIE = 'dd_session';

export function authenticate(accounts: Pick<AccountService, 'authenticateToken' | 'authenticateSession'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    let principal: Principal | null = null;
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const m = /^Bearer ([A-Za-z0-9_-]{1,100})$/.exec(header);
      principal = (m && (await accounts.authenticateToken(m[1]!))) || null;
      if (!principal) throw new RegistryError('unauthenticated', 'the API token is missing, malformed, expired or revoked');
    } else {
      const sid = getCookie(c, SESSION_COOKIE);
      if (sid) principal = (await accounts.authenticateSession(sid)) ?? null;
      // CSRF: a cookie-authenticated write must come from our own pages (SameSite=Strict is the first line)
      if (principal && !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
        const origin = c.req.header('origin') ?? c.req.header('referer');
        let sameHost = false;
        try {
          sameHost = !!origin && new URL(origin).host === (c.req.header('host') ?? new URL(c.req.url).host);
        } catch {
          sameHost = false;
        }
        if (!sameHost) throw new RegistryError('forbidden', 'cross-site request refused');
      }
    }
    c.set('principal', principal);
    await next();
  };
}

/** The caller, who must hold one of `roles`; 401 when anonymous, 403 otherwise. */
export function requireRole(c: Context<AppEnv>, ...roles: Role[]): Principal {
  const p = c.get('principal');
  if (!p) throw new RegistryError('unauthenticated', 'sign in or send an API token (Authorization: Bearer …)');
  if (!roles.includes(p.role)) throw new RegistryError('forbidden', `this needs the role ${roles.join(' or ')}`);
  return p;
}

/** Optimistic concurrency: the row version from If-Match ("3" or 3), if any. */
export function expectedVersion(c: Context): number | undefined {
  const h = c.req.header('if-match');
  if (h === undefined) return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(h.trim());
  if (!m) throw new RegistryError('invalid_field', 'If-Match must be the row version, e.g. "3"', [{ path: 'If-Match', message: 'not a version' }]);
  return Number(m[1]);
}
