/** OpenAPI helpers shared by the route files. */
import { z } from '@hono/zod-openapi';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ description: 'Stable machine-readable error code.' }),
    detail: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request (RFC 9457 problem)',
  401: 'Not authenticated',
  403: 'Not allowed for this role',
  404: 'Not found',
  409: 'Conflict with the current state',
  413: 'Body too large',
  429: 'Too many requests from this client address (rate_limited; see Retry-After)',
  503: 'Unavailable',
};

/** Problem responses for the given statuses, for a route's `responses`. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: DESCRIPTIONS[s] ?? 'Error', content: { 'application/problem+json': { schema: ProblemSchema } } }]),
  ) as Record<number, { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }>;
}

/** The authentication schemes of the API: an API token (`Authorization: Bearer ddt_…`) or a page session cookie. */
export const SECURITY_SCHEMES = {
  bearer: { type: 'http', scheme: 'bearer', description: 'API token (ddt_…), created by an administrator (`POST /v1/tokens` or `datadeed tokens add`).' },
  session: { type: 'apiKey', in: 'cookie', name: 'dd_session', description: 'The session cookie of a signed-in browser (pages; same-origin requests only).' },
} as const;

interface RouteDefinition {
  type: string;
  route: {
    method: string;
    path: string;
    operationId?: string;
    security?: Record<string, string[]>[];
    responses: Record<string, unknown>;
  };
}

/**
 * A stable operation id from method and path: `GET /v1/certificates/{number}/status` →
 * `getCertificatesByNumberStatus`.
 */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .split('/')
    .filter((s) => s && s !== 'v1')
    .flatMap((s) => (s.startsWith('{') ? ['by', s.slice(1, -1)] : s.split(/[-_.]/)));
  return method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/**
 * Completes every route of the registry before the document is served: an operation id,
 * its security requirement (a protected route — one whose file declares `security` —
 * takes a bearer token or a session cookie; every other route is public, `security: []`,
 * which is what the guard reads), and the 400 every route can answer (the boundary
 * refuses NUL and lone surrogates in any query string). Idempotent.
 */
export function completeRoutes(definitions: readonly unknown[]): void {
  for (const d of definitions as RouteDefinition[]) {
    if (d.type !== 'route') continue;
    const r = d.route;
    r.operationId ??= operationIdOf(r.method, r.path);
    if (r.security?.length) r.security = [{ bearer: [] }, { session: [] }];
    else r.security = [];
    r.responses[400] ??= problemResponses(400)[400];
  }
}
